"""The board's documents: the minutes of a meeting and the outcome letter of a case.

Both print what the records say, never the case or the guidelines as they are now:
the question, facts and recommendations are those frozen into each record. Minutes are
pseudonymised like the pack when the meeting is; a letter goes to the referring
clinician and names the patient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from cases.pseudonym import pseudonym, scrub
from cases.summary import identified
from decisions import concordance
from decisions.models import (
    Decision,
    DecisionStatus,
    FrozenAs,
    Judgement,
    LetterTemplate,
    Outcome,
    Pathway,
)
from documents import kinds
from meetings.models import AgendaItem, Handout, HandoutKind, Meeting
from printing.pdf import (
    Progress,
    Rendered,
    accessible_pdf,
    html_to_document,
    render_template,
    reporting_pages,
)


@dataclass
class Entry:
    """One agenda item as the minutes print it."""

    item: AgendaItem
    patient_line: str
    decision: Decision | None  # the record in force (the latest signed version), or none
    text: Callable[[str], str] = field(repr=False)  # scrubs identifiers when pseudonymised
    drafted: bool = False  # a version not signed yet exists (a first draft, an amendment)

    @property
    def state(self) -> str:
        """The record's state in words, as the minutes print it."""
        if self.decision is None:
            if self.drafted:
                return (
                    "No signed decision: a draft record exists, which is not the board's decision"
                )
            return "No decision recorded"
        words = "Signed" if self.decision.amends_id is None else "Amended and signed"
        if self.drafted:
            words += "; an amendment is in progress (not signed, not printed here)"
        return words

    @property
    def question(self) -> str:
        shown = self.decision.shown if self.decision else {}
        return self.text(shown.get("question", self.item.case.question))

    def concordance(self):
        return self.decision.concordance.all() if self.decision else []

    def judged(self):
        """The board items the record judges (they applied when it was made)."""
        return [row for row in self.concordance() if row.frozen_as == FrozenAs.APPLIES]

    def pending(self):
        """The board items that may have applied, with the facts that would decide them."""
        return [row for row in self.concordance() if row.frozen_as == FrozenAs.PENDING]

    def plan(self) -> str:
        return self.text(self.decision.plan) if self.decision else ""

    def patient_preferences(self) -> str:
        return self.text(self.decision.patient_preferences) if self.decision else ""

    def dissent(self) -> str:
        return self.text(self.decision.dissent) if self.decision else ""

    def pathway_line(self) -> str:
        """The care-pathway line in words ("" when the record holds none)."""
        if not self.decision or not self.decision.pathway:
            return ""
        words = {
            Pathway.YES: "yes",
            Pathway.NO: "no",
            Pathway.NOT_APPLICABLE: "not applicable to this decision",
        }[self.decision.pathway]
        reason = self.text(self.decision.pathway_reason)
        return f"{words}: {reason}" if reason else words

    def information_needed(self) -> str:
        return self.text(self.decision.information_needed) if self.decision else ""


def _records(meeting: Meeting, items=None, *, to_print: bool = True) -> dict[int, Decision]:
    """Per agenda item, the record in force (``Decision.objects.in_force``): the documents
    never print a draft as the board's decision. ``to_print``: with what they print."""
    decisions = Decision.objects.filter(agenda_item__meeting=meeting).in_force()
    if to_print:
        decisions = decisions.select_related(
            "signed_by", "amends", "classification"
        ).prefetch_related(
            "modalities", "concordance__reason", "actions", "confirmations__confirmed_by"
        )
    if items is not None:
        decisions = decisions.filter(agenda_item__in=items)
    return {decision.agenda_item_id: decision for decision in decisions}


def _drafted(meeting: Meeting) -> set[int]:
    """The agenda items with a version not signed yet."""
    return set(
        Decision.objects.filter(
            agenda_item__meeting=meeting, status=DecisionStatus.DRAFT
        ).values_list("agenda_item_id", flat=True)
    )


