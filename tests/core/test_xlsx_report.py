"""`exports.xlsx_report`: the styled, streamed sheet for people (issue 10 exports)."""

import io

from openpyxl import load_workbook

from apps.core.exports import Cell, Sheet, xlsx_report


def _sheet(**options):
    spec = Sheet(
        title="t",
        columns=["地区", "value"],
        rows=[["=cmd()", Cell(3221.84295270478, "#,##0.00")], ["南昌市", None]],
        preamble=[["Title"], ["data version #1"], []],
        **options,
    )
    return load_workbook(io.BytesIO(xlsx_report(spec))).active


def test_report_sheet_has_title_preamble_frozen_bold_header_and_number_formats():
    sheet = _sheet()
    assert sheet["A1"].value == "Title" and sheet["A1"].font.b
    assert [c.value for c in sheet[4]] == ["地区", "value"] and sheet["A4"].font.b
    assert sheet.freeze_panes == "A5"
    assert sheet["B5"].value == 3221.84295270478 and sheet["B5"].number_format == "#,##0.00"
    assert sheet.column_dimensions["A"].width >= 8


def test_report_sheet_escapes_formula_like_text():
    assert _sheet()["A5"].value == "'=cmd()"
