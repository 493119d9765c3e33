"""import_values (exchange.md): the worked example, states, permissions, and bad files."""

import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from apps.core.exports import table_response
from apps.core.tables import ImportRejected
from apps.regions.selectors import by_code
from apps.reports import imports
from apps.reports.models import EventKind, Report, ReportStatus, ReportValue
from apps.reports.selectors import approved_values
from apps.reports.services import values_import
from tests.factories import GOOD_VALUES, make_report

pytestmark = pytest.mark.django_db
WORKED = Path(__file__).parent / "data" / "worked_values.csv"
HEADER = "region_code,year,indicator,value\n"


# Last year's energy figures a quarter lower than GOOD_VALUES (consistent among themselves): this
# year's total energy is +25 %, beyond its ±20 %; the single fuels (+25 %) stay within their ±30 %.
ENERGY_A_QUARTER_LOWER = {
    **GOOD_VALUES,
    **{
        code: GOOD_VALUES[code] / Decimal("1.25")
        for code in (
            "energy_total",
            "energy_coal",
            "energy_oil",
            "energy_gas",
            "energy_nonfossil",
            "renewable_power",
            "feedstock_energy",
        )
    },
}


def csv_file(text: str, *, bom: bool = False) -> io.BytesIO:
    return io.BytesIO(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def rows_for(code: str, year: int, values=GOOD_VALUES, notes=None) -> str:
    notes = notes or {}
    return "".join(
        f"{code},{year},{k},{v}{',' + notes[k] if k in notes else ''}\n" for k, v in values.items()
    )


def do_import(user, text: str, **kwargs):
    return values_import(user=user, file=csv_file(text), filename="values.csv", **kwargs)


def rejected(user, data, filename="values.csv", **kwargs) -> list[str]:
    """Import that must be rejected as a whole; returns the errors. Nothing may be saved."""
    file = data if hasattr(data, "read") else csv_file(data)
    before = Report.objects.count(), ReportValue.objects.count()
    with pytest.raises(ImportRejected) as exc:
        values_import(user=user, file=file, filename=filename, **kwargs)
    assert (Report.objects.count(), ReportValue.objects.count()) == before  # nothing saved
    return [str(e) for e in exc.value.row_errors]


# --- the worked example -------------------------------------------------------------------


def test_worked_example_imported_with_approve_by_a_provincial_official(users):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_values",
        str(WORKED),
        "--user",
        users["province"].username,
        "--approve",
        stdout=out,
        stderr=err,
    )
    assert "3 approved" in out.getvalue()
    reports = Report.objects.filter(region=by_code("360100")).order_by("year")
    assert [(r.year, r.status, r.revision) for r in reports] == [
        (2020, "approved", 1),
        (2021, "approved", 1),
        (2022, "approved", 1),
    ]
    expected = set()
    for line in WORKED.read_text().splitlines()[1:]:
        code, year, indicator, value = line.split(",")
        expected.add((by_code(code).pk, int(year), indicator, Decimal(value)))
    assert set(approved_values()) == expected
    assert len(approved_values()) == 27
    assert reports[0].events.filter(kind=EventKind.IMPORTED).get().data["file"] == "worked_values.csv"


def test_worked_example_approval_sends_one_signal_for_all_reports(users, django_capture_on_commit_callbacks):
    """One batched signal (one recompute) for the file, not one per approved report."""
    from apps.reports.signals import report_approved, reports_approved

    single, together = [], []

    def on_single(sender, **kwargs):
        single.append(kwargs)

    def on_together(sender, **kwargs):
        together.append(kwargs)

    report_approved.connect(on_single)
    reports_approved.connect(on_together)
    try:
        with django_capture_on_commit_callbacks(execute=True), WORKED.open("rb") as f:
            values_import(user=users["province"], file=f, filename=WORKED.name, approve=True)
    finally:
        report_approved.disconnect(on_single)
        reports_approved.disconnect(on_together)
    assert single == []
    assert len(together) == 1
    assert together[0]["region_ids"] == [by_code("360100").pk]
    assert sorted(together[0]["report_ids"]) == sorted(Report.objects.values_list("pk", flat=True))


