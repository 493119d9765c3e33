"""The Excel template of one report (values sheet with units, hints, last year's values) and
reading a filled template back into that report, and the CSV/xlsx exports of reports and values.

The template is filled with the report's current values so that uploading it unchanged
changes nothing; a blank value cell clears that value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _

from . import selectors
from .imports import MAX_BYTES, MAX_UNPACKED_BYTES
from .models import Report
from .selectors import indicators
from .validation import hints, parse_decimal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VALUES_SHEET = "values"
ABOUT_SHEET = "report"
TEMPLATE_COLUMNS = ("indicator", "name", "unit", "required", "hints", "previous_year", "value", "note")


def build_template(report: Report) -> bytes:
    """An xlsx template for one report: a values sheet and a sheet naming the report."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    values, notes = selectors.report_values(report)
    previous = selectors.previous_year_values(report.region_id, report.year)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = VALUES_SHEET
    sheet.append(list(TEMPLATE_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    number = DataValidation(
        type="decimal", operator="between", formula1="-1E+14", formula2="1E+14", allow_blank=True
    )
    number.error = _("Enter a number (a point as the decimal separator).")
    sheet.add_data_validation(number)
    editable = PatternFill("solid", fgColor="FFF7D6")
    for row, ind in enumerate(indicators(), start=2):
        sheet.append(
            [
                ind.code,
                ind.name,
                ind.unit_label,
                _("yes") if ind.required else _("no"),
                "; ".join(hints(ind)),
                previous.get(ind.code),
                values.get(ind.code),
                notes.get(ind.code, ""),
            ]
        )
        number.add(f"G{row}")
        sheet[f"G{row}"].fill = editable
        sheet[f"H{row}"].fill = editable
    for column, width in zip("ABCDEFGH", (24, 34, 14, 9, 60, 14, 16, 50), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "G2"
    about = workbook.create_sheet(ABOUT_SHEET)
    about.append(["region_code", "region_name", "year", "revision"])
    about.append([report.region.code, report.region.name, report.year, report.revision])
    about.append([])
    about.append(
        [
            _(
                "Fill in the columns value and note of the sheet “values”, "
                "then upload the file on the report page."
            )
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_template(report: Report, upload) -> tuple[dict[str, Decimal | None], dict[str, str], list[str]]:
    """Values and notes of a filled template for `report`, and the problems found.

    Cells that cannot be read are reported (with their row) and left out, so the rest
    can still be saved as a draft. A template of another region or year is refused.
    """
    import zipfile

    from openpyxl import load_workbook

    if upload.size > MAX_BYTES:
        raise ValidationError({"file": _("The file is too large.")})
    data = upload.read()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ValidationError({"file": _("The workbook is too large when unpacked.")})
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception:
        raise ValidationError({"file": _("The file is not a readable xlsx workbook.")}) from None
    try:
        names = workbook.sheetnames
        if VALUES_SHEET not in names or ABOUT_SHEET not in names:
            raise ValidationError(
                {"file": _("This is not the report's template (sheets “values” and “report” are missing).")}
            )
        about = list(workbook[ABOUT_SHEET].iter_rows(min_row=2, max_row=2, values_only=True))
        code, _name, year = (list(about[0]) + [None] * 3)[:3] if about else (None, None, None)
        if str(code or "").strip() != report.region.code or str(year or "").strip() != str(report.year):
            raise ValidationError(
                {
                    "file": _("This template is for %(code)s %(year)s, not for this report.")
                    % {"code": code, "year": year}
                }
            )
        catalog = {i.code for i in indicators()}
        values: dict[str, Decimal | None] = {}
        notes: dict[str, str] = {}
        problems: list[str] = []
        rows = workbook[VALUES_SHEET].iter_rows(values_only=True)
        header = [str(c or "").strip().lower() for c in next(rows, ())]
        if "indicator" not in header or "value" not in header:
            raise ValidationError({"file": _("The sheet “values” has no columns indicator and value.")})
        i_code, i_value = header.index("indicator"), header.index("value")
        i_note = header.index("note") if "note" in header else None
        for number, cells in enumerate(rows, start=2):
            cells = list(cells) + [None] * len(header)
            code = str(cells[i_code] or "").strip()
            if not code:
                continue
            if code not in catalog:
                problems.append(
                    _("Row %(row)d: unknown indicator “%(code)s”.") % {"row": number, "code": code[:40]}
                )
                continue
            try:
                values[code] = parse_decimal(cells[i_value], field_name=code)
            except ValidationError as exc:
                problems.append(
                    _("Row %(row)d: %(code)s: %(msg)s")
                    % {"row": number, "code": code, "msg": " ".join(exc.message_dict[code])}
                )
            if i_note is not None:
                notes[code] = str(cells[i_note] or "").strip()
        if len(problems) > 100:
            problems = [*problems[:100], _("… and more.")]
        return values, notes, problems
    finally:
        workbook.close()


# --- exports -------------------------------------------------------------------------------

REPORT_COLUMNS = (
    "region_code",
    "region_name",
    "level",
    "year",
    "revision",
    "status",
    "submitted_at",
    "forwarded_at",
    "approved_at",
    "updated_at",
)
VALUE_COLUMNS = ("region_code", "year", "indicator", "value", "note", "unit", "revision", "status")


def _iso(value) -> str:
    return value.isoformat() if value else ""


def report_rows(reports: Iterable[Report]):
    for r in reports:
        yield [
            r.region.code,
            r.region.name,
            r.region.level,
            r.year,
            r.revision,
            r.status,
            _iso(r.submitted_at),
            _iso(r.forwarded_at),
            _iso(r.approved_at),
            _iso(r.updated_at),
        ]


def value_rows(values):
    """Rows in the exchange format (re-importable), plus unit, revision and status for people."""
    for v in values:
        yield [
            v.report.region.code,
            v.report.year,
            v.indicator.code,
            "" if v.value is None else format(v.value.normalize(), "f"),
            v.note,
            v.indicator.unit,
            v.report.revision,
            v.report.status,
        ]


def table_response(filename: str, columns, rows, fmt: str) -> HttpResponse:
    """A CSV (UTF-8 with BOM, so Excel reads it) or xlsx download of a table."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(filename)
        sheet.append(list(columns))
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(columns)
    writer.writerows(rows)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
