"""Meetings: agenda, attendance, and the PDFs printed for them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.access import require
from accounts.models import ReadKind
from accounts.readlog import record_read
from cases.pseudonym import pseudonym, scrub_segments
from cases.views import get_case_for_user
from config.htmx import wants_partial
from meetings import agenda, handouts
from meetings.forms import AgendaAddForm, AttendanceForm, MeetingForm
from meetings.models import AgendaItem, Attendance, Handout, HandoutKind, HandoutStatus, Meeting
from meetings.tasks import render_meeting_pack

VIEW = "meetings.view_meeting"
CHANGE = "meetings.change_meeting"


def _get_meeting_for_user(request: HttpRequest, pk: int, permission: str = VIEW) -> Meeting:
    require(request, permission)
    return get_object_or_404(Meeting, pk=pk)


def _find(request: HttpRequest) -> str:
    return request.GET.get("find", "").strip()[:100]


def _latest_pack(meeting: Meeting) -> Handout | None:
    """The meeting's latest pack; one whose worker stopped reads as failed."""
    meeting.handouts.expire_stale()
    return meeting.handouts.filter(kind=HandoutKind.MEETING_PACK).defer("pdf").first()


def _queue_pack(handout_id: int) -> None:
    result = render_meeting_pack.enqueue(handout_id)
    Handout.objects.filter(pk=handout_id).update(task_id=str(result.id))


def _detail_context(request: HttpRequest, meeting: Meeting, **extra) -> dict:
    items = list(meeting.agenda_items.select_related("case__patient").order_by("position"))
    return {
        "meeting": meeting,
        "items": items,
        "attendees": list(meeting.attendees.all()),
        "handout": _latest_pack(meeting),
        "agenda_form": AgendaAddForm(meeting=meeting, find=_find(request)),
        "attendance_form": AttendanceForm(meeting=meeting),
        "can_change": request.user.has_perm(CHANGE),
        **extra,
    }


def _show(request: HttpRequest, meeting: Meeting, name: str, **extra) -> HttpResponse:
    """The named region for htmx, the whole meeting page otherwise (e.g. with form errors)."""
    template = "meetings/meeting_detail.html" + (f"#{name}" if wants_partial(request) else "")
    return render(request, template, _detail_context(request, meeting, **extra))


GONE_FROM_AGENDA = (
    "That case was taken off the agenda by someone else meanwhile; the agenda shown now "
    "is up to date."
)


def _agenda_notice(request: HttpRequest, meeting: Meeting, notice: str) -> HttpResponse:
    """The agenda with a notice beside it (htmx), or the page with it as a message."""
    if wants_partial(request):
        return _show(request, meeting, "agenda", agenda_notice=notice)
    messages.warning(request, notice)
    return redirect(meeting)


def _region(request: HttpRequest, meeting: Meeting, name: str) -> HttpResponse:
    """After a change: the changed region for htmx, a redirect to the page otherwise."""
    return _show(request, meeting, name) if wants_partial(request) else redirect(meeting)