def changed_since(handout: Handout) -> list[str]:
    """What happened to the records a finished document printed, in words (nothing while
    it is current): decisions signed or amended after it was made, cases added to or taken
    off the agenda (minutes)."""
    printed = (handout.content_versions or {}).get("decisions")
    if printed is None or handout.status != "done" or handout.finished_at is None:
        return []
    meeting = handout.meeting
    if handout.kind == HandoutKind.LETTER:
        items = [handout.agenda_item] if handout.agenda_item_id else []
    else:
        items = list(meeting.agenda_items.all())
    records = _records(meeting, items, to_print=False)
    signed = amended = unsigned = 0
    for item in items:
        record, before = records.get(item.pk), printed.get(str(item.pk))
        if record is None:
            unsigned += before is not None  # (documents made before drafts were left out)
        elif before != record.pk or record.signed_at > handout.finished_at:
            if record.amends_id is None:
                signed += 1
            else:
                amended += 1
    changes = [
        f"{count} decision{'s' if count > 1 else ''} {words}"
        for count, words in (
            (signed, "signed since"),
            (amended, "amended since"),
            (unsigned, "printed from a draft"),
        )
        if count
    ]
    if handout.kind == HandoutKind.MINUTES:
        now = {str(item.pk) for item in items}
        for count, words in (
            (len(now - set(printed)), "added to the agenda"),
            (len(set(printed) - now), "taken off the agenda"),
        ):
            if count:
                changes.append(f"{count} case{'s' if count > 1 else ''} {words}")
    return changes


def record_entry(item: AgendaItem, decision: Decision) -> Entry:
    """One version of an item's record as the documents print it, for the record's own page
    (which names the patient, as the decision form does)."""
    return _entry(item, decision, pseudonymised=False)


def _entry(
    item: AgendaItem, decision: Decision | None, pseudonymised: bool, drafted: bool = False
) -> Entry:
    case = item.case
    if pseudonymised:
        return Entry(item, pseudonym(case), decision, lambda text: scrub(text, case), drafted)
    return Entry(item, identified(case), decision, lambda text: text, drafted)


def minutes_context(meeting: Meeting, progress: Progress | None = None) -> dict:
    """What the minutes print: a fixed number of queries, whatever the agenda's length."""
    items = list(meeting.agenda_items.select_related("case__patient").order_by("position"))
    records, drafted = _records(meeting), _drafted(meeting)
    entries = []
    for done, item in enumerate(items, start=1):
        entries.append(_entry(item, records.get(item.pk), meeting.pseudonymise, item.pk in drafted))
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
    printed = {str(e.item.pk): e.decision.pk if e.decision else None for e in context["entries"]}
    html = render_template("pdf/minutes.html", context)
    return _layout(html, progress, {"decisions": printed})


def why_no_letter(item: AgendaItem, record: Decision | None) -> str | None:
    """Why the item's letter cannot be made (yet), or None: a letter states what the board
    decided, so its meeting has started and its record in force is signed."""
    meeting = item.meeting
    if not meeting.has_started():
        return (
            f"The meeting starts on {timezone.localtime(meeting.starts_at):%-d %B %Y at %H:%M}: "
            "a letter states what the board decided, so it is made after the meeting."
        )
    if record is None:
        return "The decision on this case is not signed yet: sign it, then make the letter."
    return None


def referring_name(referring_clinician: str) -> str:
    """The referring clinician's name for a greeting: what the case gives before the first
    comma ("Dr P. Laine" of "Dr P. Laine, GP, Kallio Health Centre")."""
    return referring_clinician.split(",", 1)[0].strip() or referring_clinician.strip()


