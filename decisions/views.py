"""The decision record of an agenda item: started from the meeting page or meeting mode,
saved as a draft (also as it is typed), signed, confirmed, amended; its actions done."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.access import require
from accounts.models import ReadKind
from accounts.readlog import record_read
from cases.summary import build_section
from common.htmx import wants_partial
from decisions import documents, services, signing
from decisions.forms import (
    AmendForm,
    ConcordanceFormSet,
    ConfirmForm,
    DecisionForm,
    SignForm,
    TrialsConsideredFormSet,
    action_formset,
)
from decisions.models import (
    Action,
    Decision,
    FrozenAs,
    NotFollowedReason,
    Outcome,
    draft_in_progress,
    record_in_force,
    record_rows,
)
from documents.tasks import queue
from guidelines import snapshot
from meetings import attachments as meeting_attachments
from meetings.models import AgendaItem, Handout, HandoutKind, Meeting

SIGNED_IS_FINAL = "This decision is signed: it cannot be changed."
VIEW = "decisions.view_decision"
CHANGE = "decisions.change_decision"
AMENDMENT_KEEPS_WHAT_WAS_SHOWN = (
    "An amendment corrects the record of the meeting: what the board saw then stays."
)
MEETING_MODE = "meeting-mode"  # the "from" of a form posted from meeting mode


# What the record's page shows of the item and of the record, read with them.
PAGE_ITEM = ("meeting__board", "case__patient")
PAGE_RECORD = ("signed_by", "amends")


def _item(
    request: HttpRequest, pk: int, item_pk: int, permission: str, related=PAGE_ITEM
) -> AgendaItem:
    require(request, permission)
    return get_object_or_404(AgendaItem.objects.select_related(*related), pk=item_pk, meeting_id=pk)


def current_record(item: AgendaItem, related=PAGE_RECORD) -> Decision | None:
    """The version of the item's record being worked on: its latest, signed or a draft
    (``latest_version``); the page says which version is in force. ``related``: what the
    caller shows of it (who signed, the version it amends), read with it."""
    decision = (
        Decision.objects.select_related(*related).filter(agenda_item=item).order_by("-pk").first()
    )
    if decision is not None:
        decision.agenda_item = item
    return decision


def _record_page(item: AgendaItem) -> str:
    """The item's decision page (it shows the version being worked on, and every other)."""
    return reverse("decisions:decision_edit", args=[item.meeting_id, item.pk])


def _current(
    request: HttpRequest,
    pk: int,
    item_pk: int,
    permission: str,
    *,
    related=PAGE_RECORD,
    item_related=PAGE_ITEM,
):
    """The item and the version of its record being worked on (``current_record``), each
    with what the caller shows of it (``related``, ``item_related``; by default what the
    record's page shows); 404 for an item of another meeting, or one with no record yet.
    (Two queries: the one joining both costs twice their time, in Django and PostgreSQL.)"""
    item = _item(request, pk, item_pk, permission, item_related)
    decision = current_record(item, related)
    if decision is None:
        raise Http404("No decision is recorded for this item.")
    return item, decision


def _back(request: HttpRequest, decision: Decision) -> str:
    """Meeting mode when the form was posted from there, else the decision page."""
    item = decision.agenda_item
    if request.POST.get("from") == MEETING_MODE:
        return reverse("decisions:meeting_mode", args=[item.meeting_id, item.pk])
    return decision.get_absolute_url()


