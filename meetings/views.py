"""Meetings: agenda, attendance, and the PDFs printed for them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts import tokens
from accounts.access import require
from accounts.models import TokenPurpose
from cases import readiness
from cases.pseudonym import pseudonym, scrub_segments
from common.htmx import wants_partial
from common.slots import slot
from documents import delivery
from documents.models import Status
from documents.tasks import queue
from guidelines import snapshot
from meetings import agenda, handouts, staleness
from meetings import calendar as meeting_calendar
from meetings import readiness as meeting_readiness
from meetings.forms import AgendaAddForm, AttendanceForm, MeetingForm
from meetings.models import (
    AgendaItem,
    Attendance,
    Board,
    Handout,
    HandoutKind,
    Meeting,
    Specialty,
)

VIEW = "meetings.view_meeting"
CHANGE = "meetings.change_meeting"


def _get_meeting_for_user(request: HttpRequest, pk: int, permission: str = VIEW) -> Meeting:
    require(request, permission)
    return get_object_or_404(Meeting.objects.select_related("board"), pk=pk)


def _finder_query(request: HttpRequest) -> str:
    """What was typed into the agenda's case finder."""
    return request.GET.get("find", "").strip()[:100]


def _latest_pack(meeting: Meeting) -> Handout | None:
    """The meeting's latest pack; one whose worker stopped reads as failed."""
    meeting.handouts.expire_stale()
    return meeting.handouts.filter(kind=HandoutKind.MEETING_PACK).defer("content").first()


def _pack_changes(handout: Handout | None, items: list[AgendaItem]) -> list[str]:
    """What changed since the finished pack was made (nothing for a pack in the making)."""
    if handout is None or handout.status != Status.DONE:
        return []
    return staleness.changes_since(handout, items)


def _detail_context(request: HttpRequest, meeting: Meeting, **extra) -> dict:
    items = list(
        meeting.agenda_items.select_related("case__patient", "presenter")
        .prefetch_related(*slot("meetings.agenda_item").prefetch)  # what the apps above show
        .prefetch_related(*readiness.relations("case__"))
        .order_by("position")
    )
    content, day = snapshot.current(), readiness.meeting_day(meeting.starts_at)
    for item in items:
        item.readiness = readiness.readiness_of(item.case, day, content=content)
    attendees = list(meeting.attendees.all())
    handout = _latest_pack(meeting)
    return {
        "meeting": meeting,
        "items": items,
        "pack_changes": _pack_changes(handout, items),
        "attendees": attendees,
        "quorum": meeting.quorum(attendees),
        "specialty_names": Specialty.objects.values_list("name", flat=True),
        "handout": handout,
        "agenda_form": AgendaAddForm(meeting=meeting, find=_finder_query(request)),
        "attendance_form": AttendanceForm(meeting=meeting),
        "can_change": request.user.has_perm(CHANGE),
        **extra,
    }


def _page_or_region(request: HttpRequest, meeting: Meeting, name: str, **extra) -> HttpResponse:
    """The named region for htmx, the whole meeting page otherwise (e.g. with form errors)."""
    template = "meetings/meeting_detail.html" + (f"#{name}" if wants_partial(request) else "")
    return render(request, template, _detail_context(request, meeting, **extra))


HAS_A_RECORD = (
    "That case has a decision record on this meeting, so it stays on the agenda; "
    "the record says what the board decided."
)
GONE_FROM_AGENDA = (
    "That case was taken off the agenda by someone else meanwhile; the agenda shown now "
    "is up to date."
)


def _agenda_notice(request: HttpRequest, meeting: Meeting, notice: str) -> HttpResponse:
    """The agenda with a notice beside it (htmx), or the page with it as a message."""
    if wants_partial(request):
        return _page_or_region(request, meeting, "agenda", agenda_notice=notice)
    messages.warning(request, notice)
    return redirect(meeting)


def _after_change(request: HttpRequest, meeting: Meeting, name: str) -> HttpResponse:
    """After a change: the changed region for htmx, a redirect to the page otherwise."""
    return _page_or_region(request, meeting, name) if wants_partial(request) else redirect(meeting)


@require_http_methods(["GET"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    require(request, VIEW)
    now = timezone.now()
    meetings = Meeting.objects.select_related("board").annotate(case_count=Count("agenda_items"))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "upcoming": meetings.filter(starts_at__gte=now).order_by("starts_at")[:50],
            "past": meetings.filter(starts_at__lt=now).order_by("-starts_at")[:50],
        },
    )


