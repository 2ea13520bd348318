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

A cover laid out bare is kept under the key of its HTML (``CoverStore``): it holds no
time of printing (the footer of every page does, drawn), so a pack made again lays out
only what changed. Parts are kept without the programs of the style sheet's typefaces
(``kept``); the document embeds each face once, cut to the glyphs all its pages use.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from printing.pdf import html_to_document, layout_version, paper_size, render_template
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


def bare_key(html: str, marker) -> str:
    """The key a part laid out bare from ``html`` is stored under: a digest of the HTML
    and of how it is laid out (WeasyPrint, style sheet, fonts, paper), with ``marker``
    (e.g. a case section's pseudonymisation)."""
    what = (layout_version(), BARE_PAGES, paper_size(), marker, html)
    return hashlib.sha256(repr(what).encode()).hexdigest()


class CoverStore(Protocol):
    """Where a cover laid out bare is kept under its ``bare_key`` (``stamped``)."""

    def get(self, key: str) -> tuple[bytes, int] | None: ...

    def put(self, key: str, pdf: bytes, pages: int) -> None: ...


def stamped(
    template: str,
    context: dict,
    parts: Sequence[Part],
    header: Header | None = None,
    covers: CoverStore | None = None,
) -> tuple[bytes, int]:
    """A document whose template lays out what comes first (a cover, or nothing), then
    the parts, with the page headers and numbers of the whole. With a ``header`` that
    can be drawn, the cover is laid out bare (or taken from ``covers``, laid out from the
    same HTML before) and the header drawn on every page; otherwise the template lays
    out one blank page per page of the parts (``stamps``) with the headers, and the
    parts are drawn onto those pages. Returns the PDF and its pages."""
    pages = sum(part.pages for part in parts)
    if header is not None:
        html = render_template(template, {**context, "cover_only": True})
        cover, cover_pages, width = _bare_cover(html, covers)
        if cover_pages and header.drawable(width, cover_pages + pages):
            return appended(cover, parts, header)
    document = html_to_document(render_template(template, {**context, "stamps": range(pages)}))
    return merge(document.write_pdf(), parts)


def _bare_cover(html: str, covers: CoverStore | None) -> tuple[bytes, int, float]:
    """The cover laid out bare: its PDF, pages and page width in points."""
    import pikepdf

    key = bare_key(html, "cover")
    kept_before = covers.get(key) if covers is not None else None
    if kept_before is not None:
        pdf, pages = kept_before
        with pikepdf.open(io.BytesIO(pdf)) as document:
            box = [float(v) for v in document.pages[0].mediabox]
        return pdf, pages, box[2] - box[0]
    document = html_to_document(html, BARE_PAGES)
    if not document.pages:
        return b"", 0, 0.0
    pdf = document.write_pdf()
    if covers is not None:
        covers.put(key, pdf, len(document.pages))
    return pdf, len(document.pages), float(document.pages[0].width) * 0.75


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


# The typefaces of static/css/handout.css, by the name WeasyPrint gives the fonts it
# embeds from them ("ABCDEF+Inter-Bold"): a part is kept without their programs
# (``kept``); the document it is merged into embeds each face once (``_embed_faces``).
FACES = {"Inter": "fonts/Inter-Regular.otf", "Inter-Bold": "fonts/Inter-Bold.otf",
         "Inter-Italic": "fonts/Inter-Italic.otf"}  # fmt: skip
FACE = "/TbFace"  # on an emptied font program: the face it stands for


@cache
def _program(face: str) -> bytes:
    from django.contrib.staticfiles import finders

    return Path(finders.find(FACES[face])).read_bytes()


@cache
def _hb_face(face: str):
    import uharfbuzz

    return uharfbuzz.Face(uharfbuzz.Blob(_program(face)))


def _release(program: bytes) -> tuple:
    """What tells one release of a typeface from another: its revision and version."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(program), lazy=True)
    return font["head"].fontRevision, font["name"].getDebugName(5)


@cache
def _face_release(face: str) -> tuple:
    return _release(_program(face))


def _font_descriptors(document):
    """Every font descriptor of a ``pikepdf.Pdf`` (where a font's program hangs)."""
    import pikepdf

    for obj in document.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            yield obj


def kept(pdf: bytes) -> bytes:
    """A part as it is kept to be merged later: without the programs of the style sheet's
    typefaces (about two thirds of a case section's bytes), each emptied and named
    (``FACE``). A program of another font (a fallback for a character Inter lacks), or
    of another release of Inter, stays as it is."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        emptied = False
        for obj in _font_descriptors(document):
            face = str(obj.get("/FontName", "/")).partition("+")[2]
            program = obj.get("/FontFile3")
            if face not in FACES or program is None or program.get("/Subtype") != "/OpenType":
                continue
            if _release(program.read_bytes()) != _face_release(face):
                continue
            empty = pikepdf.Stream(document, b"")
            empty["/Subtype"] = pikepdf.Name.OpenType
            empty[FACE] = pikepdf.Name("/" + face)
            obj["/FontFile3"] = document.make_indirect(empty)
            emptied = True
        if not emptied:
            return pdf
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def _glyphs(widths) -> set[int]:
    """The glyph ids a CID font's /W array gives widths for (``c [w ...]`` or
    ``first last w``): WeasyPrint writes one for every glyph its pages draw."""
    glyphs, n = set(), 0
    while n < len(widths):
        first, following = int(widths[n]), widths[n + 1]
        if isinstance(following, Iterable) and not isinstance(following, (int, float)):
            glyphs.update(range(first, first + len(following)))
            n += 2
        else:
            glyphs.update(range(first, int(following) + 1))
            n += 3
    return glyphs


def _embed_faces(document) -> None:
    """Put in, once each, the faces the parts were kept without (``kept``): cut to the
    glyphs every part's fonts draw, each glyph keeping its number (HarfBuzz; the parts'
    text names glyphs by the numbers of the whole face, as WeasyPrint keeps them)."""
    import pikepdf
    import uharfbuzz

    used: dict[str, set[int]] = {}
    wanting = []
    for obj in document.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") != "/CIDFontType0":
            continue
        descriptor = obj.get("/FontDescriptor")
        program = descriptor.get("/FontFile3") if descriptor is not None else None
        if program is None or FACE not in program:
            continue
        face = str(program[FACE])[1:]
        used.setdefault(face, {0}).update(_glyphs(obj.get("/W", pikepdf.Array())))
        wanting.append((descriptor, face))
    programs = {}
    for face, glyphs in used.items():
        cut = uharfbuzz.SubsetInput()
        cut.glyph_set.update(sorted(glyphs))
        cut.flags = (
            uharfbuzz.SubsetFlags.RETAIN_GIDS
            | uharfbuzz.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
            | uharfbuzz.SubsetFlags.DESUBROUTINIZE
        )
        program = pikepdf.Stream(document, uharfbuzz.subset(_hb_face(face), cut).blob.data)
        program["/Subtype"] = pikepdf.Name.OpenType
        programs[face] = document.make_indirect(program)
    for descriptor, face in wanting:
        descriptor["/FontFile3"] = programs[face]


def _written(document, opened) -> tuple[bytes, int]:
    """The document written (the faces the parts were kept without put in, font programs
    kept once), and its page count; the parts' files closed."""
    import pikepdf

    _embed_faces(document)
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
    for obj in _font_descriptors(document):
        for key in FONT_FILES:
            if key in obj:
                digest = hashlib.sha256(obj[key].read_raw_bytes()).hexdigest()
                obj[key] = seen.setdefault(digest, obj[key])
