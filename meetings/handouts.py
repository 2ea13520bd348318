"""The meeting pack: a cover page with the agenda, then one section per case.

What a case section says is ``cases.summary.build_section`` (the same as the
one-case summary); laying out and the fetcher's security are ``printing``.
"""

from __future__ import annotations

from cases.models import Case
from cases.summary import build_section, content_versions
from guidelines import snapshot
from printing.pdf import Progress, Rendered, html_to_document, render_template, reporting_pages


def meeting_cases(meeting) -> list[tuple[int, Case]]:
    """The meeting's cases with their agenda numbers, in agenda order."""
    items = (
        meeting.agenda_items.select_related("case__patient")
        .prefetch_related("case__lesions")
        .order_by("position")
    )
    return [(number, item.case) for number, item in enumerate(items, start=1)]


def render_meeting_html(meeting, progress: Progress | None = None):
    """The pack's HTML and its case sections; reports each case prepared."""
    cases = meeting_cases(meeting)
    content = snapshot.current()
    sections = []
    for done, (number, case) in enumerate(cases, start=1):
        sections.append(
            build_section(case, number, pseudonymise=meeting.pseudonymise, content=content)
        )
        if progress:
            progress("preparing", done, len(cases))
    html = render_template(
        "pdf/meeting_pack.html",
        {"meeting": meeting, "sections": sections, "attendees": list(meeting.attendees.all())},
    )
    return html, sections


def render_meeting_handout(meeting, progress: Progress | None = None) -> Rendered:
    """The whole pack, laid out in one WeasyPrint pass so that "page X of Y" is exact;
    ``progress`` hears each case prepared, then each page laid out."""
    html, sections = render_meeting_html(meeting, progress)
    with reporting_pages(progress):
        document = html_to_document(html)
    if progress:
        progress("writing", len(document.pages), len(document.pages))
    return Rendered(document.write_pdf(), len(document.pages), content_versions(sections))