@require_http_methods(["GET"])
def not_ready(request: HttpRequest) -> HttpResponse:
    """The coordinator's list: cases on the agendas of the meetings of the next
    READINESS_NOTICE_DAYS that are not ready, or ready with warnings, and what they miss."""
    require(request, VIEW)
    meetings = meeting_readiness.coming()
    return render(request, "meetings/not_ready.html", {
        "meetings": meeting_readiness.not_ready(meetings),
        "days": settings.READINESS_NOTICE_DAYS,
        "coming": len(meetings),
    })  # fmt: skip


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
        agenda_form = AgendaAddForm(meeting=meeting, find=_finder_query(request))
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
        return _page_or_region(request, meeting, "agenda", agenda_form=form)
    agenda.add_case(meeting, form.cleaned_data["case"], request.user,
                    presenter=form.cleaned_data.get("presenter"))  # fmt: skip
    return _after_change(request, meeting, "agenda")


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
    return _after_change(request, meeting, "agenda")


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def agenda_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _get_meeting_for_user(request, pk, CHANGE)
    item = AgendaItem.objects.filter(pk=item_pk, meeting=meeting).first()
    if item is None:
        return _agenda_notice(request, meeting, GONE_FROM_AGENDA)
    try:
        agenda.remove(item, request.user)
    except ProtectedError:
        return _agenda_notice(request, meeting, HAS_A_RECORD)
    return _after_change(request, meeting, "agenda")


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def attendance_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting_for_user(request, pk, CHANGE)
    form = AttendanceForm(request.POST, meeting=meeting)
    if form.is_valid() and form.save() is not None:
        return _after_change(request, meeting, "attendance")
    return _page_or_region(request, meeting, "attendance", attendance_form=form)


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def attendance_remove(request: HttpRequest, pk: int, attendance_pk: int) -> HttpResponse:
    meeting = _get_meeting_for_user(request, pk, CHANGE)
    get_object_or_404(Attendance, pk=attendance_pk, meeting=meeting).delete()
    return _after_change(request, meeting, "attendance")


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def pack_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the meeting pack; a worker renders it while the page shows progress."""
    meeting = _get_meeting_for_user(request, pk, CHANGE)
    with transaction.atomic():
        handout, new = Handout.objects.start_pack(meeting, request.user)
        if new:  # a second click does not queue a second pack
            transaction.on_commit(lambda: queue(HandoutKind.MEETING_PACK, handout.pk))
    return _after_change(request, meeting, "pack-status")


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def handout_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The pack's progress; htmx polls it every second until it has finished."""
    require(request, VIEW)
    Handout.objects.filter(pk=pk).expire_stale()
    handout = get_object_or_404(
        Handout.objects.defer("content").select_related("meeting__board"),
        pk=pk,
        kind=HandoutKind.MEETING_PACK,
    )
    meeting = handout.meeting
    if wants_partial(request):
        items = list(meeting.agenda_items.select_related("case__patient").order_by("position"))
        return render(
            request,
            "meetings/meeting_detail.html#pack-status",
            {"meeting": meeting, "handout": handout, "can_change": request.user.has_perm(CHANGE),
             "pack_changes": _pack_changes(handout, items)},
        )  # fmt: skip
    return redirect(meeting)


@require_http_methods(["GET"])
def handout_download(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, VIEW)
    handout = get_object_or_404(
        Handout.objects.select_related("meeting__board", "agenda_item__case__patient"),
        pk=pk,
        status=Status.DONE,
    )
    if handout.kind == HandoutKind.LETTER:
        cases = [handout.agenda_item.case]
    else:
        cases = [case for _, case in handouts.meeting_cases(handout.meeting)]
    return delivery.stored(
        request, handout, cases, meeting_id=handout.meeting_id, handout_id=handout.pk
    )


@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    """The user's calendar links: make one (its secret address is shown once), see those
    made before and revoke them."""
    require(request, VIEW)
    page = tokens.tokens_page(
        request, TokenPurpose.CALENDAR, "Say what the link is for, e.g. “Outlook at work”."
    )
    page["boards"] = list(Board.objects.order_by("name"))
    return render(request, "meetings/calendar.html", page, status=400 if page["error"] else 200)


@login_not_required
@require_http_methods(["GET"])
def calendar_feed(request: HttpRequest, secret: str, board: int | None = None) -> HttpResponse:
    """A board's meetings (or every board's) as iCalendar, for a calendar program that
    holds the user's secret link. No login: the link is the key, and it gives no more
    than its user may see (and no patient data at all)."""
    token = tokens.find(secret, TokenPurpose.CALENDAR)
    if token is None or not token.user.has_perm(VIEW):
        raise Http404
    boards = Board.objects.all() if board is None else Board.objects.filter(pk=board)
    found = list(boards)
    if not found:
        raise Http404
    name = "Tumor board meetings" if board is None else f"{found[0].name} meetings"
    body = meeting_calendar.feed(
        meeting_calendar.meetings_for(found), name, request.build_absolute_uri("/").rstrip("/")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response
