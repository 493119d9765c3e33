"""The one CSV / xlsx writer of the portal (shared/spec/exchange.md "Files").

Every file the portal produces goes through here, so formula escaping is applied once:
a text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
`'`, so that no spreadsheet runs it as a formula. Numbers stay numbers (a string that is
a plain number, like "-6", is a number written as text, not a formula, and is left alone).
`apps.core.tables` removes the `'` again on import, so an export re-imports unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def escape_text(text: str) -> str:
    """A text cell as it is written: a leading `'` before a formula-like start (exchange.md)."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_text(text: str) -> str:
    """Undo `escape_text`: one leading `'` before a formula-like start is removed on import."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def csv_cell(value) -> str | int | float:
    """A value as a CSV cell: numbers in full precision with `.`, text escaped, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return escape_text(str(value))


def xlsx_cell(value):
    """A value as an xlsx cell: numbers and dates native (naive local time), text escaped."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    return escape_text(str(value))


DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"


def _number_format_of(value) -> str | None:
    """The Excel format a cell gets: a `Cell`'s own, local date-times to the minute, dates as ISO."""
    if isinstance(value, Cell):
        return value.number_format
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    return None


def write_csv(out: IO[str], columns: Sequence, rows: Iterable[Sequence], *, lineterminator="\r\n") -> int:
    """Write a header and rows to a text stream; returns the number of data rows."""
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([csv_cell(c) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        count += 1
    return count


@dataclass(frozen=True)
class Cell:
    """A value with an Excel number format (e.g. "#,##0.00"): shown rounded, stored in full."""

    value: object
    number_format: str = "General"

    def __str__(self) -> str:
        return "" if self.value is None else str(self.value)


@dataclass
class Sheet:
    """One worksheet: a title, a header row (bold, frozen) and the rows.

    `preamble` rows (a title, the filters used, the data version, …) come before the header row,
    whose pane is then frozen below it; a `Cell` in a row carries its own number format.
    """

    title: str
    columns: Sequence
    rows: Iterable[Sequence]
    widths: Sequence[int] | None = None  # column widths; None: fitted to the first 200 rows
    freeze: str | None = "A2"
    styled: bool = True  # bold header, frozen pane, fitted widths (False: plain, streamed if all are)
    preamble: Sequence[Sequence] = ()


def xlsx_workbook(sheets: Sequence[Sheet]):
    """An openpyxl Workbook with the given sheets, every cell written through `xlsx_cell`.

    Callers that add styles or data validation to the cells (the report template) do so
    on the returned workbook and save it with `xlsx_bytes`. A workbook of plain sheets only
    is write-only (rows streamed, little memory) and can only be saved.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    write_only = not any(spec.styled for spec in sheets)  # streams: large plain exports
    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    for spec in sheets:
        sheet = workbook.create_sheet(str(spec.title)[:31])
        for line in spec.preamble:
            append_row(sheet, line)
        header_row = len(spec.preamble) + 1
        append_row(sheet, spec.columns)
        fitted = [len(str(c)) for c in spec.columns]
        for number, row in enumerate(spec.rows):
            append_row(sheet, row)
            if spec.styled and spec.widths is None and number < 200:
                for i, value in enumerate(row):
                    length = len(_shown_text(value)) if value is not None else 0
                    if i < len(fitted):
                        fitted[i] = max(fitted[i], length)
                    else:
                        fitted.append(length)
        if spec.styled:
            for cell in sheet[header_row]:
                cell.font = Font(bold=True)
            if spec.preamble:
                sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
            if spec.freeze:
                sheet.freeze_panes = (
                    f"A{header_row + 1}" if spec.preamble and spec.freeze == "A2" else spec.freeze
                )
            if spec.widths is None:
                fitted = (
                    _fit_preamble([len(str(c)) for c in spec.columns], spec.preamble)
                    if spec.preamble
                    else fitted
                )
                if spec.preamble:  # preamble text runs across: fit to the header and the rows
                    for row in sheet.iter_rows(
                        min_row=header_row + 1, max_row=header_row + 200, values_only=True
                    ):
                        for i, value in enumerate(row):
                            if i < len(fitted) and value is not None:
                                fitted[i] = max(fitted[i], len(_shown_text(value)))
            widths = spec.widths or [min(max(w + 2, 8), 60) for w in fitted]
            if spec.widths and spec.preamble:  # given widths, widened where a preamble label needs it
                needed = _fit_preamble([0] * len(widths), spec.preamble)
                widths = [max(w, n + 2 if n else 0) for w, n in zip(widths, needed, strict=True)]
            from openpyxl.utils import get_column_letter

            for i, width in enumerate(widths, start=1):
                sheet.column_dimensions[get_column_letter(i)].width = width
    return workbook


def xlsx_report(spec: Sheet) -> bytes:
    """One styled sheet for people, streamed (write-only: little memory, fast for large tables):
    a bold title (first preamble line), the preamble, a bold header frozen below, widths fitted
    to the header and the first 200 rows (CJK counted wide), `Cell` number formats kept."""
    from itertools import chain, islice

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(spec.title)[:31])
    rows = iter(spec.rows)
    head = list(islice(rows, 200))
    fitted = _fit_preamble([len(_shown_text(c)) for c in spec.columns], spec.preamble)
    for row in head:
        for i, value in enumerate(row[: len(fitted)]):
            if value is not None:
                fitted[i] = max(fitted[i], len(_shown_text(value)))
    for i, width in enumerate(spec.widths or [min(max(w + 2, 8), 60) for w in fitted], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    header_row = len(spec.preamble) + 1
    if spec.freeze:
        sheet.freeze_panes = f"A{header_row + 1}" if spec.freeze == "A2" else spec.freeze

    def cell(value, font=None):
        raw = value.value if isinstance(value, Cell) else value
        written = WriteOnlyCell(sheet, value=xlsx_cell(raw))
        number_format = _number_format_of(value)
        if number_format is not None:
            written.number_format = number_format
        if font is not None:
            written.font = font
        return written

    for number, line in enumerate(spec.preamble):
        font = Font(bold=True, size=13) if number == 0 else None
        sheet.append([cell(v, font) for v in line])
    bold = Font(bold=True)
    sheet.append([cell(c, bold) for c in spec.columns])
    for row in chain(head, rows):
        sheet.append([cell(v) for v in row])
    return xlsx_bytes(workbook)


def _fit_preamble(fitted: list[int], preamble: Sequence[Sequence]) -> list[int]:
    """Widths that also fit the preamble's labels (first cell of a label/value line) and its
    non-text values (a date-time too narrow shows as ####); its text values run across."""
    for line in preamble:
        if len(line) < 2:
            continue  # a title or a note runs across the empty cells to its right
        for i, value in enumerate(line[: len(fitted)]):
            raw = value.value if isinstance(value, Cell) else value
            if value is not None and (i == 0 or not isinstance(raw, str)):
                fitted[i] = max(fitted[i], len(_shown_text(value)))
    return fitted


def _shown_text(value) -> str:
    """A cell's text length for fitting widths; CJK characters count double (they are wide)."""
    raw = value.value if isinstance(value, Cell) else value
    if isinstance(raw, datetime):
        return "2026-01-01 00:00"  # shown to the minute (DATETIME_FORMAT)
    if isinstance(raw, float):
        return f"{raw:,.2f}"  # shown rounded: the full float's digits would widen the column
    text = str(raw)
    return text + "".join(ch for ch in text if ord(ch) > 0x2E80)


def append_row(sheet, values: Sequence) -> None:
    """Append one row with every text cell escaped (so none starts with "=": never a formula)."""
    sheet.append([xlsx_cell(v.value if isinstance(v, Cell) else v) for v in values])
    formats = [(i, f) for i, v in enumerate(values, start=1) if (f := _number_format_of(v)) is not None]
    if formats and hasattr(sheet, "cell"):  # write-only sheets keep the value only
        row = sheet._current_row  # the row just appended (max_row would scan every cell: quadratic)
        for column, number_format in formats:
            sheet.cell(row=row, column=column).number_format = number_format


def xlsx_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_xlsx(title: str, columns: Sequence, rows: Iterable[Sequence], **options) -> bytes:
    """An xlsx with one sheet (bold, frozen header) of the given rows."""
    return xlsx_bytes(xlsx_workbook([Sheet(title=title, columns=columns, rows=rows, **options)]))


def table_csv(columns: Sequence, rows: Iterable[Sequence], *, bom: bool = True) -> str:
    """A CSV text of the rows (with a BOM by default, so Excel reads it as UTF-8)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    write_csv(out, columns, rows)
    return out.getvalue()


def download(content: bytes | str, filename: str) -> HttpResponse:
    """An attachment response; the content type follows the file name's extension."""
    content_type = XLSX_CONTENT_TYPE if filename.endswith(".xlsx") else CSV_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_response(
    filename: str,
    columns: Sequence,
    rows: Iterable[Sequence],
    fmt: str,
    *,
    sheet_title: str | None = None,
    filters: Sequence[str] = (),
) -> HttpResponse:
    """A CSV (UTF-8 with BOM, machine-shaped) or xlsx (for people: `people_xlsx`) download of one
    table; `filename` without extension. The xlsx columns should be labels for people."""
    if fmt == "xlsx":
        title = str(sheet_title or filename)
        return download(people_xlsx(title, columns, rows, filters=filters), f"{filename}.xlsx")
    return download(table_csv(columns, rows), f"{filename}.csv")


def wants_xlsx(request) -> bool:
    """A list page asked for its Excel download (`?export=xlsx`)."""
    return request.GET.get("export") == "xlsx"


def xlsx_response(
    filename: str,
    sheet_title: str,
    headers: Sequence,
    rows: Iterable[Sequence],
    *,
    filters: Sequence[str] = (),
) -> HttpResponse:
    """An .xlsx attachment of a list page's rows for people (`people_xlsx`).

    The view passes the same scoped, filtered queryset it shows, so a download never holds
    a row the page would not show, and names the filters it applied.
    """
    return download(people_xlsx(str(sheet_title), headers, rows, filters=filters), filename)


# --- downloads for people: title, filters, data version, local time (issue 15) -------------------

_data_version_sources: list[Callable[[], object]] = []


def register_data_version(source: Callable[[], object]) -> None:
    """The app that owns the figures (monitoring, in its `ready()`) tells the writer which data
    version the portal shows; core imports no app, so every export can state it (DESIGN.md)."""
    _data_version_sources[:] = [source]


def data_version_text() -> str:
    """The current data version as people read it, e.g. "数据版本 #412 · 2026-11-30 02:31 · 规范 v1.1"."""
    return str(_data_version_sources[0]()) if _data_version_sources else _("not recorded")


def is_chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def with_unit(name: str, unit: str) -> str:
    """A header with its unit, in the brackets of the active language: 能源消费总量（万吨标准煤）."""
    name = str(name)
    if not unit:
        return name
    return f"{name}（{unit}）" if is_chinese() else f"{name} ({unit})"


def number_format(precision: int | None) -> str:
    """The Excel format showing a number with `precision` decimals and thousands separators."""
    decimals = max(int(precision or 0), 0)
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def filter_text(label: str, value) -> str:
    """One filter as people read it: 年份：2024 / Year: 2024."""
    return f"{label}：{value}" if is_chinese() else f"{label}: {value}"


def labelled_filter_texts(
    values: Mapping[str, object], labels: Mapping[str, str], names: Mapping[str, Mapping] | None = None
) -> list[str]:
    """The filters set among `values` (query parameters), each under its label and, where
    `names[key]` knows the value (a choice's code), by its name: ["状态：已批准", …]."""
    names = names or {}
    return [
        filter_text(label, names.get(key, {}).get(values[key], values[key]))
        for key, label in labels.items()
        if values.get(key)
    ]


def people_preamble(
    title: str, filters: Sequence[str] = (), *, version: str | None = None, notes: Sequence[str] = ()
) -> list[list]:
    """The lines above the header of every xlsx for people: the title, the filters used, the data
    version (the current one unless a frozen document names its own) and the local time it was
    made (Asia/Shanghai, a real date-time), then any notes and a blank line."""
    separator = "；" if is_chinese() else "; "
    made = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    return [
        [str(title)],
        [_("Filters"), separator.join(str(f) for f in filters) or _("none (everything you may read)")],
        [_("Data version"), version if version is not None else data_version_text()],
        [_("Generated at (Beijing time)"), Cell(made, DATETIME_FORMAT)],
        *([str(note)] for note in notes),
        [],
    ]


def people_sheet(
    title: str,
    columns: Sequence,
    rows: Iterable[Sequence],
    *,
    filters: Sequence[str] = (),
    version: str | None = None,
    notes: Sequence[str] = (),
    sheet_title: str | None = None,
    **options,
) -> Sheet:
    """A `Sheet` for people: the preamble, then the header (frozen below it) and the rows."""
    return Sheet(
        title=str(sheet_title or title),
        columns=[str(c) for c in columns],
        rows=rows,
        preamble=people_preamble(title, filters, version=version, notes=notes),
        **options,
    )


def people_xlsx(title: str, columns: Sequence, rows: Iterable[Sequence], **options) -> bytes:
    """One sheet for people (`people_sheet`), streamed by `xlsx_report`."""
    return xlsx_report(people_sheet(title, columns, rows, **options))


def form_filter_texts(form, *, skip: Sequence[str] = ("export", "page", "format")) -> list[str]:
    """The filters a bound filter form applied, as people read them ("状态：已批准"): its fields'
    labels and the chosen values' names (choices by label, objects by their text), never codes."""
    if form is None or not form.is_bound or not form.is_valid():
        return []
    texts = []
    for name, value in form.cleaned_data.items():
        if name in skip or value in (None, "", [], ()) or value is False:
            continue
        field = form.fields[name]
        choices = {str(k): v for k, v in getattr(field, "choices", ()) if not isinstance(v, list | tuple)}
        values = value if isinstance(value, list | tuple) else [value]
        shown = (
            "、".join(str(choices.get(str(v), v)) for v in values)
            if is_chinese()
            else ", ".join(str(choices.get(str(v), v)) for v in values)
        )
        texts.append(filter_text(str(field.label or name), shown))
    return texts
