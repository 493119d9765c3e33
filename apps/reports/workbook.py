"""The Excel template of one report (values sheet with units, hints, last year's values) and
reading a filled template back into that report, and the CSV/xlsx exports of reports and values.

The template is filled with the report's current values so that uploading it unchanged
changes nothing; a blank value cell clears that value.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.exports import (
    XLSX_CONTENT_TYPE,
    Cell,
    Sheet,
    download,
    filter_text,
    number_format,
    people_sheet,
    people_xlsx,
    table_response,
    xlsx_bytes,
    xlsx_workbook,
)
from apps.core.tables import Columns, ImportRejected, Limits, cell_text, open_workbook, read_sheet
from apps.regions.selectors import by_code

from . import selectors
from .imports import MAX_BYTES, MAX_UNPACKED_BYTES, PEOPLE_VALUE_COLUMNS
from .models import Report, ReportStatus, ReportValue
from .selectors import indicators
from .validation import hint_text, parse_decimal

XLSX = XLSX_CONTENT_TYPE
VALUES_SHEET = "values"
ABOUT_SHEET = "report"
TEMPLATE_COLUMNS = ("indicator", "name", "unit", "required", "hints", "previous_year", "value", "note")
# The template's headers for people, in the user's language; the import maps them back (any language)
TEMPLATE_LABELS = (
    gettext_lazy("Indicator code"),
    gettext_lazy("Indicator name"),
    gettext_lazy("Unit"),
    gettext_lazy("Required"),
    gettext_lazy("Checks"),
    gettext_lazy("Last year's value"),
    gettext_lazy("Value"),
    gettext_lazy("Note"),
)


def build_template(report: Report) -> bytes:
    """An xlsx template for one report: a values sheet (a title and how to fill it in above the
    header, which stays in view) and a sheet naming the report (read back on upload)."""
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
    instructions = _(
        "Fill in the columns “Value” and “Note” (yellow) of this sheet, then upload the file on the "
        "report page. Keep the indicator codes and the sheet “report” as they are."
    )
    about_rows = [
        [report.region.code, report.region.name, report.year, report.revision],
        [],
        [instructions],
    ]
    title = _("Annual progress report %(year)s · %(region)s · template") % {
        "year": report.year,
        "region": report.region.name,
    }
    values_sheet = people_sheet(
        title,
        [str(label) for label in TEMPLATE_LABELS],
        rows,
        filters=[
            filter_text(_("Region"), f"{report.region.name}（{report.region.code}）"),
            filter_text(_("Year"), report.year),
            filter_text(_("Revision"), report.revision),
        ],
        notes=[instructions],
        sheet_title=VALUES_SHEET,
        widths=(16, 34, 14, 9, 60, 16, 16, 50),
    )
    header_row = len(values_sheet.preamble) + 1
    values_sheet.freeze = f"G{header_row + 1}"  # the header and the indicator columns stay in view
    about_header = [_("Region code"), _("Region"), _("Year"), _("Revision")]  # read by position
    workbook = xlsx_workbook(
        [
            values_sheet,
            Sheet(ABOUT_SHEET, [str(h) for h in about_header], about_rows, freeze=None),
        ]
    )
    sheet = workbook[VALUES_SHEET]
    number = DataValidation(
        type="decimal", operator="between", formula1="-1E+14", formula2="1E+14", allow_blank=True
    )
    number.error = _("Enter a number (a point as the decimal separator).")
    sheet.add_data_validation(number)
    editable = PatternFill("solid", fgColor="FFF7D6")
    for row in range(header_row + 1, header_row + len(catalog) + 1):
        number.add(f"G{row}")
        sheet[f"G{row}"].fill = editable
        sheet[f"H{row}"].fill = editable
    return xlsx_bytes(workbook)


TEMPLATE_TABLE = Columns(
    required=("indicator", "value"),
    optional=("note",),
    other_columns_allowed=True,
    aliases=tuple(zip(TEMPLATE_LABELS, TEMPLATE_COLUMNS, strict=True)),
)


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


def filter_texts(form) -> list[str]:
    """The list filters a download applied, as people read them (regions by name, status by label)."""
    if form is None or not form.is_bound or not form.is_valid():
        return []
    data, texts = form.cleaned_data, []
    for key, label in (("region", _("Region")), ("city", _("City"))):
        if data.get(key):
            region = by_code(data[key])
            texts.append(filter_text(label, f"{region.name}（{region.code}）" if region else data[key]))
    if data.get("year"):
        texts.append(filter_text(_("Year"), data["year"]))
    if data.get("status"):
        texts.append(filter_text(_("Status"), dict(ReportStatus.choices).get(data["status"], data["status"])))
    return texts


# --- the same exports for people (xlsx): names, labels, local times, units -------------------------


def _decimals(value: Decimal | None) -> int:
    """Decimals a value was entered with (at most 6): shown as entered, with thousands separators."""
    if value is None or not value.is_finite():
        return 0
    return min(max(-value.normalize().as_tuple().exponent, 0), 6)


def reports_xlsx(reports: Iterable[Report], *, filters: list[str]) -> bytes:
    """The report list for people: region names and codes, status names, times in Beijing time."""
    levels = {}
    statuses = dict(ReportStatus.choices)

    def level(region) -> str:
        if region.level not in levels:
            levels[region.level] = str(region.get_level_display())
        return levels[region.level]

    rows = (
        [
            r.region.name,
            r.region.code,
            level(r.region),
            r.year,
            r.revision,
            str(statuses.get(r.status, r.status)),
            r.submitted_at,
            r.forwarded_at,
            r.approved_at,
            r.updated_at,
        ]
        for r in reports
    )
    header = [
        _("Region"),
        _("Region code"),
        _("Level"),
        _("Year"),
        _("Revision"),
        _("Status"),
        _("Submitted at"),
        _("Forwarded at"),
        _("Approved at"),
        _("Updated at"),
    ]
    return people_xlsx(_("Annual progress reports"), header, rows, filters=filters, sheet_title=_("Reports"))


def values_xlsx(values, *, filters: list[str]) -> bytes:
    """The values for people: indicator names with codes beside them, numbers with their units and
    shown as entered (full precision kept); the file imports again as it is (PEOPLE_VALUE_COLUMNS)."""
    statuses = dict(ReportStatus.choices)
    rows = (
        [
            v.report.region.name,
            v.report.region.code,
            v.report.year,
            v.indicator.name,
            v.indicator.code,
            None if v.value is None else Cell(float(v.value), number_format(_decimals(v.value))),
            v.indicator.unit_label,
            v.note,
            v.report.revision,
            str(statuses.get(v.report.status, v.report.status)),
        ]
        for v in values
    )
    header = [str(label) for label, _column in PEOPLE_VALUE_COLUMNS]
    return people_xlsx(_("Reported values"), header, rows, filters=filters, sheet_title=_("Values"))


def export_download(what: str, fmt: str, reports, *, filters: list[str]) -> HttpResponse:
    """The reports or their values: CSV machine-shaped (exchange.md), xlsx for people."""
    if what == "reports":
        reports = reports.select_related("region").order_by("-year", "region__path", "-revision")
        if fmt == "xlsx":
            return download(reports_xlsx(reports, filters=filters), "reports.xlsx")
        return table_response("reports", REPORT_COLUMNS, report_rows(reports), fmt)
    values = (
        ReportValue.objects.filter(report__in=reports.values("pk"))
        .select_related("report__region", "indicator")
        .order_by("report__region__path", "report__year", "report__revision", "indicator__order")
    )
    if fmt == "xlsx":
        return download(values_xlsx(values, filters=filters), "values.xlsx")
    return table_response("values", VALUE_COLUMNS, value_rows(values), fmt)
