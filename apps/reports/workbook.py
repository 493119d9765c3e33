"""The Excel template of one report (values sheet with units, hints, last year's values) and
reading a filled template back into that report, and the CSV/xlsx exports of reports and values.

The template is filled with the report's current values so that uploading it unchanged
changes nothing; a blank value cell clears that value.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.core.exports import XLSX_CONTENT_TYPE, Sheet, xlsx_bytes, xlsx_workbook
from apps.core.tables import Columns, ImportRejected, Limits, cell_text, open_workbook, read_sheet

from . import selectors
from .imports import MAX_BYTES, MAX_UNPACKED_BYTES
from .models import Report
from .selectors import indicators
from .validation import hint_text, parse_decimal

XLSX = XLSX_CONTENT_TYPE
VALUES_SHEET = "values"
ABOUT_SHEET = "report"
TEMPLATE_COLUMNS = ("indicator", "name", "unit", "required", "hints", "previous_year", "value", "note")


def build_template(report: Report) -> bytes:
    """An xlsx template for one report: a values sheet and a sheet naming the report."""
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    values, notes = selectors.report_values(report)
    previous = selectors.previous_year_values(report.region_id, report.year)
    catalog = indicators()
    rows = [
        [
            ind.code,
            ind.name,
            ind.unit_label,
            _("yes") if ind.required else _("no"),
            hint_text(ind, catalog),
            previous.get(ind.code),
            values.get(ind.code),
            notes.get(ind.code, ""),
        ]
        for ind in catalog
    ]
    about_rows = [
        [report.region.code, report.region.name, report.year, report.revision],
        [],
        [
            _(
                "Fill in the columns value and note of the sheet “values”, "
                "then upload the file on the report page."
            )
        ],
    ]
    workbook = xlsx_workbook(
        [
            Sheet(VALUES_SHEET, TEMPLATE_COLUMNS, rows, widths=(24, 34, 14, 9, 60, 14, 16, 50), freeze="G2"),
            Sheet(ABOUT_SHEET, ["region_code", "region_name", "year", "revision"], about_rows, styled=False),
        ]
    )
    sheet = workbook[VALUES_SHEET]
    number = DataValidation(
        type="decimal", operator="between", formula1="-1E+14", formula2="1E+14", allow_blank=True
    )
    number.error = _("Enter a number (a point as the decimal separator).")
    sheet.add_data_validation(number)
    editable = PatternFill("solid", fgColor="FFF7D6")
    for row in range(2, len(catalog) + 2):
        number.add(f"G{row}")
        sheet[f"G{row}"].fill = editable
        sheet[f"H{row}"].fill = editable
    return xlsx_bytes(workbook)


TEMPLATE_TABLE = Columns(required=("indicator", "value"), optional=("note",), other_columns_allowed=True)


def read_template(report: Report, upload) -> tuple[dict[str, Decimal | None], dict[str, str], list[str]]:
    """Values and notes of a filled template for `report`, and the problems found.

    Read by the one table reader (size and zip-bomb limits, formula escaping undone). Cells
    that cannot be read are reported (with their row) and left out, so the rest can still be
    saved as a draft. A template of another region or year is refused.
    """
    limits = Limits(max_bytes=MAX_BYTES, max_unpacked_bytes=MAX_UNPACKED_BYTES)
    try:
        workbook = open_workbook(upload, limits)
    except ImportRejected as exc:
        raise ValidationError({"file": [e.message for e in exc.row_errors]}) from None
    try:
        names = workbook.sheetnames
        if VALUES_SHEET not in names or ABOUT_SHEET not in names:
            raise ValidationError(
                {"file": _("This is not the report's template (sheets “values” and “report” are missing).")}
            )
        about = list(workbook[ABOUT_SHEET].iter_rows(min_row=2, max_row=2, values_only=True))
        code, _name, year = (list(about[0]) + [None] * 3)[:3] if about else (None, None, None)
        if cell_text(code) != report.region.code or cell_text(year) != str(report.year):
            raise ValidationError(
                {
                    "file": _("This template is for %(code)s %(year)s, not for this report.")
                    % {"code": code, "year": year}
                }
            )
        try:
            table = read_sheet(workbook[VALUES_SHEET], columns=TEMPLATE_TABLE, limits=limits)
        except ImportRejected:
            raise ValidationError(
                {"file": _("The sheet “values” has no columns indicator and value.")}
            ) from None
    finally:
        workbook.close()
    catalog = {i.code for i in indicators()}
    values: dict[str, Decimal | None] = {}
    notes: dict[str, str] = {}
    problems: list[str] = [str(e) for e in table.errors]
    for row in table.rows:
        code = row.text("indicator")
        if not code:
            continue
        if code not in catalog:
            problems.append(
                _("Row %(row)d: unknown indicator “%(code)s”.") % {"row": row.row, "code": code[:40]}
            )
            continue
        try:
            values[code] = parse_decimal(row["value"], field_name=code)
        except ValidationError as exc:
            problems.append(
                _("Row %(row)d: %(code)s: %(msg)s")
                % {"row": row.row, "code": code, "msg": " ".join(exc.message_dict[code])}
            )
        if "note" in row.cells:
            notes[code] = row.text("note")
    if len(problems) > 100:
        problems = [*problems[:100], _("… and more.")]
    return values, notes, problems


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
