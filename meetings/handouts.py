"""Printed handouts: the case summary and the meeting pack, as PDF.

This is the only module that imports WeasyPrint (STYLE.md 2.6), and only when
a PDF is rendered, so nothing else pays for loading it.

Security: handouts are rendered from our own templates, with every text typed
by users or editors autoescaped. The base URL is a fixed, unresolvable origin
(``https://handout.invalid/``), never the request's host, and the URL fetcher
serves the app's own static files under that origin and refuses everything
else -- other hosts, ``file:``, ``data:``, path traversal -- so a document can
never make the server read a local file or call the network.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mimetypes
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import PATIENT_FACTS, Case
from cases.pseudonym import pseudonym, scrub
from guidelines import matching, snapshot
from guidelines.derived import derive
from guidelines.facts import Catalogue
from guidelines.models import FactSection, RecommendationEvent

BASE_URL = "https://handout.invalid/"
STATIC_BASE = BASE_URL + settings.STATIC_URL.lstrip("/")
IMPORTANT_UNKNOWNS = 8


# --- Fetching: the app's static files, nothing else ---------------------------------


class FetchRefused(ValueError):
    """A URL the handout renderer will not fetch."""


def resolve_static(url: str) -> Path:
    """The local file behind a static URL under the handout origin, or FetchRefused."""
    if not url.startswith(STATIC_BASE):
        raise FetchRefused(f"only the app's static files can be used in a handout, not {url!r}")
    parts = urlsplit(url)
    name = unquote(parts.path[len(urlsplit(STATIC_BASE).path) :])
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or ".." in PurePosixPath(name).parts
    ):
        raise FetchRefused(f"not a static file name: {name!r}")
    found = finders.find(name)
    if not found and staticfiles_storage.exists(name):
        found = staticfiles_storage.path(name)  # hashed names after collectstatic
    if not found or not Path(found).is_file():
        raise FetchRefused(f"no static file {name!r}")
    return Path(found)


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """WeasyPrint's fetcher, reduced to reading our own static files (WeasyPrint 70 API)."""

        def __init__(self):
            super().__init__(allowed_protocols=("https",), allow_redirects=False, timeout=1)

        def fetch(self, url, headers=None):
            path = resolve_static(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher


def static_only_fetcher():
    """A new fetcher instance: refuses (raises) for anything but our static files."""
    return _fetcher_class()()


# --- What a case section shows -------------------------------------------------------


@dataclass
class CaseSection:
    number: int  # position on the agenda, or 1 for a single case
    case: Case
    pseudonymised: bool
    patient_line: str
    question: str
    summary: str
    known: list[tuple[str, list[tuple[str, str]]]]  # (section label, [(fact label, value)])
    important_unknowns: list[str]
    more_unknowns: int  # how many more would decide, beyond those listed
    applies: list[matching.ShownMatch]
    may_apply: list[matching.ShownMatch]
    may_apply_groups: list[matching.MissingGroup]
    uncovered_site: str


@dataclass
class Rendered:
    pdf: bytes
    page_count: int
    content_versions: dict = field(default_factory=dict)


def _identified(case: Case) -> str:
    patient = case.patient
    return (
        f"{patient.name} · MRN {patient.mrn} · born {patient.date_of_birth:%d %b %Y} · "
        f"{patient.get_sex_display()}"
    )


def build_section(
    case: Case,
    number: int,
    catalogue: Catalogue,
    rules: Iterable[matching.Rule],
    pseudonymise: bool,
) -> CaseSection:
    """Everything one case section prints. Pure apart from what ``case`` already holds."""
    values = case.fact_values(catalogue)
    if pseudonymise:
        values.pop("age_years", None)  # age and year of birth together narrow the date of birth
    shown = matching.panel(values, tuple(rules), catalogue)
    labels = dict(FactSection.choices)
    derived = derive(values, catalogue)
    known: dict[str, list[tuple[str, str]]] = {}
    # Pseudonymised: no sex or age, nor a value derived from them (a man's "pregnant").
    hidden = set(PATIENT_FACTS) if pseudonymise else set()
    hidden |= {name for name, d in derived.items() if hidden & set(d.inputs)}
    for spec in catalogue.values():
        if spec.name in values and spec.name not in hidden:
            text = spec.display_value(values[spec.name])
            if spec.name in derived:
                text += f" ({derived[spec.name].explain(values, catalogue)})"
            known.setdefault(labels.get(spec.section, spec.section), []).append((spec.label, text))
    unknowns = [label for label, _ in shown.deciding]
    text = (lambda t: scrub(t, case)) if pseudonymise else (lambda t: t)
    return CaseSection(
        number=number,
        case=case,
        pseudonymised=pseudonymise,
        patient_line=pseudonym(case) if pseudonymise else _identified(case),
        question=text(case.question),
        summary=text(case.clinical_summary),
        known=list(known.items()),
        important_unknowns=unknowns[:IMPORTANT_UNKNOWNS],
        more_unknowns=max(0, len(unknowns) - IMPORTANT_UNKNOWNS),
        applies=shown.applies,
        may_apply=shown.may_apply,
        may_apply_groups=shown.may_apply_groups,
        uncovered_site=shown.uncovered_site,
    )


def content_versions(sections: Iterable[CaseSection]) -> dict:
    """The recommendation versions (audit event ids) and case versions a handout shows."""
    slugs = {
        item.rule.id for section in sections for item in [*section.applies, *section.may_apply]
    }
    latest = (
        RecommendationEvent.objects.filter(slug__in=slugs)
        .order_by("pgh_obj_id", "-pgh_id")
        .distinct("pgh_obj_id")
        .values_list("slug", "pgh_id")
    )
    return {
        "recommendations": dict(sorted(latest)),
        "cases": {str(section.case.pk): section.case.version for section in sections},
    }


# --- Rendering ---------------------------------------------------------------------

# progress(stage, done, total): stage is "preparing" (cases), "laying_out" (pages
# so far; the total is unknown until the layout ends) or "writing".
Progress = Callable[[str, int, int], None]


class _PageProgress(logging.Handler):
    """Hears WeasyPrint's 'Step 5 - Creating layout - Page N' in this thread only."""

    def __init__(self, progress: Progress):
        super().__init__()
        self.progress = progress
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if threading.get_ident() != self.thread or not record.args:
            return
        if str(record.msg).startswith("Step 5 - Creating layout - Page"):
            self.progress("laying_out", int(record.args[0]), 0)


@contextlib.contextmanager
def _reporting_pages(progress: Progress | None):
    if progress is None:
        yield
        return
    logger = logging.getLogger("weasyprint.progress")
    handler = _PageProgress(progress)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def paper_size() -> str:
    return "A4" if settings.HANDOUT_PAPER_SIZE == "A4" else "letter"


def _stylesheets():
    from weasyprint import CSS

    return [CSS(string=f"@page {{ size: {paper_size()}; }}")]


def html_to_document(html: str):
    """Lay out one HTML string (WeasyPrint), with our fetcher and fixed base URL."""
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=static_only_fetcher()).render(
        stylesheets=_stylesheets()
    )


