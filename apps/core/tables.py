"""The one reader of uploaded tables: UTF-8 CSV (a BOM accepted) or the first sheet of an xlsx.

Exchange contract (shared/spec/exchange.md): a header row, then one record per row. Rows
are numbered as a spreadsheet shows them (the header is row 1). A file is read as a stream
with caps on bytes, unpacked size (zip bombs) and rows, so a huge or hostile upload costs
bounded memory and ends in one clear file-level error, never a parser exception.

Problems with the file as a whole raise `ImportRejected` at once; problems of single rows
(more cells than columns, a control character such as NUL in a cell: `apps.core.text`) are
returned with the rows that could be read, so the caller reports them together with its own
checks of those rows: every error in one pass.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from .exports import unescape_text
from .text import control_character_message, first_control_character

XLSX_MAGIC = b"PK\x03\x04"
FILE = 0  # the row of an error about the file as a whole
HEADER_SEARCH = 12  # our xlsx for people put a title, filters, data version and time above the header


@dataclass(frozen=True)
class RowError:
    """One problem of an upload: its spreadsheet row (0: the file), the column and a message.

    `rows` lists every row a rule over several rows involves (a sum, a year-on-year change).
    """

    row: int
    field: str
    message: str
    rows: tuple[int, ...] = ()

    def __str__(self) -> str:
        if not self.row:
            return self.message
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


class ImportRejected(ValidationError):
    """The file was rejected as a whole (nothing saved); `row_errors` lists every problem."""

    def __init__(self, row_errors: list[RowError]):
        self.row_errors = list(row_errors)
        super().__init__([str(e) for e in self.row_errors])

    @classmethod
    def capped(cls, errors: list[RowError], limit: int) -> ImportRejected:
        """The errors sorted by row, at most `limit` of them and a line saying how many more."""
        errors = sorted(errors, key=lambda e: e.row)
        if len(errors) > limit:
            more = len(errors) - limit
            errors = [*errors[:limit], RowError(FILE, "file", _("… and %(n)d more errors.") % {"n": more})]
        return cls(errors)


def file_error(message: str, row: int = FILE, field: str = "file") -> ImportRejected:
    return ImportRejected([RowError(row, field, message)])


@dataclass(frozen=True)
class Columns:
    """The header a table must have: required and optional columns, and ones accepted but ignored."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # e.g. columns our own exports add for people
    other_columns_allowed: bool = False  # True: columns not named here are ignored, not refused
    # (label, column) pairs: the headers our own exports for people give these columns, as lazy
    # translations; a label is accepted in every language of the portal (a file exported in
    # English imports for a Chinese user and the other way round)
    aliases: tuple[tuple[object, str], ...] = ()

    @property
    def known(self) -> set[str]:
        return {*self.required, *self.optional, *self.ignored}

    def alias_map(self) -> dict[str, str]:
        """Lower-cased header label → column name, in every language of the portal."""
        found: dict[str, str] = {}
        for language, _name in settings.LANGUAGES if self.aliases else ():
            with translation.override(language):
                for label, column in self.aliases:
                    found[str(label).strip().lower()] = column
        return found

    def names(self, cells, aliases: dict[str, str]) -> list[str]:
        """The column names of a header row (labels of our exports for people mapped to them)."""
        names = [cell_text(c).lower() for c in cells]
        if not aliases or set(self.required) <= set(names):
            return names  # the machine header of exchange.md
        return [aliases.get(n, n) for n in names]  # the header of an export for people


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 16 * 1024 * 1024
    max_rows: int = 200_000
    max_unpacked_bytes: int = 256 * 1024 * 1024
    max_columns: int = 50


@dataclass
class TableRow:
    """One non-blank record: its spreadsheet row number and its cells by column name.

    Cells keep the type the file gave (xlsx: int, float, datetime, …; CSV: str); text is
    stripped and its formula escaping undone; a blank cell is None.
    """

    row: int
    cells: dict[str, object]

    def __getitem__(self, column: str):
        return self.cells.get(column)

    def text(self, column: str) -> str:
        return cell_text(self.cells.get(column))


@dataclass
class Table:
    rows: list[TableRow]
    errors: list[RowError] = field(default_factory=list)  # rows that could not be read