def test_worked_example_with_approve_queues_exactly_one_recompute_run(
    users, django_capture_on_commit_callbacks
):
    from apps.monitoring.models import RecomputeRun

    with django_capture_on_commit_callbacks(execute=True), WORKED.open("rb") as f:
        values_import(user=users["province"], file=f, filename=WORKED.name, approve=True)
    run = RecomputeRun.objects.get()
    assert run.scope_region == by_code("360100") and run.scope_year is None  # all its years


def test_importing_the_same_file_again_changes_nothing(users):
    for _ in range(2):
        with WORKED.open("rb") as f:
            result = values_import(user=users["province"], file=f, filename=WORKED.name, approve=True)
    assert len(result.unchanged) == 3 and not result.approved
    assert Report.objects.count() == 3


def test_import_into_an_approved_report_with_approve_opens_an_approved_revision(users):
    with WORKED.open("rb") as f:
        values_import(user=users["province"], file=f, filename=WORKED.name, approve=True)
    text = HEADER + "360100,2022,electricity_net_import,-6\n"
    result = do_import(users["province"], text, approve=True)
    assert len(result.revised) == 1
    revision = Report.objects.get(region=by_code("360100"), year=2022, revision=2)
    assert revision.status == ReportStatus.APPROVED
    assert revision.revision_reason.startswith(f"imported by {users['province'].username}")
    values = {(y, c): v for _r, y, c, v in approved_values()}
    assert values[(2022, "electricity_net_import")] == Decimal("-6")
    assert values[(2022, "energy_total")] == Decimal("545")  # carried over from revision 1


def test_approved_report_without_approve_is_refused_with_a_clear_error(users):
    make_report("360100", 2022, ReportStatus.APPROVED)
    errors = rejected(users["nanchang"], HEADER + "360100,2022,energy_coal,301\n")
    assert errors == [
        "Row 2: The report 360100 2022 is approved and differs from the file: open a revision of it, "
        "or import with approval (a provincial official)."
    ]
    assert Report.objects.count() == 1


def test_report_under_review_is_refused_without_approve(users):
    make_report("360102", 2022, ReportStatus.SUBMITTED)
    errors = rejected(users["nanchang"], HEADER + "360102,2022,energy_coal,300\n")
    assert "under review" in errors[0] and errors[0].startswith("Row 2:")


def test_import_with_approve_approves_a_report_under_review(users):
    report = make_report("360102", 2022, ReportStatus.FORWARDED)
    do_import(users["province"], HEADER + "360102,2022,nev_share,12.5\n", approve=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert report.values.get(indicator__code="nev_share").value == Decimal("12.5")


# --- drafts and submission ------------------------------------------------------------------


def test_nobody_but_the_region_imports_into_its_draft(users):
    report = make_report("360102", 2023, ReportStatus.DRAFT, {"energy_total": Decimal("1")})
    for who in ("nanchang", "province"):
        errors = rejected(users[who], HEADER + rows_for("360102", 2023), approve=who == "province")
        assert errors == [
            "Row 2: The report 360102 2023 is being prepared by its region: only the region's own staff can "
            "import into it until it is submitted."
        ]
    assert report.values.get().value == Decimal("1")
    do_import(users["donghu"], HEADER + rows_for("360102", 2023))
    assert report.values.count() == len(GOOD_VALUES)


def test_city_staff_import_county_values_as_drafts_of_the_counties(users):
    result = do_import(users["nanchang"], HEADER + rows_for("360102", 2023) + rows_for("360103", 2023))
    assert len(result.created) == 2
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.DRAFT}
    report = Report.objects.get(region=by_code("360102"))
    assert report.values.count() == len(GOOD_VALUES)
    assert report.events.get(kind=EventKind.IMPORTED).actor == users["nanchang"]


def test_import_with_submit_submits_the_reports(users):
    result = do_import(users["donghu"], HEADER + rows_for("360102", 2023), submit=True)
    assert [r.status for r in result.submitted] == [ReportStatus.SUBMITTED]


