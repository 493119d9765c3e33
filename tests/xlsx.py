"""Reading the xlsx downloads the portal makes for people (title, filters, data version and
generation time above a frozen header row): the header row is the row above the frozen pane."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_from_string


def header_row_of(sheet) -> int:
    """The header row: the last row above the frozen pane (row 1 when nothing is frozen)."""
    if not sheet.freeze_panes:
        return 1
    _column, row = coordinate_from_string(sheet.freeze_panes)
    return max(row - 1, 1)


def preamble_of(sheet) -> list[list]:
    """The rows above the header row (title, filters, data version, generation time)."""
    end = header_row_of(sheet) - 1
    if end < 1:
        return []
    return [list(r) for r in sheet.iter_rows(min_row=1, max_row=end, values_only=True)]


def table_of(sheet) -> tuple[list, list[list]]:
    """(header, data rows) of one sheet for people; trailing empty header cells dropped."""
    start = header_row_of(sheet)
    rows = [list(r) for r in sheet.iter_rows(min_row=start, values_only=True)]
    header = rows[0] if rows else []
    while header and header[-1] is None:
        header = header[:-1]
    return header, [r[: max(len(header), 1)] if len(r) > len(header) else r for r in rows[1:]]


def workbook_of(content: bytes):
    return load_workbook(io.BytesIO(content))


def xlsx_table(content: bytes, sheet: str | int = 0) -> tuple[list, list[list]]:
    """(header, data rows) of a sheet of an xlsx download for people."""
    book = workbook_of(content)
    ws = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet]
    return table_of(ws)


def xlsx_rows(content: bytes, sheet: str | int = 0) -> list[list]:
    """The header row and the data rows as one list (the shape `iter_rows` gave before the preamble)."""
    header, rows = xlsx_table(content, sheet)
    return [header, *rows]