def cell_text(value) -> str:
    """A cell as text: '' for blank, 2022 for the xlsx float 2022.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _clean(value):
    if isinstance(value, str):
        value = unescape_text(value.strip())
        return value or None
    return value


def read_table(file, filename: str, *, columns: Columns, limits: Limits = Limits()) -> Table:
    """The records of an uploaded CSV or xlsx; the format is told by the content (xlsx is a zip).

    Raises ImportRejected for a file that cannot be read at all (size, encoding, broken
    workbook, header, no data rows); row-level problems come back in `Table.errors`.
    """
    size = getattr(file, "size", None)
    if size is None and hasattr(file, "seek"):
        try:
            size = file.seek(0, io.SEEK_END)
        except (OSError, ValueError):
            size = None
    if size is not None and size > limits.max_bytes:
        raise _too_large(limits)  # refused before anything is read
    if hasattr(file, "seek"):
        file.seek(0)
    head = file.read(4)
    if isinstance(head, str):  # a text stream: read it as UTF-8 bytes
        file = io.BytesIO((head + file.read()).encode("utf-8"))
        head = file.read(4)
    file.seek(0)
    name = (filename or "").lower()
    if head.startswith(XLSX_MAGIC):
        return _read_xlsx(file, columns, limits)
    if name.endswith((".xlsx", ".xlsm")):
        raise file_error(_("The file is not a readable xlsx workbook (save it as .xlsx or CSV UTF-8)."))
    if name.endswith(".xls"):
        raise file_error(_("Old .xls workbooks are not supported: save the sheet as .xlsx or CSV."))
    return _read_csv(file, columns, limits)


def _too_large(limits: Limits) -> ImportRejected:
    return file_error(_("The file is larger than %(mb)d MB.") % {"mb": limits.max_bytes // (1024 * 1024)})


def _header(cells, columns: Columns, where: str, names: list[str], row: int = 1) -> dict[str, int]:
    """Column name → position; every problem of the header at once (its row)."""
    if any("\x00" in str(c) for c in cells if c is not None):
        raise file_error(_("The file contains binary data; expected CSV text or an .xlsx workbook."))
    errors = []
    missing = [c for c in columns.required if c not in names]
    if missing:
        errors.append(
            _("%(where)s does not have the columns %(columns)s (header row: %(found)s).")
            % {
                "where": where,
                "columns": ",".join(columns.required),
                "found": ",".join(n[:20] for n in names[:8] if n) or _("empty"),
            }
        )
    unknown = [n for n in names if n and n not in columns.known and not columns.other_columns_allowed]
    if unknown:
        errors.append(
            _("Unknown columns: %(columns)s.") % {"columns": ", ".join(n[:40] for n in unknown[:10])}
        )
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        errors.append(_("Columns appear twice: %(columns)s.") % {"columns": ", ".join(duplicated)})
    if errors:
        raise ImportRejected([RowError(row, "header", m) for m in errors])
    wanted = {*columns.required, *columns.optional}
    return {n: i for i, n in enumerate(names) if n in wanted}


def _find_header(iterator: Iterator, columns: Columns, aliases: dict[str, str]) -> tuple[int, list]:
    """The header row and its cells: row 1, or the first of the first HEADER_SEARCH rows that has
    every required column (an export for people has its title, filters, … above the header)."""
    seen: list = []
    for cells in iterator:
        seen.append(list(cells))
        if set(columns.required) <= set(columns.names(seen[-1], aliases)):
            return len(seen), seen[-1]
        if len(seen) >= HEADER_SEARCH:
            break
    if not seen:
        raise file_error(_("The file is empty.")) from None
    # no header found: row 1 is the header (its errors name the missing columns); re-read the rest
    iterator.pending = seen[1:]  # type: ignore[attr-defined]
    return 1, seen[0]


class _Pending:
    """An iterator with rows put back in front of it (the rows read while looking for the header)."""

    def __init__(self, iterator: Iterator):
        self.iterator = iterator
        self.pending: list = []

    def __iter__(self):
        return self

    def __next__(self):
        if self.pending:
            return self.pending.pop(0)
        return next(self.iterator)


def _records(records: Iterable, columns: Columns, limits: Limits, where: str) -> Table:
    """Records (lists of cells, header first) → a Table; blank lines skipped, rows capped."""
    iterator = _Pending(iter(records))
    aliases = columns.alias_map()
    header_at, header_cells = _find_header(iterator, columns, aliases)
    names = columns.names(header_cells, aliases)
    positions = _header(header_cells, columns, where, names, header_at)
    width = len(header_cells)
    while width and cell_text(header_cells[width - 1]) == "":
        width -= 1
    table = Table(rows=[])
    count = 0
    for number, cells in enumerate(iterator, start=header_at + 1):
        cells = list(cells)
        if not any(cell_text(c) for c in cells):
            continue
        count += 1
        if count > limits.max_rows:
            raise file_error(_("The file has more than %(n)d rows; split it.") % {"n": limits.max_rows})
        bad_cells = _control_character_errors(number, cells, names)
        if bad_cells:  # the row is left out; its problems are reported with the caller's checks
            table.errors.extend(bad_cells)
            continue
        if len(cells) > width and any(cell_text(c) for c in cells[width:]):
            table.errors.append(RowError(number, "row", _("More cells than columns in the header.")))
            continue
        cells = cells + [None] * (width - len(cells))
        table.rows.append(TableRow(number, {name: _clean(cells[i]) for name, i in positions.items()}))
    if not table.rows and not table.errors:
        raise file_error(_("The file has no data rows."))
    return table


def _control_character_errors(number: int, cells: list, names: list[str]) -> list[RowError]:
    """One error per text cell with a control character (apps.core.text), naming its column."""
    errors = []
    for position, cell in enumerate(cells):
        char = first_control_character(cell)
        if char is None:
            continue
        column = (
            names[position]
            if position < len(names) and names[position]
            else _("column %(n)d") % {"n": position + 1}
        )
        errors.append(RowError(number, column, f"{column}: {control_character_message(char)}"))
    return errors


def _text_lines(binary, limits: Limits) -> Iterator[str]:
    """Decode a binary stream as UTF-8 (BOM accepted) line by line, at most `max_bytes`."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    buffer, total, line_no = "", 0, 1
    not_utf8 = _("The file is not UTF-8 text (near line %(n)d). Save it as CSV UTF-8.")
    while True:
        chunk = binary.read(64 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > limits.max_bytes:
            raise _too_large(limits)
        try:
            buffer += decoder.decode(chunk)
        except UnicodeDecodeError:
            raise file_error(not_utf8 % {"n": line_no}) from None
        *lines, buffer = buffer.split("\n")
        for line in lines:
            line_no += 1
            yield line + "\n"
    try:
        buffer += decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise file_error(not_utf8 % {"n": line_no}) from None
    if buffer:
        yield buffer


def _read_csv(binary, columns: Columns, limits: Limits) -> Table:
    reader = csv.reader(_text_lines(binary, limits), strict=True)

    def records():
        while True:
            try:
                yield next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise file_error(
                    _("Malformed CSV near line %(n)d: %(error)s.") % {"n": reader.line_num, "error": exc}
                ) from None

    return _records(records(), columns, limits, _("The CSV file"))


def open_workbook(binary, limits: Limits = Limits()):
    """A read-only openpyxl workbook of an upload, after the size and zip-bomb checks.

    The caller closes it. Raises ImportRejected when the file is not a readable workbook.
    """
    from openpyxl import load_workbook

    unreadable = _("The file is not a readable xlsx workbook.")
    data = binary.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise _too_large(limits)
    buffer = io.BytesIO(data)
    try:
        with zipfile.ZipFile(buffer) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise file_error(unreadable) from None
    if unpacked > limits.max_unpacked_bytes:  # a zip bomb is refused before anything is unpacked
        raise file_error(_("The workbook is too large when unpacked."))
    if "xl/workbook.xml" not in names:
        raise file_error(unreadable)
    buffer.seek(0)
    try:
        return load_workbook(buffer, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on broken files
        raise file_error(unreadable) from None


def read_sheet(sheet, *, columns: Columns, limits: Limits = Limits(), where: str = "") -> Table:
    """The records of one worksheet of an open workbook (header in row 1)."""
    where = where or _("The sheet “%(name)s”") % {"name": sheet.title}
    try:
        return _records(sheet.iter_rows(max_col=limits.max_columns, values_only=True), columns, limits, where)
    except ImportRejected:
        raise
    except Exception:
        raise file_error(_("The file is not a readable xlsx workbook.")) from None


def _read_xlsx(binary, columns: Columns, limits: Limits) -> Table:
    workbook = open_workbook(binary, limits)
    try:
        if not workbook.worksheets:
            raise file_error(_("The workbook has no sheets."))
        sheet = workbook.worksheets[0]
        others = [ws.title for ws in workbook.worksheets[1:]]
        where = _("The first sheet “%(name)s”") % {"name": sheet.title}
        if others:
            where += _(" (the values must be on the first sheet; other sheets: %(others)s)") % {
                "others": ", ".join(others[:5])
            }
        return read_sheet(sheet, columns=columns, limits=limits, where=where)
    finally:
        workbook.close()
