"""A case as it is printed: the case section (shared by the one-case summary and the
meeting pack) and the summary PDF printed from the case page."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from cases.models import Case, CaseSummary
from cases.overview import CaseOverview, KnownFact, overview
from cases.pseudonym import pseudonym, scrub
from guidelines import snapshot
from printing.pdf import Rendered, accessible_pdf, html_to_document, paper_size, render_template
from trials import screening

IMPORTANT_UNKNOWNS = 8


@dataclass(frozen=True)
class CaseSection:
    """Everything one case section prints."""

    number: int  # position on the agenda, or 1 for a single case
    seen: CaseOverview
    patient_line: str
    question: str
    summary: str
    important_unknowns: list[str]
    more_unknowns: int  # how many more would decide, beyond those listed
    alone: bool = False  # a case summary, not an item of a meeting's agenda
    key_images: tuple = ()  # the case's key images to print (the meeting's choice)
    trials: object = None  # the area's trials screened (``trials.screening.Screening``)

    @property
    def case(self) -> Case:
        return self.seen.case

    @property
    def known_in_pairs(self) -> list[tuple[str, list[tuple[KnownFact, KnownFact | None]]]]:
        """The known facts of each group two to a printed row, in form order."""
        return [
            (group, [(rows[i], rows[i + 1] if i + 1 < len(rows) else None)
                     for i in range(0, len(rows), 2)])
            for group, rows in self.seen.known
        ]  # fmt: skip

    @property
    def heading(self) -> str:
        """The case as paper names it: always by its case number, as the app does; on an
        agenda also by its position there ("Item 1 · Case 8")."""
        case = f"Case {self.case.pk}"
        return case if self.alone else f"Item {self.number} · {case}"

    @property
    def bookmark(self) -> str:
        """The section's entry in the document's outline."""
        return f"{self.heading}: {self.patient_line}"


def identified(case: Case) -> str:
    patient = case.patient
    return (
        f"{patient.name} · MRN {patient.mrn} · born {patient.date_of_birth:%d %b %Y} · "
        f"{patient.get_sex_display()}"
    )


def build_section(
    case: Case,
    number: int,
    *,
    pseudonymise: bool,
    content: snapshot.Snapshot | None = None,
    alone: bool = False,
    key_images: Sequence = (),
    trial_lists: dict | None = None,
) -> CaseSection:
    """One case's section; pseudonymised, it names the patient by a pseudonym and its
    text has the patient's identifiers removed (``cases.pseudonym``). ``trial_lists``:
    the trial lists read so far (``trials.screening.for_case``), for a meeting's sections."""
    seen = overview(case, pseudonymised=pseudonymise, content=content)
    unknowns = [label for label, _ in seen.matches.deciding]
    text = (lambda t: scrub(t, case)) if pseudonymise else (lambda t: t)
    return CaseSection(
        number=number,
        seen=seen,
        patient_line=pseudonym(case) if pseudonymise else identified(case),
        question=text(case.question),
        summary=text(case.clinical_summary),
        important_unknowns=unknowns[:IMPORTANT_UNKNOWNS],
        more_unknowns=max(0, len(unknowns) - IMPORTANT_UNKNOWNS),
        alone=alone,
        key_images=tuple(key_images),
        trials=screening.for_case(seen, trial_lists),
    )


def content_versions(sections: Iterable[CaseSection]) -> dict:
    """What a document shows, by version: the recommendations (audit event ids), each
    case and its patient, the cases in order, and the guideline content as a whole, so
    that a page can say later what changed since it was printed."""
    sections = list(sections)
    matches = [section.seen.matches for section in sections]
    slugs = {item.rule.id for panel in matches for item in [*panel.applies, *panel.may_apply]}
    return {
        "recommendations": snapshot.recommendation_versions(slugs),
        "cases": {str(section.case.pk): section.case.version for section in sections},
        "patients": {str(section.case.pk): section.case.patient.version for section in sections},
        "agenda": [section.case.pk for section in sections],
        "content": list(
            sections[0].seen.content_version if sections else snapshot.content_version()
        ),
    }


def fingerprint(case: Case) -> str:
    """What a case summary printed now would show: case, patient, content and paper."""
    parts = (case.pk, case.version, case.patient.version, snapshot.content_version(), paper_size())
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def render_case_summary(case: Case) -> Rendered:
    """The one-case summary PDF: the case's section with the summary's page headers and
    numbers, laid out whole so that it is a tagged PDF/UA-1 document (a section drawn onto
    stamp pages, as in a pack, would lose its tags: ``printing.pdf.ACCESSIBLE``)."""
    section = build_section(case, 1, pseudonymise=False, alone=True)
    document = html_to_document(render_template("pdf/case_summary.html", {"section": section}))
    return Rendered(accessible_pdf(document), len(document.pages), content_versions([section]))


class TooManyPrints(Exception):
    """The user printed CASE_SUMMARY_RENDERS_PER_MINUTE new summaries in the last minute."""


def summary_for(case: Case, user) -> CaseSummary:
    """The case's summary as of now: the stored one while nothing it shows has changed,
    else a new one, rendered here (a few hundred milliseconds) and stored.

    At most CASE_SUMMARY_RENDERS_PER_MINUTE new ones a minute per user (else
    TooManyPrints), so that reloading cannot keep the web workers busy.
    """
    printed = fingerprint(case)
    stored = CaseSummary.objects.printed_as(case, printed)
    if stored is not None:
        return stored
    minute_ago = timezone.now() - datetime.timedelta(minutes=1)
    if (
        CaseSummary.objects.printed_since(user, minute_ago)
        >= settings.CASE_SUMMARY_RENDERS_PER_MINUTE
    ):
        raise TooManyPrints
    return record(case, render_case_summary(case), user, printed)


def record(case: Case, rendered: Rendered, user, printed: str | None = None) -> CaseSummary:
    """Store a rendered summary with what it showed."""
    return CaseSummary.objects.create(
        case=case,
        pdf=rendered.pdf,
        page_count=rendered.page_count,
        paper_size=paper_size(),
        content_versions=rendered.content_versions,
        fingerprint=printed or fingerprint(case),
        requested_by=user,
    )