@require_http_methods(["POST"])
def decision_start(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Open the item's decision record, freezing what the board sees now."""
    item = _item(request, pk, item_pk, "decisions.add_decision")
    decision = services.start(item, request.user)
    decision.agenda_item = item
    return redirect(_back(request, decision))


@require_http_methods(["POST"])
def decision_refresh(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Show the board the case and the guidelines as they are now (drafts only)."""
    item, decision = _current(request, pk, item_pk, CHANGE)
    if decision.is_signed:
        messages.warning(request, SIGNED_IS_FINAL)
    elif decision.amends_id:
        messages.warning(request, AMENDMENT_KEEPS_WHAT_WAS_SHOWN)
    else:
        services.freeze(decision)
        messages.success(
            request, "The facts and recommendations are now as the case and the guidelines stand."
        )
    return redirect(_back(request, decision))


def _forms(decision: Decision, data=None):
    """The record's forms: the decision, the board items it judges (pending ones are shown,
    not judged), and the actions. The record's rows are read once, with it: the forms edit
    those rows, so after a save the record holds what was saved without reading it again."""
    prefetch_related_objects([decision], *record_rows())
    return (
        DecisionForm(data, instance=decision),
        ConcordanceFormSet(
            data,
            rows=[row for row in decision.concordance.all() if row.frozen_as == FrozenAs.APPLIES],
            prefix="concordance",
            # Read once for every row's form, and only when a row has a form (the same
            # query set is shared: the first form reads it, the others take its rows).
            form_kwargs={"reasons": NotFollowedReason.objects.all()},
        ),
        action_formset(data, decision),
        # A page opened before trials were screened posts no trials: nothing to save of them.
        TrialsConsideredFormSet(
            data if data is not None and "trials-TOTAL_FORMS" in data else None,
            rows=list(decision.trials.all()),
            prefix="trials",
        ),
    )


@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item, decision = _current(request, pk, item_pk, VIEW)
    if request.method == "POST":
        require(request, CHANGE)
        if decision.is_signed:
            messages.warning(request, SIGNED_IS_FINAL)
            return redirect(_back(request, decision))
        forms = _forms(decision, request.POST)
        if all(f.is_valid() for f in forms if f.is_bound):
            try:
                services.save(decision, *forms[:3], request.user, trials=forms[3])
            except services.StaleDecision as stale:
                return _page(request, item, decision, forms=forms, conflict=stale.current)
            messages.success(request, "Decision draft saved.")
            return redirect(_back(request, decision))
        return _page(request, item, decision, forms=forms)
    return _page(request, item, decision)


@require_http_methods(["POST"])
def decision_accept_proposals(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Save what the form holds, then take the plan's proposal for every recommendation not
    marked yet (the board then changes what is wrong): a typical record in a few clicks."""
    item, decision = _current(request, pk, item_pk, CHANGE)
    if decision.is_signed:
        messages.warning(request, SIGNED_IS_FINAL)
        return redirect(_back(request, decision))
    forms = _forms(decision, request.POST)
    if not all(f.is_valid() for f in forms if f.is_bound):
        return _page(request, item, decision, forms=forms)
    try:
        saved = services.save(decision, *forms[:3], request.user, trials=forms[3])
        marked = services.accept_proposals(saved, request.user, saved.version)
    except services.StaleDecision as stale:
        return _page(request, item, decision, forms=forms, conflict=stale.current)
    messages.success(
        request,
        f"Took the plan's proposal for {marked} recommendation{'s' if marked != 1 else ''}: "
        "check each, and change what is wrong.",
    )
    return redirect(_back(request, decision) + "#judged")


@require_http_methods(["GET"])
def decision_version(request: HttpRequest, pk: int, item_pk: int, decision_pk: int) -> HttpResponse:
    """One version of the item's record, as it was signed (also once amended)."""
    item = _item(request, pk, item_pk, VIEW)
    decision = get_object_or_404(
        Decision.objects.select_related("signed_by", "amends"), pk=decision_pk, agenda_item=item
    )
    decision.agenda_item = item
    return _page(request, item, decision, read_only=True)


@require_http_methods(["POST"])
def decision_autosave(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Save the draft as it is typed (htmx, debounced): a small status, the new version
    and the ids of actions saved for the first time. Removing an action waits for
    "Save the draft", so that a late autosave cannot remove one by its old position."""
    # What the answer shows: the status of a draft, and whether this user signs.
    item, decision = _current(
        request, pk, item_pk, CHANGE, related=(), item_related=("meeting__board",)
    )
    context = {"decision": decision}
    if decision.is_signed:
        context["problem"] = SIGNED_IS_FINAL
        return render(request, "decisions/_save_status.html", context)
    data = request.POST.copy()
    for key in [key for key in data if key.endswith("-DELETE")]:
        del data[key]
    prefetch_related_objects([decision], *record_rows())
    forms = _forms(decision, _rows_changed(data, decision))
    if not all(f.is_valid() for f in forms if f.is_bound):
        context["errors"] = _error_list(forms)
        return render(request, "decisions/_save_status.html", context)
    try:
        saved = services.save(decision, *forms[:3], request.user, trials=forms[3])
    except services.StaleDecision as stale:
        context["conflict"] = stale.current
        return render(request, "decisions/_save_status.html", context)
    prefetch_related_objects([saved], "modalities")  # when set anew by the save
    # Each row's proposal follows the plan's modalities and the row's judgement: sent again
    # only when either changed.
    replan = "modalities" in forms[0].changed_data or bool(forms[1].forms)
    proposals = saved.proposals() if replan else {}
    action_ids = [
        (index, action.instance.pk)
        for index, action in enumerate(forms[2].forms)
        if action.instance.pk
    ]
    may_sign = item.meeting.board.may_sign(request.user)
    if may_sign:  # the signing box, sent again out of band, is shown to signers only
        context.update(
            sign_problems=signing.problems(saved),
            disagreements=saved.disagreements(),
            sign_form=SignForm(request=request, prefix="sign"),
        )
    context.update(
        saved=saved,
        action_ids=action_ids,
        saved_at=timezone.localtime(),
        may_sign=may_sign,
        # The plan may have changed: each row's proposal again, out of band.
        proposals=[
            (row, proposals.get(row.pk, ""))
            for row in saved.concordance.all()
            if replan and row.frozen_as == FrozenAs.APPLIES
        ],
    )
    return render(request, "decisions/_save_status.html", context)


ROW_FIELDS = ("judgement", "reason", "reason_text")


def _rows_changed(data: QueryDict, decision: Decision) -> QueryDict:
    """The posted record with only the judged rows whose posted values differ from what is
    stored (or that name a row not of this record): the autosave validates and saves what
    was changed, so its cost follows the edit, not the length of the record. A row left as
    stored was valid when it was stored; any difference at all goes through its form."""
    stored = {str(row.pk): row for row in decision.concordance.all()}
    prefix = "concordance"
    posted = QueryDict(mutable=True)
    changed = 0
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
    except ValueError:
        return data  # the formset says what is wrong
    for n in range(min(total, ConcordanceFormSet.absolute_max)):
        row = stored.get(data.get(f"{prefix}-{n}-id", ""))
        values = [data.get(f"{prefix}-{n}-{name}", "") for name in ROW_FIELDS]
        if row is not None and values == [row.judgement, str(row.reason_id or ""), row.reason_text]:
            continue
        posted[f"{prefix}-{changed}-id"] = data.get(f"{prefix}-{n}-id", "")
        for name, value in zip(ROW_FIELDS, values, strict=True):
            posted[f"{prefix}-{changed}-{name}"] = value
        changed += 1
    for key, values in data.lists():
        if not key.startswith(f"{prefix}-"):
            posted.setlist(key, values)
    posted[f"{prefix}-TOTAL_FORMS"] = posted[f"{prefix}-INITIAL_FORMS"] = str(changed)
    return posted


def _error_list(forms) -> list[str]:
    """Each error with its field's label, for the status line."""
    form, *formsets = forms
    found = []
    for bound in (form, *(f for formset in formsets for f in formset.forms)):
        for name, errors in bound.errors.items():
            label = bound.fields[name].label if name in bound.fields else ""
            found.extend(f"{label}: {error}" if label else error for error in errors)
    for formset in formsets:
        found.extend(formset.non_form_errors())
    return found


def record_context(request: HttpRequest, item: AgendaItem, decision: Decision, **extra) -> dict:
    """What the record's part of a page needs (the decision page and meeting mode)."""
    forms = extra.pop("forms", None) or _forms(decision)
    read_only = extra.pop("read_only", False)
    # The caller may have these already (meeting mode does).
    quorum = extra.pop("quorum", None)
    content_version = extra.pop("content_version", None)
    in_force = not read_only
    can_change = request.user.has_perm(CHANGE) and not decision.is_signed and in_force
    prefetch_related_objects([decision], *record_rows())
    return {
        "item": item,
        "meeting": item.meeting,
        "case": item.case,
        "decision": decision,
        "form": forms[0],
        "concordance": forms[1],
        "actions": forms[2],
        "trials_considered": forms[3],
        "can_change": can_change,
        # Each judged row's form with what the plan proposes for it.
        "judged_rows": _with_proposals(decision, forms[1]) if can_change else [],
        "pending_rows": [r for r in decision.concordance.all() if r.frozen_as == FrozenAs.PENDING],
        # Read, not edited: the record in the words the minutes and the letter print.
        "record_entry": None if can_change else documents.record_entry(item, decision),
        "can_mark_actions": request.user.has_perm(CHANGE) and in_force,
        "sign_form": _sign_form(request, item, decision) if in_force else None,
        "sign_problems": [] if decision.is_signed else signing.problems(decision),
        "disagreements": [] if decision.is_signed else decision.disagreements(),
        # While a draft: the quorum as attendance stands; once signed, as it was then.
        "quorum": None if decision.is_signed else quorum or item.meeting.quorum(),
        "versions": list(
            Decision.objects.filter(agenda_item=item).select_related("signed_by").order_by("pk")
        ),
        "confirmations": list(decision.confirmations.select_related("confirmed_by")),
        "confirm_form": ConfirmForm(request=request)
        if in_force and signing.may_confirm(decision, request.user)
        else None,
        "amend_form": AmendForm()
        if in_force and decision.is_signed and request.user.has_perm(CHANGE)
        else None,
        # The letter states the latest signed version (also while an amendment is drafted).
        "letter": documents.document_box(request, item.meeting, HandoutKind.LETTER, item)
        if in_force and (decision.is_signed or decision.amends_id)
        else None,
        "stale": _stale(decision, item, content_version or snapshot.content_version()),
        "conflict": None,
        **extra,
    }


def _with_proposals(decision: Decision, formset) -> list[tuple]:
    """Each judged row's form with the judgement the plan proposes for it."""
    proposals = decision.proposals()
    return [(row, proposals.get(row.instance.pk, "")) for row in formset.forms]


def _stale(decision: Decision, item: AgendaItem, content_version: tuple) -> str:
    """What changed since a draft froze what the board sees (e.g. a proposal drafted
    days before the meeting): "the case", "the guideline content", both, or ""."""
    if decision.is_signed or decision.amends_id:  # an amendment keeps what was shown
        return ""
    changed = []
    if decision.shown.get("case_version") != item.case.version:
        changed.append("the case")
    if decision.shown.get("content_version") != list(content_version):
        changed.append("the guideline content")
    return " and ".join(changed)


def _page(request, item, decision, **extra):
    """The decision page: the record (a form while a draft), what the board saw, signing."""
    record_read(request, ReadKind.CASE_PAGE, [item.case], meeting_id=item.meeting_id)
    return render(
        request, "decisions/decision_form.html", record_context(request, item, decision, **extra)
    )


def _sign_form(request, item, decision, data=None) -> SignForm | None:
    """The signing box, for a draft and a user the board allows to sign."""
    if decision.is_signed or not item.meeting.board.may_sign(request.user):
        return None
    return SignForm(data, request=request, prefix="sign", initial={"version": decision.version})


@require_http_methods(["POST"])
def decision_sign(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The chair (or a member the board allows) signs, with their password again."""
    item, decision = _current(request, pk, item_pk, VIEW)
    form = _sign_form(request, item, decision, request.POST)
    if form is None:
        messages.warning(
            request,
            SIGNED_IS_FINAL
            if decision.is_signed
            else "Only the chair, or a member the board allows, signs its decisions.",
        )
        return redirect(_back(request, decision))
    if form.is_valid():
        try:
            signing.sign(
                decision,
                request.user,
                form.cleaned_data["version"],
                disagreements_read=form.cleaned_data["disagreements"],
            )
        except signing.CannotSign as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Decision signed.")
            return redirect(_back(request, decision))
    return _page(request, item, decision, sign_form=form)


@require_http_methods(["POST"])
def decision_confirm(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """A second clinician who attended confirms the signed record, password again."""
    item, decision = _current(request, pk, item_pk, CHANGE)
    if not signing.may_confirm(decision, request.user):
        messages.warning(request, signing.WHO_CONFIRMS)
        return redirect(_back(request, decision))
    form = ConfirmForm(request.POST, request=request)
    if form.is_valid():
        try:
            signing.confirm(decision, request.user)
        except signing.CannotSign as refusal:
            messages.warning(request, str(refusal))
        else:
            messages.success(request, "You confirmed the record: checked for accuracy.")
        return redirect(_back(request, decision))
    return _page(request, item, decision, confirm_form=form)


@require_http_methods(["POST"])
def decision_amend(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Start an amendment of the signed record in force: a new draft, signed again."""
    item, decision = _current(request, pk, item_pk, CHANGE)
    form = AmendForm(request.POST)
    if form.is_valid():
        try:
            amendment = services.amend(decision, request.user, form.cleaned_data["reason"])
        except services.CannotAmend as refusal:
            form.add_error("reason", str(refusal))
        else:
            amendment.agenda_item = item
            messages.success(request, "Amendment started: correct the record, then sign it.")
            return redirect(_back(request, amendment))
    return _page(request, item, decision, amend_form=form)


@require_http_methods(["POST"])
def action_done(request: HttpRequest, pk: int, item_pk: int, action_pk: int) -> HttpResponse:
    """Mark an action of the record in force done (or not done after all)."""
    item, decision = _current(request, pk, item_pk, CHANGE)
    action = get_object_or_404(Action, pk=action_pk, decision=decision)
    services.mark_done(action, request.user, done=request.POST.get("done") == "yes")
    return redirect(_back(request, decision))


@dataclass(frozen=True)
class AgendaEntry:
    """One item on meeting mode's agenda strip, with where it stands."""

    item: AgendaItem
    state: str  # waiting, discussed or deferred
    drafted: bool  # a draft (or proposal) is waiting for the board


def _agenda(meeting) -> list[AgendaEntry]:
    items = (
        meeting.agenda_items.select_related("case__patient")
        .prefetch_related("decisions")
        .order_by("position")
    )
    entries = []
    for item in items:
        versions = list(item.decisions.all())
        record = record_in_force(versions)
        if record is None:
            state = "waiting"
        elif record.outcome == Outcome.DEFERRED:
            state = "deferred"
        else:
            state = "discussed"
        entries.append(AgendaEntry(item, state, draft_in_progress(versions) is not None))
    return entries


@require_http_methods(["GET"])
def meeting_mode_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Meeting mode opens at the first item still waiting (or the first one)."""
    require(request, VIEW)
    meeting = get_object_or_404(Meeting, pk=pk)
    entries = _agenda(meeting)
    if not entries:
        messages.info(request, "The agenda is empty: add cases before running the meeting.")
        return redirect(meeting)
    first = next((entry for entry in entries if entry.state == "waiting"), entries[0])
    return redirect("decisions:meeting_mode", meeting.pk, first.item.pk)


@require_http_methods(["GET"])
def meeting_mode(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """One agenda item at a time, for a shared screen: the question, the summary, the
    key facts, the recommendations, previous decisions, and the record beside them."""
    item = _item(request, pk, item_pk, VIEW)
    meeting = item.meeting
    entries = _agenda(meeting)
    index = next((n for n, entry in enumerate(entries) if entry.item.pk == item.pk), None)
    if index is None:  # taken off the agenda a moment ago
        raise Http404("That case is no longer on the agenda.")
    decision = current_record(item)
    content = snapshot.current()
    section = build_section(
        item.case, item.position, pseudonymise=meeting.pseudonymise, content=content
    )
    quorum = meeting.quorum()
    record_read(request, ReadKind.CASE_PAGE, [item.case], meeting_id=meeting.pk)
    shown, withheld = meeting_attachments.at_meeting(meeting, item.case)
    may_release = withheld and request.user.has_perm(RELEASE)
    context = {
        "shown_attachments": shown,
        "withheld_attachments": withheld,
        "release_url": reverse("decisions:attachment_release", args=[meeting.pk, item.pk])
        if may_release
        else "",
        "item": item,
        "meeting": meeting,
        "case": item.case,
        "section": section,
        "matches": section.seen.matches,
        "entries": entries,
        "previous": entries[index - 1].item if index > 0 else None,
        "next": entries[index + 1].item if index + 1 < len(entries) else None,
        "back": MEETING_MODE,
        "meeting_quorum": quorum,
    }
    if decision is not None:
        context.update(
            record_context(request, item, decision, quorum=quorum, content_version=content.version)
        )
        context["back"] = MEETING_MODE
    return render(request, "decisions/meeting_mode.html", context)


RELEASE = "meetings.change_meeting"


@require_http_methods(["POST"])
def attachment_release(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The coordinator releases a case's held-back attachments for this (pseudonymised)
    meeting; back to meeting mode."""
    item = _item(request, pk, item_pk, RELEASE)
    ids = [int(value) for value in request.POST.getlist("attachment") if value.isdigit()]
    released = meeting_attachments.release(item.meeting, item.case, ids, request.user)
    if released:
        messages.success(request, f"Released {released} attachment(s) for this meeting.")
    return redirect("decisions:meeting_mode", pk, item_pk)


# --- Minutes and letters, rendered in the background ----------------------------------


def _start_document(request: HttpRequest, meeting: Meeting, kind: str, item=None):
    with transaction.atomic():
        handout, new = Handout.objects.start_pack(meeting, request.user, kind=kind, item=item)
        if new:  # a second click does not queue a second render
            transaction.on_commit(lambda: queue(kind, handout.pk))
    if wants_partial(request):
        return render(
            request,
            "decisions/_document_status.html",
            documents.document_box(request, meeting, kind, item, handout),
        )
    return redirect(_record_page(item) if item is not None else meeting)


@require_http_methods(["POST"])
def minutes_generate(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, CHANGE)
    meeting = get_object_or_404(Meeting.objects.select_related("board"), pk=pk)
    return _start_document(request, meeting, HandoutKind.MINUTES)


@require_http_methods(["POST"])
def letter_generate(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item, decision = _current(request, pk, item_pk, CHANGE)
    record = Decision.objects.filter(agenda_item=item).in_force().first()
    refusal = documents.why_no_letter(item, record)
    if refusal:
        messages.warning(request, refusal)
        return redirect(_back(request, decision))
    return _start_document(request, item.meeting, HandoutKind.LETTER, item)


@require_http_methods(["GET"])
def document_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of minutes or a letter; htmx polls it every second until it ends."""
    require(request, VIEW)
    Handout.objects.filter(pk=pk).expire_stale()
    handout = get_object_or_404(
        Handout.objects.defer("content").select_related("meeting__board", "agenda_item"),
        pk=pk,
        kind__in=list(documents.DOCUMENT_LABELS),
    )
    item = handout.agenda_item
    if not wants_partial(request):
        return redirect(_record_page(item) if item is not None else handout.meeting)
    context = documents.document_box(request, handout.meeting, handout.kind, item, handout)
    return render(request, "decisions/_document_status.html", context)
