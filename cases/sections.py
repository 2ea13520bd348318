"""Case sections laid out ahead of need, so that a meeting pack only has to merge them
(``printing.merge``). (A case summary is laid out whole, as a tagged PDF.)

A section is stored under a key that digests everything it shows -- its HTML, so the
case and patient as they are, the matches against the content as it is, the agenda
number and pseudonymisation -- and how it is laid out (paper size, style sheet, fonts,
WeasyPrint's version). It is served only for that key: a section can never show
another version of the case, of the content or of the patient's identity.

Each section has its own lease (``printing.lease``): whoever lays it out first holds
it; a worker that dies leaves a row without a PDF, which is never served and is taken
over once the lease has run out.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import PrintedSection
from printing import lease
from printing.merge import BARE_PAGES, Part, bare_key, kept
from printing.pdf import Progress, html_to_document, paper_size, render_template

if TYPE_CHECKING:
    from cases.summary import CaseSection

TEMPLATE = "pdf/case_section.html"
# A section's pages are laid out without the page headers and numbers (``BARE_PAGES``):
# the document it is merged into prints them (``printing.merge.stamped``).
WAIT_SECONDS = 0.2  # between looks at sections another worker is laying out


@dataclass(frozen=True)
class Prepared:
    """A case section with its HTML and key: what is needed to find or lay it out."""

    section: CaseSection
    html: str
    key: str

    @property
    def case_id(self) -> int:
        return self.section.case.pk

    @property
    def pseudonymised(self) -> bool:
        return self.section.seen.pseudonymised

    def lookup(self):
        return PrintedSection.objects.showing(
            self.case_id, self.key, pseudonymised=self.pseudonymised
        )


def prepare(section: CaseSection) -> Prepared:
    """The section's HTML and the key it is stored under."""
    html = render_template(TEMPLATE, {"section": section})
    return Prepared(section, html, bare_key(html, section.seen.pseudonymised))


def lay_out(prepared: Prepared) -> tuple[bytes, int]:
    """The section's PDF (no page headers or numbers), as it is kept (without the style
    sheet's typefaces, which the merge puts in: ``printing.merge.kept``), and its page
    count."""
    document = html_to_document(prepared.html, BARE_PAGES)
    return kept(document.write_pdf()), len(document.pages)


def _lease_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.HANDOUT_LEASE_SECONDS)


def claim(prepared: Prepared) -> PrintedSection | None:
    """The section's row, now held by us to lay it out; None when it is done already or
    another worker holds it (and its lease has not run out)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            return PrintedSection.objects.create(
                case_id=prepared.case_id,
                key=prepared.key,
                number=prepared.section.number,
                pseudonymised=prepared.pseudonymised,
                paper_size=paper_size(),
                heartbeat_at=now,
            )
    except IntegrityError:  # the row is there: done, or being laid out
        pass
    taken = prepared.lookup().filter(pdf__isnull=True, heartbeat_at__lt=_lease_cutoff())
    if taken.update(heartbeat_at=now):  # its worker stopped: ours now
        return prepared.lookup().defer("pdf").first()
    return None


def lay_out_held(prepared: Prepared, row: PrintedSection) -> None:
    """Lay out a section we hold, renewing its lease, and store it; then drop the
    superseded sections of the same case, number and pseudonymisation."""
    held = PrintedSection.objects.filter(pk=row.pk, pdf__isnull=True)
    try:
        with lease.holding_lease(held, f"section {row.pk}"):
            pdf, pages = lay_out(prepared)
    except BaseException:
        held.delete()  # let the next one try at once rather than after the lease
        raise
    held.update(pdf=pdf, page_count=pages, finished_at=timezone.now())
    PrintedSection.objects.filter(
        case_id=row.case_id,
        number=row.number,
        pseudonymised=row.pseudonymised,
        paper_size=row.paper_size,
        pdf__isnull=False,
    ).exclude(pk=row.pk).delete()


def lay_out_if_needed(prepared: Prepared) -> bool:
    """Lay out the section unless it is stored or another worker is on it; whether we
    laid it out (a background task's whole job)."""
    if prepared.lookup().filter(pdf__isnull=False).exists():
        return False
    row = claim(prepared)
    if row is None:
        return False
    lay_out_held(prepared, row)
    return True


def obtain(
    wanted: Sequence[Prepared],
    progress: Progress | None = None,
    *,
    share: Callable[[list[Prepared]], None] | None = None,
) -> list[Part]:
    """The stored PDF of every wanted section, in order, as parts to merge.

    Sections not stored yet are offered to other workers (``share``) and laid out here
    one at a time, each under its lease, while others lay out theirs; a section another
    worker holds is waited for, and taken over if its lease runs out. ``progress``
    hears ("sections", ready, total) with the case being laid out here, if any.
    """
    total = len(wanted)
    shared = False
    while True:
        missing = absent(wanted, pdf__isnull=False)
        if not missing:
            parts = _parts(wanted)
            if parts is not None:
                return parts
            continue  # a section was superseded meanwhile: lay it out again
        if share and not shared and len(missing) > 1:
            share(missing[1:])  # the first is ours: others start on the rest
            shared = True
        for prepared in missing:
            row = claim(prepared)
            if row is None:
                continue
            if progress:
                progress("sections", total - len(missing), total, f"case {prepared.section.number}")
            lay_out_held(prepared, row)
            break
        else:  # every missing one is held by another worker: wait for them
            if progress:
                progress("sections", total - len(missing), total, "")
            time.sleep(WAIT_SECONDS)


def absent(wanted: Sequence[Prepared], **stored) -> list[Prepared]:
    """The wanted sections without a row, in one query: neither laid out nor being laid
    out; with ``pdf__isnull=False``, not laid out yet."""
    found = set(
        PrintedSection.objects.filter(_any_of(wanted), **stored).values_list(
            "case_id", "key", "pseudonymised"
        )
    )
    return [p for p in wanted if (p.case_id, p.key, p.pseudonymised) not in found]


def _any_of(wanted: Sequence[Prepared]) -> Q:
    condition = Q(pk__in=[])
    for p in wanted:
        condition |= Q(case_id=p.case_id, key=p.key, pseudonymised=p.pseudonymised)
    return condition


def _parts(wanted: Sequence[Prepared]) -> list[Part] | None:
    """The stored PDFs in order (one query), or None if one is no longer stored."""
    rows = PrintedSection.objects.filter(_any_of(wanted), pdf__isnull=False).values_list(
        "case_id", "key", "pseudonymised", "pdf", "page_count"
    )
    stored = {(case_id, key, pseudo): (pdf, pages) for case_id, key, pseudo, pdf, pages in rows}
    parts = []
    for p in wanted:
        found = stored.get((p.case_id, p.key, p.pseudonymised))
        if found is None:
            return None
        parts.append(Part(bytes(found[0]), found[1], p.section.bookmark))
    return parts
