"""The board's documents: the minutes of a meeting and the outcome letter of a case.

Both print what the records say, never the case or the guidelines as they are now:
the question, facts and recommendations are those frozen into each record. Minutes are
pseudonymised like the pack when the meeting is; a letter goes to the referring
clinician and names the patient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from cases.pseudonym import pseudonym, scrub
from cases.summary import identified
from decisions.models import Decision, Judgement, LetterTemplate
from meetings.models import AgendaItem, Handout, HandoutKind, Meeting
from printing.pdf import Progress, Rendered, html_to_document, render_template, reporting_pages


@dataclass
class Entry:
    """One agenda item as the minutes print it."""

    item: AgendaItem
    patient_line: str
    decision: Decision | None  # the latest signed version, else the draft, else none
    text: Callable[[str], str] = field(repr=False)  # scrubs identifiers when pseudonymised

    @property
    def question(self) -> str:
        shown = self.decision.shown if self.decision else {}
        return self.text(shown.get("question", self.item.case.question))

    def concordance(self):
        return self.decision.concordance.all() if self.decision else []

    def followed(self):
        return [row for row in self.concordance() if row.judgement == Judgement.FOLLOWED]

    def not_followed(self):
        return [row for row in self.concordance() if row.judgement == Judgement.NOT_FOLLOWED]

    def plan(self) -> str:
        return self.text(self.decision.plan) if self.decision else ""

    def patient_preferences(self) -> str:
        return self.text(self.decision.patient_preferences) if self.decision else ""

    def dissent(self) -> str:
        return self.text(self.decision.dissent) if self.decision else ""

    def information_needed(self) -> str:
        return self.text(self.decision.information_needed) if self.decision else ""


def _records(meeting: Meeting, items=None) -> dict[int, Decision]:
    """Per agenda item, the version the documents print: the latest signed one (an
    amendment in progress does not replace it until it is signed), else the draft."""
    decisions = (
        Decision.objects.filter(agenda_item__meeting=meeting)
        .select_related("signed_by", "amends")
        .prefetch_related(
            "modalities",
            "concordance__reason",
            "actions",
            "confirmations__confirmed_by",
        )
        .order_by("agenda_item_id", "pk")
    )
    if items is not None:
        decisions = decisions.filter(agenda_item__in=items)
    chosen: dict[int, Decision] = {}
    for decision in decisions:
        current = chosen.get(decision.agenda_item_id)
        if current is None or decision.is_signed or not current.is_signed:
            chosen[decision.agenda_item_id] = decision
    return chosen


def _entry(item: AgendaItem, decision: Decision | None, pseudonymised: bool) -> Entry:
    case = item.case
    if pseudonymised:
        return Entry(item, pseudonym(case), decision, lambda text: scrub(text, case))
    return Entry(item, identified(case), decision, lambda text: text)


def minutes_context(meeting: Meeting, progress: Progress | None = None) -> dict:
    """What the minutes print: a fixed number of queries, whatever the agenda's length."""
    items = list(meeting.agenda_items.select_related("case__patient").order_by("position"))
    records = _records(meeting)
    entries = []
    for done, item in enumerate(items, start=1):
        entries.append(_entry(item, records.get(item.pk), meeting.pseudonymise))
        if progress:
            progress("preparing", done, len(items))
    attendees = list(meeting.attendees.all())
    return {
        "meeting": meeting,
        "entries": entries,
        "attendees": attendees,
        "quorum": meeting.quorum(attendees),
        "printed_at": timezone.localtime(),
    }


def render_minutes(meeting: Meeting, progress: Progress | None = None) -> Rendered:
    context = minutes_context(meeting, progress)
    printed = {str(e.item.pk): e.decision.pk for e in context["entries"] if e.decision}
    html = render_template("pdf/minutes.html", context)
    return _layout(html, progress, {"decisions": printed})


def letter_context(item: AgendaItem) -> dict:
    """What the letter prints: the latest signed version of the item's record."""
    record = _records(item.meeting, [item]).get(item.pk)
    if record is None or not record.is_signed:
        raise NotSigned(
            "The decision on this case is not signed yet: sign it, then make the letter."
        )
    meeting, case = item.meeting, item.case
    signer = record.signed_by.get_full_name() or record.signed_by.get_username()
    wording = LetterTemplate.current().filled(
        {
            "referring_clinician": case.referring_clinician,
            "patient": f"{case.patient.name} (MRN {case.patient.mrn})",
            "board": meeting.board.name,
            "meeting_date": f"{timezone.localtime(meeting.starts_at):%-d %B %Y}",
            "signed_by": signer,
        }
    )
    return {
        "meeting": meeting,
        "entry": _entry(item, record, pseudonymised=False),
        "decision": record,
        "wording": wording,
        "signer": signer,
        "printed_at": timezone.localtime(),
    }


class NotSigned(Exception):
    """A letter states a signed decision only."""


def render_letter(item: AgendaItem, progress: Progress | None = None) -> Rendered:
    context = letter_context(item)
    if progress:
        progress("preparing", 1, 1)
    html = render_template("pdf/letter.html", context)
    return _layout(html, progress, {"decisions": {str(item.pk): context["decision"].pk}})


def _layout(html: str, progress: Progress | None, versions: dict) -> Rendered:
    with reporting_pages(progress):
        document = html_to_document(html)
    if progress:
        progress("writing", len(document.pages), len(document.pages))
    return Rendered(document.write_pdf(), len(document.pages), versions)


def render_handout(handout: Handout, progress: Progress | None = None) -> Rendered:
    """The document a queued handout asks for (the task worker calls this)."""
    if handout.kind == HandoutKind.MINUTES:
        return render_minutes(handout.meeting, progress)
    if handout.kind == HandoutKind.LETTER:
        return render_letter(handout.agenda_item, progress)
    raise ValueError(f"decisions renders minutes and letters, not {handout.kind}")