def test_import_updates_an_existing_draft_keeping_other_values(users):
    report = make_report("360102", 2023, ReportStatus.DRAFT, {**GOOD_VALUES, "nev_share": Decimal("20")})
    do_import(users["donghu"], HEADER + "360102,2023,energy_coal,301\n360102,2023,energy_total,501\n")
    values = dict(report.values.values_list("indicator__code", "value"))
    assert values["energy_coal"] == Decimal("301") and values["nev_share"] == Decimal("20")


def test_import_runs_the_same_validation_and_names_the_rows(users):
    text = HEADER + rows_for("360102", 2023, {**GOOD_VALUES, "energy_total": Decimal("900")})
    errors = rejected(users["donghu"], text)
    total_row = 2 + list(GOOD_VALUES).index("energy_total")
    assert any(e.startswith(f"Row {total_row}: 360102 2023 Total energy consumption:") for e in errors), (
        errors
    )


def test_missing_required_values_are_reported_at_the_groups_first_row(users):
    errors = rejected(users["donghu"], HEADER + "360102,2023,energy_total,500\n")
    assert any(e.startswith("Row 2: 360102 2023 Coal consumption (not in the file):") for e in errors), errors


def test_year_on_year_rule_uses_the_previous_year_of_the_file_and_accepts_a_note(users):
    before = rows_for("360102", 2022, ENERGY_A_QUARTER_LOWER)
    text = HEADER.strip() + ",note\n" + before.replace("\n", ",\n")
    errors = rejected(users["donghu"], text + rows_for("360102", 2023).replace("\n", ",\n"))
    assert any("Total energy consumption" in e and "explain" in e for e in errors), errors
    explained = rows_for("360102", 2023, notes={"energy_total": "New steel plant"})
    explained = "".join(
        line if line.count(",") == 4 else line.rstrip("\n") + ",\n" for line in explained.splitlines(True)
    )
    result = do_import(users["donghu"], text + explained)
    assert len(result.created) == 2
    report = Report.objects.get(year=2023)
    assert report.values.get(indicator__code="energy_total").note == "New steel plant"


# --- permissions ----------------------------------------------------------------------------


def test_county_staff_cannot_import_for_a_sibling_county(users):
    errors = rejected(users["donghu"], HEADER + "360103,2023,energy_total,500\n")
    assert errors == ["Row 2: You may not import values for 西湖区 (360103)."]


def test_only_provincial_officials_import_with_approve(users):
    with pytest.raises(PermissionDenied):
        do_import(users["nanchang"], HEADER + rows_for("360102", 2023), approve=True)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_values", str(WORKED), "--user", users["nanchang"].username, "--approve", stderr=out
        )
    assert not Report.objects.exists()


@pytest.mark.parametrize("who", ["congress", "dept"])
def test_roles_without_import_rights_are_refused(users, who):
    with pytest.raises(PermissionDenied):
        do_import(users[who], HEADER + rows_for("360102", 2023))


def test_command_refuses_unknown_users_and_files(users, tmp_path):
    with pytest.raises(CommandError, match="no active user"):
        call_command("import_values", str(WORKED), "--user", "nobody")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_values", str(tmp_path / "missing.csv"), "--user", users["province"].username)


def test_command_prints_every_error_with_its_row_and_fails(users, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "999999,2022,energy_total,1\n360100,2022,coal,1\n360100,20x2,energy_total,abc\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_values", str(path), "--user", users["province"].username, stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0] == "Row 2: Unknown region code “999999”."
    assert lines[1] == "Row 3: Unknown indicator “coal”."
    assert lines[2].startswith("Row 4: year “20x2” is not a year.")
    assert lines[3] == "Row 4: value: “abc” is not a number."
    assert not Report.objects.exists()


# --- bad files ------------------------------------------------------------------------------


