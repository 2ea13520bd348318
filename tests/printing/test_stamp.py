"""The page header drawn onto finished pages (``printing.stamp``): what it writes reads
back as text, and where it cannot be drawn it says so (the pack then lays out stamp
pages, ``tests/meetings/test_pack_sections.py``)."""

from __future__ import annotations

import io

import pikepdf
from pypdf import PdfReader

from printing.stamp import BOLD, GREY, RED, REGULAR, Header, Text, stamp

A4_WIDTH = 595.28


def header(board: str) -> Header:
    return Header(
        top_left=Text(board, BOLD),
        top_right=Text("Tuesday 8 December 2026, 07:30", REGULAR, GREY),
        bottom_left=Text("Confidential — contains patient data", BOLD, RED),
        page=Text("page {page} of {pages}", REGULAR, GREY),
    )


def test_the_drawn_texts_read_back_on_every_page_numbered_of_the_whole():
    document = pikepdf.new()
    for _ in range(12):
        document.add_blank_page(page_size=(A4_WIDTH, 841.89))
    board = "Hôpital Saint-Éloi · HPB board (Ærø)"
    stamp(document, header(board))
    out = io.BytesIO()
    document.save(out)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages]
    assert len(pages) == 12
    for number, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert board in lines[0] and "Tuesday 8 December 2026, 07:30" in lines[0]
        assert "Confidential — contains patient data" in lines[-1]
        assert lines[-1].endswith(f"page {number} of 12")


def test_a_header_that_would_wrap_or_needs_another_font_is_not_drawn():
    assert header("Liver metastases tumor board").drawable(A4_WIDTH, 400)
    assert not header("Hepatobiliary and liver metastases board " * 3).drawable(A4_WIDTH, 4)
    assert not header("肝胆膵 board").drawable(A4_WIDTH, 4)  # not in Inter: WeasyPrint falls back


def test_the_shipped_subsets_are_what_the_command_writes_and_serve_latin_headers(monkeypatch):
    """``manage.py stamp_fonts`` wrote them: the same bytes again from the font files
    (a new font or fontTools changes them: run the command). With them a worker draws
    its first header without cutting a font (a quarter of a second a weight)."""
    from pathlib import Path

    from django.contrib.staticfiles import finders

    from printing import stamp as stamping

    for weight in (REGULAR, BOLD):
        shipped = Path(finders.find(stamping.SHIPPED.format(weight=weight))).read_bytes()
        assert shipped == stamping.cut(weight, stamping.BASE_CHARACTERS), weight
    stamping._subset.cache_clear()

    def no_cut(*args):
        raise AssertionError("cut a font for a Latin header")

    monkeypatch.setattr(stamping, "cut", no_cut)
    document = pikepdf.new()
    document.add_blank_page(page_size=(A4_WIDTH, 841.89))
    stamp(document, header("Ærø — Hôpital Saint-Éloi"))
    assert "page 1 of 1" in PdfReader(_written(document)).pages[0].extract_text()
    stamping._subset.cache_clear()


def test_a_character_beyond_the_shipped_set_is_cut_from_the_font():
    from printing import stamp as stamping

    document = pikepdf.new()
    document.add_blank_page(page_size=(A4_WIDTH, 841.89))
    stamp(document, header("Łódź – Ωmega board"))  # Ω is not in the base set
    text = PdfReader(_written(document)).pages[0].extract_text()
    assert "Łódź – Ωmega board" in text
    assert "Ω" not in stamping.BASE_CHARACTERS


def _written(document) -> io.BytesIO:
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    return out