def concordance_for_the_reader(entry: Entry) -> tuple[str, list[str]]:
    """The letter's short line on guideline concordance, in plain words, and each deviation
    with its reason in words (no identifiers): what a GP needs, not the row-by-row record."""
    decision = entry.decision
    if decision.outcome == Outcome.DEFERRED:
        return "Not measured against the guidelines: the board has not decided yet.", []
    if decision.outcome == Outcome.NOTED:
        return "Not measured against the guidelines: the case was noted without discussion.", []
    verdict = decision.verdict()
    judged = entry.judged()
    deviations = [
        f"{row.statement} Reason: {row.reason.name if row.reason else 'not given'}"
        + (f" ({entry.text(row.reason_text)})" if row.reason_text else "")
        + "."
        for row in judged
        if row.judgement == Judgement.NOT_FOLLOWED
    ]
    pending = len(entry.pending())
    line = {
        concordance.CONCORDANT: "The recommendation follows the guideline recommendations "
        "that applied to your patient.",
        concordance.CONDITIONAL: "The recommendation follows the guideline recommendations "
        f"that applied, depending on the investigations it asks for: {pending} further "
        f"recommendation{'s' if pending != 1 else ''} may apply once their results are known.",
        concordance.DISCORDANT: f"The board departed from {len(deviations)} guideline "
        f"recommendation{'s' if len(deviations) != 1 else ''} that applied, for the reason "
        "given:",
        concordance.NOT_ASSESSED: "Not measured against the guidelines: no guideline "
        "recommendation for the board's decision applied when it decided.",
    }[verdict.klass]
    return line, deviations


def letter_context(item: AgendaItem) -> dict:
    """What the letter prints: the item's record in force (its latest signed version)."""
    meeting, case = item.meeting, item.case
    record = _records(meeting, [item]).get(item.pk)
    refusal = why_no_letter(item, record)
    if refusal:
        raise NotSigned(refusal)
    signer = record.signed_by.get_full_name() or record.signed_by.get_username()
    wording = LetterTemplate.current().filled(
        {
            "referring_clinician": case.referring_clinician,
            "referring_clinician_name": referring_name(case.referring_clinician),
            "patient": f"{case.patient.name} (MRN {case.patient.mrn})",
            "board": meeting.board.name,
            "meeting_date": f"{timezone.localtime(meeting.starts_at):%-d %B %Y}",
            "signed_by": signer,
        }
    )
    entry = _entry(item, record, pseudonymised=False)
    concordance_line, deviations = concordance_for_the_reader(entry)
    return {
        "meeting": meeting,
        "entry": entry,
        "decision": record,
        "concordance_line": concordance_line,
        "deviations": deviations,
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
    return Rendered(accessible_pdf(document), len(document.pages), versions)


def render_handout(handout: Handout, progress: Progress | None = None) -> Rendered:
    """The document a queued handout asks for (the task worker calls this)."""
    if handout.kind == HandoutKind.MINUTES:
        return render_minutes(handout.meeting, progress)
    if handout.kind == HandoutKind.LETTER:
        return render_letter(handout.agenda_item, progress)
    raise ValueError(f"decisions renders minutes and letters, not {handout.kind}")


# --- The boxes of the pages that make them --------------------------------------------

DOCUMENT_LABELS = {HandoutKind.MINUTES: "the minutes", HandoutKind.LETTER: "the outcome letter"}


def latest_document(meeting: Meeting, kind: str, item: AgendaItem | None = None):
    """The newest minutes (or letter of ``item``) of the meeting, without the PDF."""
    meeting.handouts.expire_stale()
    return meeting.handouts.filter(kind=kind, agenda_item=item).defer("content").first()


def document_box(request, meeting: Meeting, kind: str, item=None, handout=None):
    """The context of a document's box: its latest render, progress, and the button."""
    handout = handout or latest_document(meeting, kind, item)
    return {
        "meeting": meeting,
        "item": item,
        "kind": kind,
        "label": DOCUMENT_LABELS[kind],
        "handout": handout,
        "changes": changed_since(handout) if handout else [],
        "can_make": request.user.has_perm(kinds.get(kind).make_permission),
        "generate_url": reverse("decisions:letter_generate", args=[meeting.pk, item.pk])
        if item is not None
        else reverse("decisions:minutes_generate", args=[meeting.pk]),
    }
