"""Tables as CSV and Excel files, with formula injection neutralised.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some programs, a tab or a carriage return) as a formula, so text such as
``=HYPERLINK(...)`` typed into a case could run on the computer that opens the export.

CSV has no one separator: much of Europe opens it with ``;``, and some importers split
at line breaks or ignore quotes. So every CSV field is quoted, and a formula start is
neutralised (an apostrophe before it: shown, never run) at the start of a cell *and*
after any separator or line break inside it: ``Nowak;=1+2;x`` opened with ``;`` must not
give a cell ``=1+2`` that runs. In Excel files a string is written as a text cell, which
Excel never evaluates. Numbers are left as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet program may start a cell inside one CSV field: after a separator
# (comma, semicolon, tab, pipe) or a line break, and any spaces an importer may trim.
_CELL_STARTS_INSIDE = re.compile(r"([,;\t|\r\n] *)(?=[=+\-@\t\r])")


def inert(value: object) -> object:
    """A CSV cell that a spreadsheet program shows and never runs, however it splits it."""
    if not isinstance(value, str):
        return value
    value = _CELL_STARTS_INSIDE.sub(r"\1'", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_file(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([inert(cell) for cell in header])
    for row in rows:
        writer.writerow([inert(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_file(header: Sequence[str], rows: Iterable[Sequence], title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook  # imported when a workbook is asked for

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([_text_cell(sheet, cell) for cell in header])
    for row in rows:
        sheet.append([_text_cell(sheet, cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, value):
    """Strings as text cells (openpyxl would make ``=…`` a formula); the rest as is."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl reads "=…" as a formula; this keeps it text
    return cell


FORMATS = ("csv", "xlsx")


def table_file(fmt: str, header: Sequence[str], rows: Iterable[Sequence], title: str) -> bytes:
    """The table as ``fmt`` (one of FORMATS); handed out by ``documents.delivery``."""
    if fmt == "xlsx":
        return xlsx_file(header, rows, title)
    return csv_file(header, rows)
