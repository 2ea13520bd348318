"""The meeting pack: a cover page with the agenda, then one section per case.

What a case section says is ``cases.summary.build_section`` (the same as the
one-case summary). The sections are laid out ahead and stored (``cases.sections``);
making the pack lays out the cover and the page headers and merges the sections
(``printing.merge``). Laying out and the fetcher's security are ``printing``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import dateformat, timezone

from cases import course
from cases import sections as printed
from cases.attachments import key_images_of
from cases.models import Case
from cases.summary import CaseSection, build_section, content_versions
from guidelines import snapshot
from printing.merge import stamped
from printing.pdf import Progress, Rendered, html_to_document, render_template, reporting_pages
from printing.stamp import BOLD, DARK, GREY, RED, REGULAR, Header, Text


def meeting_cases(meeting) -> list[tuple[int, Case]]:
    """The meeting's cases with their agenda numbers, in agenda order."""
    items = (
        meeting.agenda_items.select_related("case__patient")
        .prefetch_related(*course.relations("case__"), "case__attachments")
        .order_by("position")
    )
    return [(number, item.case) for number, item in enumerate(items, start=1)]


def meeting_sections(
    meeting, progress: Progress | None = None, *, only: list[int] | None = None
) -> list[CaseSection]:
    """Each case's section as the pack prints it now (or only those of these cases);
    reports each case prepared."""
    cases = [(n, case) for n, case in meeting_cases(meeting) if only is None or case.pk in only]
    content = snapshot.current()
    sections, trial_lists = [], {}  # each area's trial list read once for the meeting
    for done, (number, case) in enumerate(cases, start=1):
        images = key_images_of(case) if meeting.pack_key_images else ()
        sections.append(
            build_section(
                case,
                number,
                pseudonymise=meeting.pseudonymise,
                content=content,
                key_images=images,
                trial_lists=trial_lists,
            )  # fmt: skip
        )
        if progress:
            progress("preparing", done, len(cases))
    return sections


def _cover(meeting, sections: list[CaseSection], printed_at=None) -> dict:
    return {
        "meeting": meeting,
        "sections": sections,
        "attendees": list(meeting.attendees.all()),
        "printed_at": printed_at or timezone.localtime(),
    }


class Covers:
    """The meeting's cover laid out before (``printing.merge.CoverStore``): the latest one
    is kept, under the key of the HTML it was laid out from."""

    def __init__(self, meeting):
        self.meeting = meeting

    def get(self, key: str) -> tuple[bytes, int] | None:
        kept = self.meeting.covers.filter(key=key).values_list("pdf", "page_count").first()
        return None if kept is None else (bytes(kept[0]), kept[1])

    def put(self, key: str, pdf: bytes, pages: int) -> None:
        with transaction.atomic():
            self.meeting.covers.exclude(key=key).delete()
            self.meeting.covers.get_or_create(key=key, defaults={"pdf": pdf, "page_count": pages})


def render_meeting_handout(
    meeting,
    progress: Progress | None = None,
    *,
    share: Callable[[list[printed.Prepared]], None] | None = None,
) -> Rendered:
    """The pack from its case sections: those stored are used as they are, the others
    are laid out here (and offered to other workers through ``share``); then the cover
    and the page headers are laid out and the sections merged onto them, so that
    "page X of Y" counts the whole pack. ``progress`` hears each case prepared, each
    section ready, then the merge."""
    sections = meeting_sections(meeting, progress)
    parts = printed.obtain([printed.prepare(s) for s in sections], progress, share=share)
    if progress:
        progress("merging", len(sections), len(sections))
    now = timezone.localtime()
    pdf, pages = stamped(
        "pdf/meeting_pack.html",
        _cover(meeting, sections, now),
        parts,
        _header(meeting, now),
        Covers(meeting),
    )
    return Rendered(pdf, pages, content_versions(sections))


PRINTED = "j F Y, H:i"  # the time of printing in every page's footer (as meeting_pack.html)


def _header(meeting, printed_at) -> Header:
    """The pack's page header and footer as ``static/css/handout.css`` lays them out
    (``@page``), with the time of printing before the page number."""
    when = dateformat.format(timezone.localtime(meeting.starts_at), "l j F Y, H:i")
    printed = dateformat.format(printed_at, PRINTED)
    return Header(
        top_left=Text(" ".join(meeting.board.name.split()), BOLD, DARK),
        top_right=Text(when, REGULAR, GREY),
        bottom_left=Text("Confidential — contains patient data", BOLD, RED),
        page=Text(f"printed {printed} · page {{page}} of {{pages}}", REGULAR, GREY),
    )


def render_pack(handout, progress: Progress) -> Rendered:
    """The meeting pack of a queued document (``documents.kinds``: meeting_pack). Case
    sections not laid out yet are offered to the other workers as tasks of their own,
    while this one lays out its share too."""
    from meetings import prerender  # (which reads this module)

    return render_meeting_handout(handout.meeting, progress, share=prerender.offer)


def render_meeting_html(meeting, progress: Progress | None = None):
    """The whole pack's HTML in one document, and its case sections."""
    sections = meeting_sections(meeting, progress)
    return render_template("pdf/meeting_pack.html", _cover(meeting, sections)), sections


def render_in_one_pass(meeting, progress: Progress | None = None) -> Rendered:
    """The pack laid out in one WeasyPrint pass: what a merged pack must equal page by
    page (tests), and the time it saves (``bench/handout.py``)."""
    html, sections = render_meeting_html(meeting, progress)
    with reporting_pages(progress):
        document = html_to_document(html)
    if progress:
        progress("writing", len(document.pages), len(document.pages))
    return Rendered(document.write_pdf(), len(document.pages), content_versions(sections))