def test_bom_and_xlsx_first_sheet_are_accepted(users):
    result = values_import(
        user=users["donghu"], file=csv_file(HEADER + rows_for("360102", 2023), bom=True), filename="v.csv"
    )
    assert len(result.created) == 1
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["region_code", "year", "indicator", "value", "note"])
    for code, value in GOOD_VALUES.items():
        sheet.append([360102, 2022, code, float(value), None])
    workbook.create_sheet("other")
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    result = values_import(user=users["donghu"], file=buffer, filename="v.xlsx")
    assert len(result.created) == 1
    assert Report.objects.get(year=2022).values.get(indicator__code="energy_coal").value == Decimal("300")


def test_values_on_the_wrong_sheet_are_one_clear_error(users):
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["Read me first"])
    data = workbook.create_sheet("values")
    data.append(["region_code", "year", "indicator", "value"])
    data.append(["360102", 2023, "energy_total", 500])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    errors = rejected(users["donghu"], buffer, filename="v.xlsx")
    # Every problem of the header at once: the missing columns (saying where), the unknown one.
    assert "The first sheet “说明”" in errors[0] and "other sheets: values" in errors[0]
    assert errors[1:] == ["Row 1: Unknown columns: read me first."]


def test_text_in_number_cells_duplicates_and_empty_values(users):
    text = (
        HEADER
        + "360102,2023,energy_total,五百\n360102,2023,energy_coal,1 000\n360102,2023,energy_total,500\n"
    )
    text += "360102,2023,energy_total,500\n360102,2023,energy_gas,\n"
    errors = rejected(users["donghu"], text)
    assert errors == [
        "Row 2: value: “五百” is not a number.",
        "Row 3: value: “1 000” is not a number.",
        "Row 4: Duplicate of row 2.",
        "Row 5: Duplicate of row 2.",
        "Row 6: value is empty.",
    ]


def test_malformed_csv(users):
    errors = rejected(users["donghu"], HEADER + '360102,2023,energy_total,"500\n')
    assert len(errors) == 1 and "Malformed CSV" in errors[0]
    errors = rejected(users["donghu"], HEADER + "360102,2023,energy_total,500,extra,cells\n")
    assert errors == ["Row 2: More cells than columns in the header."]


def test_wrong_header_unknown_columns_and_empty_files(users):
    assert (
        "does not have the columns region_code,year,indicator,value"
        in rejected(users["donghu"], "a,b,c\n1,2,3\n")[0]
    )
    assert rejected(users["donghu"], HEADER.strip() + ",remark\n")[0] == "Row 1: Unknown columns: remark."
    assert rejected(users["donghu"], "") == ["The file is empty."]
    assert rejected(users["donghu"], HEADER + "\n,,,\n") == ["The file has no data rows."]


def test_not_utf8_text(users):
    errors = rejected(
        users["donghu"], io.BytesIO((HEADER + "360102,2023,energy_total,500,南昌\n").encode("gbk"))
    )
    assert len(errors) == 1 and "not UTF-8" in errors[0]
    errors = rejected(
        users["donghu"], io.BytesIO(HEADER.encode() + "360102,2023,energy_total,五\n".encode("gbk"))
    )
    assert "not UTF-8" in errors[0]


def test_ten_megabytes_of_garbage_is_one_clear_error(users):
    garbage = io.BytesIO(os.urandom(10 * 1024 * 1024))
    errors = rejected(users["donghu"], garbage, filename="values.csv")
    assert len(errors) == 1
    text_garbage = io.BytesIO(b"x" * (10 * 1024 * 1024))
    errors = rejected(users["donghu"], text_garbage, filename="values.csv")
    assert len(errors) == 1


def test_files_over_the_size_cap_are_refused_before_reading(users, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 1000)
    errors = rejected(users["donghu"], HEADER + rows_for("360102", 2023) * 20)
    assert len(errors) == 1 and "larger than" in errors[0]


