"""Reading printed documents back with an independent reader: poppler's ``pdftotext``.

The app lays out with WeasyPrint and merges with pikepdf; these helpers read what a PDF
actually draws, word by word with its box, in the order of its content streams, as
poppler renders it (Form XObjects and their matrices included), so that a test can say
"every value shown on the page is in the PDF, in order" and "nothing is drawn in the
header or footer band".
"""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

MM = 72 / 25.4  # PDF points per millimetre
# The page margins of static/css/handout.css: headers above, footers below.
TOP_BAND = 20 * MM
BOTTOM_BAND = 18 * MM
TOLERANCE = 1.5  # points: glyph boxes may reach a little beyond their line box


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float  # from the top of the page
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    number: int
    height: float
    words: tuple[Word, ...]

    def band(self) -> tuple[str, str]:
        """The text drawn wholly in the header band and in the footer band."""
        top = [w.text for w in self.words if w.y1 <= TOP_BAND + TOLERANCE]
        bottom = [w.text for w in self.words if w.y0 >= self.height - BOTTOM_BAND - TOLERANCE]
        return " ".join(top), " ".join(bottom)

    def intruders(self) -> list[Word]:
        """Words that are neither in a band nor wholly inside the body between them."""
        body_top, body_bottom = TOP_BAND - TOLERANCE, self.height - BOTTOM_BAND + TOLERANCE
        return [
            w
            for w in self.words
            if not (w.y1 <= TOP_BAND + TOLERANCE or w.y0 >= self.height - BOTTOM_BAND - TOLERANCE)
            and not (w.y0 >= body_top and w.y1 <= body_bottom)
        ]

    def body_text(self) -> str:
        return " ".join(
            w.text
            for w in self.words
            if w.y1 > TOP_BAND + TOLERANCE and w.y0 < self.height - BOTTOM_BAND - TOLERANCE
        )


def read_pdf(pdf: bytes) -> list[Page]:
    """Each page's words with their boxes, in content-stream order (``pdftotext -raw``)."""
    done = subprocess.run(
        ["pdftotext", "-raw", "-bbox", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    root = ElementTree.fromstring(done.stdout)
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    pages = []
    for number, page in enumerate(root.iterfind(".//x:page", namespace), start=1):
        words = tuple(
            Word(
                word.text or "",
                float(word.get("xMin")),
                float(word.get("yMin")),
                float(word.get("xMax")),
                float(word.get("yMax")),
            )
            for word in page.iterfind("x:word", namespace)
        )
        pages.append(Page(number, float(page.get("height")), words))
    return pages


def squash(text: str) -> str:
    """Text as compared with a PDF's: compatibility forms (ligatures) resolved, case and
    every space and line break dropped (lines break anywhere in print)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


def missing_in_order(expected: list[str], printed: str) -> list[str]:
    """The expected texts not found in ``printed`` in the given order (each searched for
    after the end of the one before it), as shown."""
    stream, at, missing = squash(printed), 0, []
    for text in expected:
        wanted = squash(text)
        if not wanted:
            continue
        found = stream.find(wanted, at)
        if found < 0:
            missing.append(text)
        else:
            at = found + len(wanted)
    return missing


def band_problems(pages: list[Page], header: str) -> list[str]:
    """What is wrong with the page bands: text other than the running header in the
    header band, other than "Confidential … page X of Y" in the footer band (a meeting
    pack's with its time of printing: "… printed 6 December 2026, 09:50 · page X of Y"),
    or text that crosses from the body into a band."""
    problems = []
    for page in pages:
        top, bottom = page.band()
        footer = re.compile(
            r"Confidential — contains patient data (printed \d{1,2} \w+ \d{4}, \d\d:\d\d · )?"
            rf"page {page.number} of {len(pages)}"
        )
        if top != header:
            problems.append(f"page {page.number}: header band reads {top!r}")
        if not footer.fullmatch(bottom):
            problems.append(f"page {page.number}: footer band reads {bottom!r}")
        for word in page.intruders():
            problems.append(f"page {page.number}: {word.text!r} crosses a band at y={word.y0:.1f}")
    return problems


def assert_pdf_ua(pdf: bytes) -> None:
    """A tagged PDF/UA-1 document, as an independent reader sees it: poppler's pdfinfo says
    it is tagged; its catalogue has a structure tree, marked content, the language and the
    title shown in the window; its metadata claim PDF/UA-1 and name the title."""
    import pikepdf

    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Tagged"].strip() == "yes", info
    assert fields["Title"].strip(), info
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        assert "/StructTreeRoot" in root and len(root.StructTreeRoot.K) > 0
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "en"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        with document.open_metadata() as metadata:
            assert metadata.get("pdfuaid:part") == "1"
            assert metadata.get("dc:title")
