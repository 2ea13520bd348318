"""Spreadsheet downloads: a cell that a spreadsheet program would run comes out inert,
however the program splits the file."""

from __future__ import annotations

import csv
import io
import subprocess

import pytest
from openpyxl import load_workbook

from printing import spreadsheets

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_formula_in_csv_is_written_as_text(text):
    written = spreadsheets.csv_file(["Header"], [[text]])
    rows = list(csv.reader(io.StringIO(written.decode("utf-8-sig"), newline="")))
    # A tab or carriage return is a separator too: the formula after it is neutralised.
    expected = "'" + text if text[0] not in "\t\r" else f"'{text[0]}'{text[1:]}"
    assert rows[1] == [expected]


def test_plain_values_and_numbers_are_left_alone_and_every_field_is_quoted():
    written = spreadsheets.csv_file(["=Header"], [["Ada", -3, 2.5, "a=b"]])
    text = written.decode("utf-8-sig")
    assert text == '"\'=Header"\r\n"Ada","-3","2.5","a=b"\r\n'


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Nowak;=1+2;x", "Nowak;'=1+2;x"),
        ("a,-b", "a,'-b"),
        ("line one\n@SUM(A1)", "line one\n'@SUM(A1)"),
        ("a;  +1", "a;  '+1"),
        ("5-10 mg; a=b", "5-10 mg; a=b"),
    ],
)
def test_a_formula_start_after_a_separator_or_line_break_is_neutralised(text, written):
    file = spreadsheets.csv_file(["H"], [[text]])
    rows = list(csv.reader(io.StringIO(file.decode("utf-8-sig"), newline="")))
    assert rows[1] == [written]


def test_an_excel_file_keeps_formulas_as_text_cells():
    texts = DANGEROUS[:-1]  # (XML reads a carriage return back as a line feed)
    written = spreadsheets.table_file("xlsx", ["Note", "Count"], [[t, 1] for t in texts], "cases")
    sheet = load_workbook(io.BytesIO(written))["cases"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [(t, "s") for t in texts]
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [1] * len(texts)


# Opened by a real spreadsheet program, LibreOffice Calc, with the separators people choose
# (";" is the default in much of Europe).
HOSTILE = ["Nowak;=1+2;x", "=1+2", "Smith,=2+3", "line\n=3+4", "a;@SUM(1;2)", "-5+5", "a|=1",
           "x;\t=1", "b; =9"]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_libreoffice_finds_no_formula_in_a_csv_export_whatever_the_separator(tmp_path, separator):
    path = tmp_path / "export.csv"
    path.write_bytes(spreadsheets.csv_file(["Patient", "Note"], [[t, t] for t in HOSTILE]))
    cells = _opened_in_libreoffice(path, separator)
    assert len(cells) >= len(HOSTILE) + 1  # every line read (with ";", a line is one cell)
    assert [(c.coordinate, c.value) for c in cells if c.data_type == "f"] == []


def _opened_in_libreoffice(path, separator: str) -> list:
    """Every cell of ``path`` as LibreOffice Calc imports it with ``separator``."""
    options = f"CSV:{ord(separator)},34,76,1"  # separator, quote, UTF-8, from line 1
    profile = path.parent / "profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "xlsx", f"--infilter={options}", "--outdir", str(path.parent), str(path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    sheet = load_workbook(path.with_suffix(".xlsx")).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