def _context(**extra) -> dict:
    return {"static_base": STATIC_BASE, "printed_at": timezone.localtime(), **extra}


def case_summary_fingerprint(case: Case) -> str:
    """What a case summary printed now would show: case, patient, content and paper."""
    parts = (case.pk, case.version, case.patient.version, snapshot.content_version(), paper_size())
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def render_case_summary(case: Case) -> Rendered:
    """The one-case summary PDF, printed at once from the case page."""
    content = snapshot.current()
    section = build_section(case, 1, content.catalogue, content.rules, pseudonymise=False)
    html = render_to_string("pdf/case_summary.html", _context(section=section))
    document = html_to_document(html)
    return Rendered(document.write_pdf(), len(document.pages), content_versions([section]))


def meeting_cases(meeting) -> list[tuple[int, Case]]:
    items = meeting.agenda_items.select_related("case__patient").order_by("position")
    return [(number, item.case) for number, item in enumerate(items, start=1)]


def render_meeting_html(meeting, progress: Progress | None = None):
    """The pack's HTML and its case sections; reports each case prepared."""
    cases = meeting_cases(meeting)
    content = snapshot.current()
    sections = []
    for done, (number, case) in enumerate(cases, start=1):
        sections.append(
            build_section(case, number, content.catalogue, content.rules, meeting.pseudonymise)
        )
        if progress:
            progress("preparing", done, len(cases))
    attendees = list(meeting.attendees.all())
    html = render_to_string(
        "pdf/meeting_pack.html",
        _context(meeting=meeting, sections=sections, attendees=attendees),
    )
    return html, sections


def render_meeting_handout(meeting, progress: Progress | None = None) -> Rendered:
    """The meeting pack: a cover page with the agenda, then one section per case.

    The whole pack is laid out in one WeasyPrint pass, so that "page X of Y" is
    exact; ``progress`` hears each case prepared, then each page laid out.
    """
    html, sections = render_meeting_html(meeting, progress)
    with _reporting_pages(progress):
        document = html_to_document(html)
    if progress:
        progress("writing", len(document.pages), len(document.pages))
    return Rendered(document.write_pdf(), len(document.pages), content_versions(sections))
