"""Page headers and "page X of Y" drawn straight onto finished pages (``pikepdf``).

A meeting pack is its cover and its case sections, laid out apart without page headers
(``cases.sections``). Laying out a blank page per section page only to print its header
and number cost WeasyPrint about 6 ms a page, most of a pack's time. Here the four
margin texts of ``static/css/handout.css`` (``@page``: board, date, "Confidential",
"page X of Y") are written as a few text operators per page in the same typeface, Inter,
from a subset of its font files embedded once per document, with its widths and a
ToUnicode map so that the text can be selected, searched and read by a screen reader
as on a page laid out whole. Where the style sheet's margin boxes would wrap a text, or
a character is not in the font, ``Header.drawable`` says no and the caller lays out
stamp pages instead.

The positions are those WeasyPrint gives the margin boxes of ``handout.css`` (margins
20 mm, 16 mm, 18 mm; 8 pt text; the top-left box 60 % of the width, the top-right
40 %, the bottom ones half each; text centred on the margin's middle line): a test compares them
with a pack laid out in one pass, text by text, so a change to the style sheet that
moves them fails there.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders

MM = 72 / 25.4
SIZE = 8.0  # pt, the margin boxes' font size
MARGIN_TOP, MARGIN_SIDE, MARGIN_BOTTOM = 20 * MM, 16 * MM, 18 * MM
# How far an 8 pt Inter line's baseline sits below the middle of its margin, as
# WeasyPrint places it (half the line's height, less the descent): measured, and held
# to the single-pass layout by tests/meetings/test_pack_sections.py.
BASELINE_BELOW_MIDDLE = 2.9094
# The margin boxes' widths, as shares of the page's width within its side margins: the
# header's (board, date), then the footer's ("Confidential", when printed and the page).
SHARES = (0.6, 0.4, 0.5, 0.5)

REGULAR, BOLD = "Regular", "Bold"
DARK = (0.109804, 0.141176, 0.188235)  # #1c2430
GREY = (0.356863, 0.4, 0.458824)  # #5b6675
RED = (0.631373, 0.14902, 0.105882)  # #a1261b

# Every font subset holds these, so that one subset per process serves nearly every
# board name and date: printable ASCII, Latin-1 and Latin Extended-A, and punctuation.
BASE_CHARACTERS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xA0, 0x180)] + list("—–‘’“”…·•€")
)


@dataclass(frozen=True)
class Text:
    words: str
    weight: str = REGULAR
    colour: tuple[float, float, float] = DARK


@dataclass(frozen=True)
class Header:
    """The four margin texts of every page; ``page`` holds "{page}" and "{pages}"."""

    top_left: Text
    top_right: Text
    bottom_left: Text
    page: Text

    def texts(self, pages: int) -> list[Text]:
        """Every text a page may carry, with the longest page number."""
        numbered = Text(self.page.words.format(page=pages, pages=pages), self.page.weight)
        return [self.top_left, self.top_right, self.bottom_left, numbered]

    def drawable(self, width: float, pages: int) -> bool:
        """Whether each text fits its margin box on one line, in characters the font
        has: otherwise the caller lays out stamp pages (WeasyPrint wraps and falls back)."""
        inner = width - 2 * MARGIN_SIDE
        for text, share in zip(self.texts(pages), SHARES, strict=True):
            font = _face(text.weight)
            if any(ord(c) not in font.cmap for c in text.words):
                return False
            if font.width(text.words, SIZE) > inner * share:
                return False
        return True


class _Face:
    """One weight of Inter as read from its font file: character → glyph advance."""

    def __init__(self, weight: str):
        from fontTools.ttLib import TTFont

        self.path = finders.find(f"fonts/Inter-{weight}.otf")
        self.weight = weight
        font = TTFont(self.path, lazy=True)
        self.units = font["head"].unitsPerEm
        self.cmap = font.getBestCmap()
        metrics = font["hmtx"].metrics
        self.advance = {code: metrics[name][0] for code, name in self.cmap.items()}
        self.ascent = font["hhea"].ascent
        self.descent = font["hhea"].descent
        self.bbox = [font["head"].xMin, font["head"].yMin, font["head"].xMax, font["head"].yMax]

    def width(self, words: str, size: float) -> float:
        return sum(self.advance[ord(c)] for c in words) * size / self.units


@cache
def _face(weight: str) -> _Face:
    return _Face(weight)


@dataclass(frozen=True)
class _Subset:
    """A subset font program: its bytes, character → glyph id, glyph id → advance."""

    program: bytes
    glyph: dict[str, int]
    advance: dict[int, int]
    units: int


SHIPPED = "fonts/stamp/Inter-{weight}-stamp.otf"  # the subsets of BASE_CHARACTERS


def cut(weight: str, characters: frozenset[str]) -> bytes:
    """Inter of this weight cut down to ``characters`` (fontTools; about 0.25 s)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.hinting = False
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters))
    font = TTFont(_face(weight).path)
    subsetter.subset(font)
    font.recalcTimestamp = False  # the same characters give the same bytes
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@cache
def _subset(weight: str, characters: frozenset[str]) -> _Subset:
    """The font cut down to ``characters``: the subset shipped under ``static/fonts/stamp``
    when they are the base set (every board name and date in Latin script), else cut
    here, once a process per set."""
    from fontTools.ttLib import TTFont

    face = _face(weight)
    if characters == BASE_CHARACTERS:
        program = Path(finders.find(SHIPPED.format(weight=weight))).read_bytes()
    else:
        program = cut(weight, characters)
    font = TTFont(io.BytesIO(program))
    cmap = font.getBestCmap()
    order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    metrics = font["hmtx"].metrics
    glyph = {chr(code): order[name] for code, name in cmap.items()}
    advance = {order[name]: metrics[name][0] for name in font.getGlyphOrder()}
    return _Subset(program, glyph, advance, face.units)


