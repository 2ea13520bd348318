"""Putting a document together from parts laid out apart (``pikepdf``).

A meeting pack's case sections are laid out ahead, each as a PDF of its own without
page headers or numbers (``cases.sections``). At the end WeasyPrint lays out the cover
alone, without headers; the sections' pages are appended to it as they are, and the
header and "page X of Y" of the whole document are drawn onto every page
(``printing.stamp``). Where a header cannot be drawn so (a board name too long for its
line, a character the font lacks), WeasyPrint lays out the cover and as many blank
*stamp* pages as the sections have, each carrying the header, and each section page is
drawn onto its stamp page. Either way the result has the pages, text and page numbers
of a single pass.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from printing.pdf import html_to_document, render_template
from printing.stamp import Header

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass(frozen=True)
class Part:
    pdf: bytes
    pages: int
    bookmark: str  # the outline entry that opens the part's first page


# Pages laid out without their margin boxes (the page headers and numbers): the cover
# and the case sections, whose headers the whole document prints. A user style sheet,
# so !important to win; not a named page, which would lay out differently from the same
# section within a whole pack.
MARGIN_BOXES = ("top-left", "top-right", "bottom-left", "bottom-right")
BARE_PAGES = (
    "@page { " + " ".join(f"@{box} {{ content: none !important; }}" for box in MARGIN_BOXES) + " }"
)


def stamped(
    template: str, context: dict, parts: Sequence[Part], header: Header | None = None
) -> tuple[bytes, int]:
    """A document whose template lays out what comes first (a cover, or nothing), then
    the parts, with the page headers and numbers of the whole. With a ``header`` that
    can be drawn, the cover is laid out bare and the header drawn on every page;
    otherwise the template lays out one blank page per page of the parts (``stamps``)
    with the headers, and the parts are drawn onto those pages. Returns the PDF and
    its pages."""
    pages = sum(part.pages for part in parts)
    if header is not None:
        cover = html_to_document(
            render_template(template, {**context, "cover_only": True}), BARE_PAGES
        )
        width = float(cover.pages[0].width) * 0.75 if cover.pages else 0.0
        if cover.pages and header.drawable(width, len(cover.pages) + pages):
            return appended(cover.write_pdf(), parts, header)
    document = html_to_document(render_template(template, {**context, "stamps": range(pages)}))
    return merge(document.write_pdf(), parts)


def merge(stamps: bytes, parts: Sequence[Part]) -> tuple[bytes, int]:
    """Draw each part's pages onto the last pages of ``stamps`` (which has exactly as
    many pages after its own as the parts have together), add a bookmark per part, and
    return the PDF and its page count. Font programs the parts embed alike are kept once.
    """
    import pikepdf

    document = pikepdf.open(io.BytesIO(stamps))
    opened = [pikepdf.open(io.BytesIO(part.pdf)) for part in parts]
    pages = sum(len(pdf.pages) for pdf in opened)
    first = len(document.pages) - pages
    if first < 0:
        raise ValueError(f"{len(document.pages)} stamp pages for {pages} pages of parts")
    at = first
    with document.open_outline() as outline:
        for part, pdf in zip(parts, opened, strict=True):
            outline.root.append(pikepdf.OutlineItem(part.bookmark, at))
            for page in pdf.pages:
                document.pages[at].add_overlay(page)
                at += 1
    return _written(document, opened)


def appended(cover: bytes, parts: Sequence[Part], header: Header) -> tuple[bytes, int]:
    """The parts' pages after the cover's, a bookmark per part, and ``header`` drawn on
    every page; the PDF and its page count."""
    import pikepdf

    from printing.stamp import stamp

    document = pikepdf.open(io.BytesIO(cover))
    opened = [pikepdf.open(io.BytesIO(part.pdf)) for part in parts]
    with document.open_outline() as outline:
        for part, pdf in zip(parts, opened, strict=True):
            outline.root.append(pikepdf.OutlineItem(part.bookmark, len(document.pages)))
            document.pages.extend(pdf.pages)
    stamp(document, header)
    return _written(document, opened)


def _written(document, opened) -> tuple[bytes, int]:
    """The document written (font programs kept once), and its page count; the parts'
    files closed."""
    import pikepdf

    _share_font_programs(document)
    out = io.BytesIO()
    document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for pdf in opened:
        pdf.close()
    return out.getvalue(), len(document.pages)


def _share_font_programs(document) -> None:
    """Point every font that embeds the same font program (the same glyph subset) at
    one copy of it; the copies nothing points to are then not written."""
    import pikepdf

    seen: dict[str, pikepdf.Object] = {}
    for obj in document.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/FontDescriptor":
            continue
        for key in FONT_FILES:
            if key in obj:
                digest = hashlib.sha256(obj[key].read_raw_bytes()).hexdigest()
                obj[key] = seen.setdefault(digest, obj[key])