def test_too_many_rows_are_refused(users, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    errors = rejected(users["donghu"], HEADER + rows_for("360102", 2023))
    assert errors == ["The file has more than 5 rows; split it."]


def test_a_fake_xlsx_is_refused(users):
    assert "not a readable xlsx" in rejected(users["donghu"], csv_file(HEADER), filename="values.xlsx")[0]
    assert (
        "not a readable xlsx"
        in rejected(users["donghu"], io.BytesIO(b"PK\x03\x04garbage"), filename="v.xlsx")[0]
    )


def test_many_bad_rows_are_capped_with_a_count(users, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ERRORS", 3)
    errors = rejected(users["donghu"], HEADER + "x,2023,energy_total,1\n" * 10)
    assert len(errors) == 4 and errors[-1].startswith("…")


def test_exports_are_reimportable(users):
    make_report("360102", 2023, ReportStatus.DRAFT)
    from apps.reports import workbook

    values = ReportValue.objects.select_related("report__region", "indicator")
    response = table_response("values", workbook.VALUE_COLUMNS, workbook.value_rows(values), "csv")
    Report.objects.all().delete()
    result = values_import(user=users["donghu"], file=io.BytesIO(response.content), filename="values.csv")
    assert len(result.created) == 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_values_xlsx_for_people_imports_again_in_either_language(users, language):
    """The xlsx for people (title lines, translated headers, names beside codes) is also a values
    file: the reader finds its header below the title lines and maps the labels to the columns."""
    from django.utils import translation

    from apps.reports import workbook

    make_report("360102", 2023, ReportStatus.DRAFT, notes={"energy_total": "checked"})
    values = ReportValue.objects.select_related("report__region", "indicator")
    expected = dict(values.values_list("indicator__code", "value"))
    with translation.override(language):
        content = workbook.values_xlsx(values, filters=[])
    Report.objects.all().delete()
    result = values_import(user=users["donghu"], file=io.BytesIO(content), filename="values.xlsx")
    assert len(result.created) == 1
    assert dict(ReportValue.objects.values_list("indicator__code", "value")) == expected
    assert ReportValue.objects.get(indicator__code="energy_total").note == "checked"


def test_year_outside_the_reporting_range(users):
    errors = rejected(users["donghu"], HEADER + "360102,1999,energy_total,1\n360102,2099,energy_total,1\n")
    assert errors[0].startswith("Row 2: year must be between 2005") and errors[1].startswith("Row 3: year")


# --- every error in one pass (exchange.md) ---------------------------------------------------


def test_a_parse_error_and_a_rule_error_in_other_rows_are_reported_together(users):
    values = {**GOOD_VALUES, "energy_oil": "abc", "electricity_net_import": Decimal("30")}
    text = HEADER + rows_for("360102", 2023, values) + "360102,2023,renewable_power,-5\n"
    text = text.replace("360102,2023,renewable_power,50\n", "")
    errors = rejected(users["donghu"], text)
    oil_row = 2 + list(values).index("energy_oil")
    renewable_row = 2 + len(values) - 1
    assert f"Row {oil_row}: value: “abc” is not a number." in errors
    assert any(
        e.startswith(
            f"Row {renewable_row}: 360102 2023 Renewable electricity consumption: "
            "The value must not be negative"
        )
        for e in errors
    ), errors
    # The sum over the fuels needs the unreadable oil value: not judged, no second-hand error.
    assert not any("add up to" in e for e in errors), errors


def test_nul_bytes_and_more_cells_are_row_errors_beside_the_other_checks(users):
    text = (
        HEADER
        + "360102,2023,energy_total,5\x000\n360102,2023,energy_coal,1,2,3\n360103,2023,energy_total,1\n"
    )
    errors = rejected(users["donghu"], text)
    assert errors[0].startswith("Row 2: ") and "NUL" in errors[0]
    assert errors[1] == "Row 3: More cells than columns in the header."
    assert errors[2] == "Row 4: You may not import values for 西湖区 (360103)."


def test_a_sum_rule_names_every_row_it_involves(users):
    text = HEADER + rows_for("360102", 2023, {**GOOD_VALUES, "energy_total": Decimal("900")})
    codes = list(GOOD_VALUES)
    rows = sorted(
        2 + codes.index(c)
        for c in ("energy_total", "energy_coal", "energy_oil", "energy_gas", "energy_nonfossil")
    )
    errors = rejected(users["donghu"], text)
    total_row = 2 + codes.index("energy_total")
    (error,) = [e for e in errors if "add up to" in e]
    assert error.startswith(f"Row {total_row}: 360102 2023 Total energy consumption:")
    assert error.endswith(f"(rows {', '.join(map(str, rows))})")
    with pytest.raises(ImportRejected) as exc:
        do_import(users["donghu"], text)
    (row_error,) = [e for e in exc.value.row_errors if "add up to" in e.message]
    assert row_error.rows == tuple(rows) and row_error.field == "energy_total"


def test_a_year_on_year_rule_names_the_rows_of_both_years(users):
    before = rows_for("360102", 2022, ENERGY_A_QUARTER_LOWER)
    errors = rejected(users["donghu"], HEADER + before + rows_for("360102", 2023))
    row_2022 = 2 + list(GOOD_VALUES).index("energy_total")
    row_2023 = row_2022 + len(GOOD_VALUES)
    (error,) = [e for e in errors if "explain" in e]
    assert error.startswith(f"Row {row_2023}: 360102 2023 Total energy consumption:")
    assert error.endswith(f"(rows {row_2022}, {row_2023})")


def test_api_and_ui_upload_report_every_error_in_one_pass(users, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    text = HEADER + "360102,2023,energy_total,abc\n360102,2023,energy_coal,-1\n"
    api = APIClient()
    api.force_authenticate(users["donghu"])
    response = api.post(
        "/api/v1/reports/import/",
        {"file": SimpleUploadedFile("v.csv", text.encode())},
        format="multipart",
    )
    assert response.status_code == 400
    rows = [e["row"] for e in response.json()["errors"]]
    assert 2 in rows and 3 in rows
    client.force_login(users["donghu"])
    response = client.post("/reports/import/", {"file": SimpleUploadedFile("v.csv", text.encode())})
    shown = [str(e) for e in response.context["errors"]]
    assert any(e.startswith("Row 2:") for e in shown) and any(e.startswith("Row 3:") for e in shown)
    assert not Report.objects.exists()


# --- formula escaping through export and import -------------------------------------------

ATTACK = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_formula_note_is_escaped_on_export_and_round_trips_through_the_import(users, fmt):
    from openpyxl import load_workbook

    from apps.reports import workbook

    make_report("360102", 2023, ReportStatus.DRAFT, notes={"energy_total": ATTACK})
    values = ReportValue.objects.select_related("report__region", "indicator")
    response = table_response("values", workbook.VALUE_COLUMNS, workbook.value_rows(values), fmt)
    if fmt == "csv":
        assert f",'{ATTACK}," in response.content.decode("utf-8")
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        (cell,) = [c for row in sheet.iter_rows() for c in row if c.value and "cmd" in str(c.value)]
        assert cell.data_type == "s" and cell.value == "'" + ATTACK  # text, not a formula
    Report.objects.all().delete()
    values_import(user=users["donghu"], file=io.BytesIO(response.content), filename=f"values.{fmt}")
    assert ReportValue.objects.get(indicator__code="energy_total").note == ATTACK


def test_reports_services_and_imports_do_not_import_each_other():
    """No cycle, not even through an import inside a function (shared/DESIGN.md)."""
    import ast
    import inspect

    from apps.reports import imports as imports_module

    tree = ast.parse(inspect.getsource(imports_module))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add((node.module or "", node.level))
            imported |= {(f"{node.module or ''}.{a.name}", node.level) for a in node.names}
    assert not any(name.endswith("services") for name, _level in imported), imported


def test_an_approved_import_over_several_regions_queues_one_run(users, django_capture_on_commit_callbacks):
    from apps.monitoring.models import RecomputeRun

    text = HEADER + rows_for("360102", 2023) + rows_for("360103", 2023) + rows_for("360102", 2022)
    with django_capture_on_commit_callbacks(execute=True):
        result = do_import(users["province"], text, approve=True)
    assert len(result.approved) == 3
    run = RecomputeRun.objects.get()
    assert run.scope_region is None and run.scope_year is None  # one batch covering both regions