def _font(pdf, weight: str, characters: frozenset[str]):
    """A Type 0 font (CIDFontType0, Identity-H, CID = glyph id) of the subset, as an
    indirect object of ``pdf``, with widths and a ToUnicode map."""
    import pikepdf

    face = _face(weight)
    cut = _subset(weight, characters)
    scale = 1000 / cut.units
    tag = "".join(chr(ord("A") + b % 26) for b in hashlib.sha256(cut.program).digest()[:6])
    name = pikepdf.Name(f"/{tag}+Inter-{weight}")
    program = pikepdf.Stream(pdf, cut.program)
    program["/Subtype"] = pikepdf.Name.OpenType
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=name,
        FontFamily=pikepdf.String("Inter"),
        Flags=4,
        FontBBox=[round(v * scale) for v in face.bbox],
        ItalicAngle=0,
        Ascent=round(face.ascent * scale),
        Descent=round(face.descent * scale),
        CapHeight=round(face.ascent * scale),
        StemV=80,
        FontFile3=pdf.make_indirect(program),
    )
    widths = [round(cut.advance[gid] * scale) for gid in range(len(cut.advance))]
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType0,
        BaseFont=name,
        CIDSystemInfo=pikepdf.Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        FontDescriptor=pdf.make_indirect(descriptor),
        W=[0, widths],
    )
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=name,
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[pdf.make_indirect(cid_font)],
            ToUnicode=pdf.make_indirect(pikepdf.Stream(pdf, _to_unicode(cut.glyph))),
        )
    )


def _to_unicode(glyph: dict[str, int]) -> bytes:
    """The CMap that reads each glyph id back as its character."""
    first: dict[int, str] = {}
    for ch in sorted(glyph):  # a glyph two characters share reads as the first
        first.setdefault(glyph[ch], ch)
    pairs = sorted(first.items())
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
    ]  # fmt: skip
    for start in range(0, len(pairs), 100):
        chunk = pairs[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{gid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for gid, ch in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


FONT_NAMES = {REGULAR: "/TbStampRegular", BOLD: "/TbStampBold"}


def _show(cut: _Subset, text: Text, x: float, y: float) -> str:
    glyphs = "".join(f"{cut.glyph[c]:04X}" for c in text.words)
    r, g, b = text.colour
    return (
        f"BT {FONT_NAMES[text.weight]} {SIZE:g} Tf {r:g} {g:g} {b:g} rg "
        f"1 0 0 1 {x:.4f} {y:.4f} Tm <{glyphs}> Tj ET"
    )


def stamp(pdf, header: Header) -> None:
    """Write ``header`` onto every page of ``pdf`` (a ``pikepdf.Pdf``), numbering the
    pages of the whole document. The pages' own drawing is enclosed in q/Q first, so
    that whatever it leaves set (WeasyPrint flips the y axis) does not move the text."""
    import pikepdf

    pages = len(pdf.pages)
    words = "".join(t.words for t in header.texts(pages)) + "0123456789"
    needed = {weight: BASE_CHARACTERS | frozenset(words) for weight in (REGULAR, BOLD)}
    cuts = {weight: _subset(weight, frozenset(chars)) for weight, chars in needed.items()}
    fonts = {
        FONT_NAMES[weight]: _font(pdf, weight, frozenset(chars)) for weight, chars in needed.items()
    }
    save = pdf.make_indirect(pikepdf.Stream(pdf, b"q\n"))
    for number, page in enumerate(pdf.pages, start=1):
        left, bottom, right, top = (float(v) for v in page.mediabox)
        top_line = top - MARGIN_TOP / 2 - BASELINE_BELOW_MIDDLE
        bottom_line = bottom + MARGIN_BOTTOM / 2 - BASELINE_BELOW_MIDDLE
        x_left, x_right = left + MARGIN_SIDE, right - MARGIN_SIDE
        numbered = Text(
            header.page.words.format(page=number, pages=pages), header.page.weight,
            header.page.colour,
        )  # fmt: skip
        shown = []
        for text, x, y, flush_right in (
            (header.top_left, x_left, top_line, False),
            (header.top_right, x_right, top_line, True),
            (header.bottom_left, x_left, bottom_line, False),
            (numbered, x_right, bottom_line, True),
        ):
            if not text.words:
                continue
            cut = cuts[text.weight]
            if flush_right:
                x -= sum(cut.advance[cut.glyph[c]] for c in text.words) * SIZE / cut.units
            shown.append(_show(cut, text, x, y))
        resources = page.obj.get("/Resources")
        if resources is None:
            resources = page.obj["/Resources"] = pikepdf.Dictionary()
        if "/Font" not in resources:
            resources["/Font"] = pikepdf.Dictionary()
        for name, font in fonts.items():
            resources["/Font"][name] = font
        page.contents_add(save, prepend=True)
        page.contents_add(pikepdf.Stream(pdf, ("\nQ\n" + "\n".join(shown) + "\n").encode()))
