"""Laying out HTML as PDF (WeasyPrint, imported only when a PDF is rendered, so that
nothing else pays for loading it), and answering a request with a PDF."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from printing.fetcher import BASE_URL, STATIC_BASE, static_only_fetcher

# progress(stage, done, total[, detail]): stage is "preparing" (cases), "sections"
# (case sections ready; the detail names the one being laid out), "merging",
# "laying_out" (pages so far; the total is unknown until the layout ends) or "writing".
Progress = Callable[..., None]


@dataclass
class Rendered:
    pdf: bytes
    page_count: int
    content_versions: dict = field(default_factory=dict)


def paper_size() -> str:
    return "A4" if settings.HANDOUT_PAPER_SIZE == "A4" else "letter"


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
def reporting_pages(progress: Progress | None):
    """While the body lays out a document, tell ``progress`` each page done."""
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


# What decides how a document's HTML is laid out besides the HTML itself.
LAYOUT_FILES = (
    "css/handout.css",
    "fonts/Inter-Regular.otf",
    "fonts/Inter-Bold.otf",
    "fonts/Inter-Italic.otf",
)


@cache
def layout_version() -> str:
    """A digest of WeasyPrint's version, the style sheet and the fonts: a PDF stored
    under it is laid out as it would be now (``cases.sections``)."""
    import weasyprint

    digest = hashlib.sha256(weasyprint.__version__.encode())
    digest.update(b"the style sheet given parsed, as a user style sheet")  # since issue 28
    for name in LAYOUT_FILES:
        digest.update(hashlib.sha256(Path(finders.find(name)).read_bytes()).digest())
    return digest.hexdigest()


STYLESHEET = "css/handout.css"
_parsed = threading.local()
# Let go of the parsed sheet before the interpreter tears WeasyPrint's modules down.
atexit.register(_parsed.__dict__.clear)


def _stylesheet():
    """The documents' style sheet, parsed once per thread (WeasyPrint's objects are not
    shared between threads), with the font configuration its fonts are loaded into."""
    if getattr(_parsed, "version", None) != layout_version():
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        _parsed.sheet = CSS(
            url=STATIC_BASE + STYLESHEET, url_fetcher=static_only_fetcher(), font_config=fonts
        )
        _parsed.fonts = fonts
        _parsed.version = layout_version()
    return _parsed.sheet, _parsed.fonts


def html_to_document(html: str, css: str = ""):
    """Lay out one HTML string (WeasyPrint), with our fetcher and fixed base URL; ``css``
    is a user style sheet (its ``!important`` rules win over the document's).

    The style sheet the document templates link (``pdf/base.html``) is not fetched and
    parsed again for every document: the link is taken out and the sheet parsed once
    is given instead (as a user style sheet; the templates have no other author style,
    so the cascade is the same), which saves a sixth of a small document's time."""
    from weasyprint import CSS, HTML

    link = f'<link rel="stylesheet" href="{STATIC_BASE}{STYLESHEET}">'
    sheets = [CSS(string=f"@page {{ size: {paper_size()}; }}")]
    fonts = None
    if link in html:
        sheet, fonts = _stylesheet()
        html = html.replace(link, "", 1)
        sheets.append(sheet)
    if css:
        sheets.append(CSS(string=css, font_config=fonts))
    return HTML(string=html, base_url=BASE_URL, url_fetcher=static_only_fetcher()).render(
        stylesheets=sheets, font_config=fonts
    )


# Documents laid out whole (case summaries, minutes, letters, the annual report) are
# tagged PDF/UA-1: a structure tree, marked content, the language and the title, so that
# a screen reader follows them and an archive keeps their meaning. The meeting pack, put
# together from case sections laid out ahead, is not: drawing pages onto other pages
# (printing.merge) keeps their look but not their tags (docs/running.md, Documents).
ACCESSIBLE = "pdf/ua-1"


def accessible_pdf(document) -> bytes:
    """A laid-out document written as tagged PDF/UA-1 (WeasyPrint's ``pdf_variant``)."""
    return document.write_pdf(pdf_variant=ACCESSIBLE)


def render_template(template: str, context: dict) -> str:
    """A document template's HTML, with what every document template reads."""
    return render_to_string(
        template, {"static_base": STATIC_BASE, "printed_at": timezone.localtime(), **context}
    )


def release_memory() -> None:
    """Give the memory of a finished render back to the system: a worker that laid out
    a large pack otherwise keeps its peak size while idle (glibc keeps freed memory)."""
    import contextlib
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    if name:
        with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
            ctypes.CDLL(name).malloc_trim(0)
