"""Spreadsheet downloads: a cell that a spreadsheet program would run comes out inert."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from printing import spreadsheets

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_formula_in_csv_is_written_as_text(text):
    response = spreadsheets.csv_response("x.csv", ["Header"], [[text]])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[1] == ["'" + text]


def test_plain_values_and_numbers_are_left_alone():
    response = spreadsheets.csv_response("x.csv", ["=Header"], [["Ada", -3, 2.5, "a=b"]])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["'=Header"], ["Ada", "-3", "2.5", "a=b"]]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_an_excel_file_keeps_formulas_as_text_cells():
    texts = DANGEROUS[:-1]  # (XML reads a carriage return back as a line feed)
    response = spreadsheets.table_response(
        "xlsx", "cases", ["Note", "Count"], [[t, 1] for t in texts]
    )
    assert response["Content-Type"] == spreadsheets.XLSX
    sheet = load_workbook(io.BytesIO(response.content))["cases"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [(t, "s") for t in texts]
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [1] * len(texts)