@require_http_methods(["GET"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    require(request, VIEW)
    now = timezone.now()
    meetings = Meeting.objects.annotate(case_count=Count("agenda_items"))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "upcoming": meetings.filter(starts_at__gte=now).order_by("starts_at")[:50],
            "past": meetings.filter(starts_at__lt=now).order_by("-starts_at")[:50],
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    require(request, CHANGE)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        meeting.created_by = meeting.updated_by = request.user
        meeting.save()
        messages.success(request, "Meeting created. Now add cases to its agenda.")
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting_for_user(request, pk, CHANGE)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        meeting.updated_by = request.user
        meeting.save()
        messages.success(request, "Meeting saved.")
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting_for_user(request, pk)
    if "find" in request.GET and wants_partial(request):  # the agenda's case finder
        require(request, CHANGE)
        agenda_form = AgendaAddForm(meeting=meeting, find=_find(request))
        return render(
            request,
            "meetings/meeting_detail.html#agenda-add",
            {"meeting": meeting, "agenda_form": agenda_form},
        )
    return render(request, "meetings/meeting_detail.html", _detail_context(request, meeting))


@require_http_methods(["GET"])
def pseudonymised_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What a pseudonymised pack will print of each case's text, with the replacements marked."""
    meeting = _get_meeting_for_user(request, pk)
    previews = [
        {
            "number": number,
            "case": case,
            "pseudonym": pseudonym(case),
            "question": scrub_segments(case.question, case),
            "summary": scrub_segments(case.clinical_summary, case),
        }
        for number, case in handouts.meeting_cases(meeting)
    ]
    return render(
        request, "meetings/pseudonymised_preview.html", {"meeting": meeting, "previews": previews}
    )


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting_for_user(request, pk, CHANGE)
    form = AgendaAddForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _show(request, meeting, "agenda", agenda_form=form)
    agenda.add_case(meeting, form.cleaned_data["case"])
    return _region(request, meeting, "agenda")


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def agenda_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _get_meeting_for_user(request, pk, CHANGE)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _agenda_notice(request, meeting, "Move a case up or down.")
    item = AgendaItem.objects.filter(pk=item_pk, meeting=meeting).first()
    if item is None:  # taken off by someone else before this request
        return _agenda_notice(request, meeting, GONE_FROM_AGENDA)
    try:
        agenda.move(item, direction)
    except AgendaItem.DoesNotExist:  # ... or while it was being moved
        return _agenda_notice(request, meeting, GONE_FROM_AGENDA)
    return _region(request, meeting, "agenda")


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def agenda_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _get_meeting_for_user(request, pk, CHANGE)
    item = AgendaItem.objects.filter(pk=item_pk, meeting=meeting).first()
    if item is None:
        return _agenda_notice(request, meeting, GONE_FROM_AGENDA)
    agenda.remove(item)
    return _region(request, meeting, "agenda")


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def attendance_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting_for_user(request, pk, CHANGE)
    form = AttendanceForm(request.POST, meeting=meeting)
    if form.is_valid():
        attendance = form.save(commit=False)
        attendance.meeting = meeting
        attendance.save()
        return _region(request, meeting, "attendance")
    return _show(request, meeting, "attendance", attendance_form=form)


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def attendance_remove(request: HttpRequest, pk: int, attendance_pk: int) -> HttpResponse:
    meeting = _get_meeting_for_user(request, pk, CHANGE)
    get_object_or_404(Attendance, pk=attendance_pk, meeting=meeting).delete()
    return _region(request, meeting, "attendance")


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def pack_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the meeting pack; a worker renders it while the page shows progress."""
    meeting = _get_meeting_for_user(request, pk, CHANGE)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        meeting.handouts.expire_stale()
        handout = meeting.handouts.filter(
            kind=HandoutKind.MEETING_PACK, status__in=[HandoutStatus.QUEUED, HandoutStatus.RUNNING]
        ).first()
        if handout is None:  # a second click does not queue a second pack
            handout = Handout.objects.create(
                kind=HandoutKind.MEETING_PACK,
                meeting=meeting,
                requested_by=request.user,
                pseudonymised=meeting.pseudonymise,
                paper_size=handouts.paper_size(),
                cases_total=meeting.agenda_items.count(),
            )
            transaction.on_commit(lambda: _queue_pack(handout.pk))
    return _region(request, meeting, "pack-status")


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def handout_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The pack's progress; htmx polls it every second until it has finished."""
    require(request, VIEW)
    Handout.objects.filter(pk=pk).expire_stale()
    handout = get_object_or_404(
        Handout.objects.defer("pdf").select_related("meeting"), pk=pk, kind=HandoutKind.MEETING_PACK
    )
    meeting = handout.meeting
    if wants_partial(request):
        return render(
            request,
            "meetings/meeting_detail.html#pack-status",
            {"meeting": meeting, "handout": handout, "can_change": request.user.has_perm(CHANGE)},
        )
    return redirect(meeting)


def _pdf_response(handout: Handout) -> HttpResponse:
    """A handout's PDF: packs download, summaries open in the browser (never cached:
    config.middleware.NoStoreMiddleware)."""
    disposition = "attachment" if handout.kind == HandoutKind.MEETING_PACK else "inline"
    response = HttpResponse(bytes(handout.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'{disposition}; filename="{handout.filename}"'
    return response


@require_http_methods(["GET"])
def handout_download(request: HttpRequest, pk: int) -> HttpResponse:
    handout = get_object_or_404(Handout.objects.select_related("meeting", "case"), pk=pk)
    require(request, VIEW if handout.kind == HandoutKind.MEETING_PACK else "cases.view_case")
    if handout.status != HandoutStatus.DONE:
        raise Http404
    if handout.kind == HandoutKind.MEETING_PACK:
        cases = [case for _, case in handouts.meeting_cases(handout.meeting)]
        kind = ReadKind.MEETING_PACK
    else:
        cases, kind = [handout.case], ReadKind.CASE_SUMMARY
    record_read(request, kind, cases, meeting_id=handout.meeting_id, handout_id=handout.pk)
    return _pdf_response(handout)


@require_http_methods(["GET"])
def case_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Print one case: the stored PDF while nothing it shows has changed, else a new one.

    A new one renders in the request (a few hundred milliseconds), at most
    CASE_SUMMARY_RENDERS_PER_MINUTE times a minute per user, so that reloading
    cannot keep the web workers busy.
    """
    case = get_case_for_user(request, pk)
    fingerprint = handouts.case_summary_fingerprint(case)
    handout = Handout.objects.filter(
        kind=HandoutKind.CASE_SUMMARY,
        case=case,
        status=HandoutStatus.DONE,
        fingerprint=fingerprint,
    ).first()
    if handout is None:
        recent = Handout.objects.filter(
            kind=HandoutKind.CASE_SUMMARY,
            requested_by=request.user,
            created_at__gte=timezone.now() - datetime.timedelta(minutes=1),
        ).count()
        if recent >= settings.CASE_SUMMARY_RENDERS_PER_MINUTE:
            return render(request, "meetings/too_many_prints.html", {"case": case}, status=429)
        rendered = handouts.render_case_summary(case)
        handout = Handout.objects.create(
            kind=HandoutKind.CASE_SUMMARY,
            case=case,
            status=HandoutStatus.DONE,
            pdf=rendered.pdf,
            page_count=rendered.page_count,
            paper_size=handouts.paper_size(),
            content_versions=rendered.content_versions,
            fingerprint=fingerprint,
            requested_by=request.user,
            cases_done=1,
            cases_total=1,
            finished_at=timezone.now(),
        )
    record_read(request, ReadKind.CASE_SUMMARY, [case], handout_id=handout.pk)
    return _pdf_response(handout)
