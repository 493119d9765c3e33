"""Reading an uploaded table: UTF-8 CSV (a BOM accepted) or the first sheet of an .xlsx file.

Exchange contract (shared/spec/exchange.md): a header row, then one record per row.
Rows are numbered as a spreadsheet shows them (the header is row 1), and every
problem with the file itself is a `TableError` with the row it concerns, never an
exception from the parser: a broken or hostile upload gets a clear message.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 50
MAX_EXPANDED_BYTES = 50 * 1024 * 1024  # an .xlsx is a zip: refuse archives that unpack to more (zip bombs)
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class TableError(Exception):
    row: int
    field: str
    message: str


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list]]  # (spreadsheet row number, cells)


def read_table(file, filename: str) -> Table:
    """Parse `file` (binary file-like) as CSV or .xlsx; raise TableError on anything unreadable."""
    data = file.read(MAX_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise TableError(
            0, "file", _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise TableError(0, "file", _("The file is empty."))
    name = (filename or "").lower()
    if name.endswith(".xls"):
        raise TableError(
            0, "file", _("Old .xls workbooks are not supported: save the sheet as .xlsx or CSV.")
        )
    if name.endswith(".xlsx") or data.startswith(XLSX_MAGIC):
        header, rows = _read_xlsx(data)
    else:
        header, rows = _read_csv(data)
    return Table(header=header, rows=rows)


def _read_csv(data: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(
            0,
            "file",
            _("The file is neither UTF-8 CSV nor an .xlsx workbook (save it as CSV UTF-8 or .xlsx)."),
        )
    if "\x00" in text:
        raise TableError(
            0, "file", _("The file contains binary data; expected CSV text or an .xlsx workbook.")
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_ROWS + 1:
                raise TableError(
                    number, "file", _("Too many rows: at most %(n)s per file.") % {"n": MAX_ROWS}
                )
            records.append((number, cells))
    except csv.Error as exc:
        raise TableError(len(records) + 1, "file", _("Unreadable CSV: %(error)s") % {"error": exc})
    if not records:
        raise TableError(0, "file", _("The file is empty."))
    return [str(c) for c in records[0][1]], records[1:]


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    from openpyxl import load_workbook

    def unreadable(exc: Exception) -> TableError:
        return TableError(
            0, "file", _("Not a readable .xlsx workbook (%(error)s).") % {"error": type(exc).__name__}
        )

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except Exception as exc:
        raise unreadable(exc)
    if expanded > MAX_EXPANDED_BYTES:
        raise TableError(
            0,
            "file",
            _("The workbook is too large when unpacked (over %(mb)s MB).")
            % {"mb": MAX_EXPANDED_BYTES // (1024 * 1024)},
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl and zipfile raise many kinds on malformed archives
        raise unreadable(exc)
    try:
        if not workbook.worksheets:
            raise TableError(0, "file", _("The workbook has no sheet."))
        sheet = workbook.worksheets[0]
        header_row = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), None)
        header = ["" if c is None else str(c) for c in header_row or ()]
        while header and header[-1].strip() == "":
            header.pop()
        if not header:
            raise TableError(1, "file", _("The first sheet has no header row."))
        width = len(header)
        records = []
        for number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
            if number > MAX_ROWS + 1:
                raise TableError(
                    number, "file", _("Too many rows: at most %(n)s per file.") % {"n": MAX_ROWS}
                )
            cells = list(cells)
            records.append((number, cells + [None] * (width - len(cells))))
        return header, records
    except TableError:
        raise
    except Exception as exc:
        raise unreadable(exc)
    finally:
        workbook.close()
