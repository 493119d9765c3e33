import os
import zipfile
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from apps.core.tables import ImportRejected
from apps.targets import services
from apps.targets.models import RegionTarget

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
WORKED = DATA / "worked_targets.csv"
HEADER = "region_code,period,metric,value,year\n"


def run(path: Path, username: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("import_targets", str(path), "--user", username, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def reject(path: Path, username: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as exc, translation.override("en"):
        call_command("import_targets", str(path), "--user", username, stdout=out, stderr=err)
    return err.getvalue(), str(exc.value)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def xlsx_bytes(*sheets: list[list]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for i, rows in enumerate(sheets):
        sheet = workbook.create_sheet(f"Sheet{i + 1}")
        for row in rows:
            sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_text(user, content: str | bytes, filename="t.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return services.targets_import(user=user, file=BytesIO(data), filename=filename)


def errors_of(user, content, filename="t.csv") -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as exc:
        import_text(user, content, filename)
    assert not RegionTarget.objects.exists()
    return [(e.row, e.field) for e in exc.value.row_errors]


# --- the worked example through the command ----------------------------------------------------


def test_provincial_official_imports_the_worked_targets(user_of, region):
    official = user_of("provincial")
    out, _err = run(WORKED, official.username)
    assert "4 created, 0 updated, 0 unchanged" in out
    targets = {(t.metric, t.year): t.value for t in RegionTarget.objects.filter(region=region("360100"))}
    assert targets == {
        ("energy_intensity_reduction", None): Decimal("14"),
        ("co2_intensity_reduction", None): Decimal("18"),
        ("energy_total_cap", None): Decimal("560"),
        ("energy_intensity_reduction_annual", 2022): Decimal("3.2"),
    }
    assert all(t.updated_by == official for t in RegionTarget.objects.all())
    assert {h.history_user for h in RegionTarget.history.all()} == {official}
    out, _ = run(WORKED, official.username)  # importing again changes nothing
    assert "0 created, 0 updated, 4 unchanged" in out
    assert RegionTarget.history.count() == 4


@pytest.mark.parametrize("role", ["county", "department", "congress"])
def test_users_without_the_right_are_refused(user_of, role):
    _err, message = reject(WORKED, user_of(role).username)
    assert "may not set targets" in message
    assert not RegionTarget.objects.exists()


def test_city_staff_are_refused_their_own_city_row_by_row(user_of):
    nanchang = user_of("city")  # may set its counties' targets, not Nanchang's own
    err, message = reject(WORKED, nanchang.username)
    assert "rejected: 4 error(s); nothing was saved" in message
    lines = err.strip().splitlines()
    assert [line.split(",")[0] for line in lines] == ["row 2", "row 3", "row 4", "row 5"]
    assert all("region_code" in line for line in lines)
    assert not RegionTarget.objects.exists()


def test_city_staff_import_their_counties(user_of, tmp_path):
    path = write(
        tmp_path,
        "counties.csv",
        HEADER + "360102,2021-2025,energy_intensity_reduction,14.5,\n360103,2021-2025,energy_total_cap,30,\n",
    )
    out, _ = run(path, user_of("city").username)
    assert "2 created" in out


def test_unknown_user_and_missing_file_are_errors(user_of, tmp_path):
    with pytest.raises(CommandError, match="no active user"):
        call_command("import_targets", str(WORKED), "--user", "nobody")
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "import_targets", str(tmp_path / "missing.csv"), "--user", user_of("provincial").username
        )


# --- bad files ---------------------------------------------------------------------------------


def test_every_invalid_row_is_reported_with_its_row_number_and_field(user_of, tmp_path):
    official = user_of("provincial")
    content = (
        HEADER
        + "360000,2021-2025,energy_intensity_reduction,14,\n"  # row 2: fine
        + "999999,2021-2025,energy_intensity_reduction,14,\n"  # 3: unknown region
        + "360000,2021-2024,co2_intensity_reduction,18,\n"  # 4: unknown period
        + "360000,2021-2025,peak_year,2030,\n"  # 5: unknown metric
        + "360000,2021-2025,nonfossil_share,120,\n"  # 6: percentage out of (0, 100)
        + "360000,2021-2025,co2_intensity_reduction,0,\n"  # 7: percentage out of (0, 100)
        + "360000,2021-2025,energy_intensity_reduction_annual,3,\n"  # 8: annual without a year
        + "360000,2021-2025,energy_total_cap,11500,2025\n"  # 9: year on a non-annual metric
        + "360000,2021-2025,energy_intensity_reduction_annual,3,2026\n"  # 10: year outside the period
        + "360000,2021-2025,energy_total_cap,lots,\n"  # 11: not a number
        + "360000,2021-2025,energy_intensity_reduction,14.5,\n"  # 12: duplicate of row 2
        + "360102,2021-2025,energy_intensity_reduction,14,\n"  # 13: a county: outside the official's scope
        + "360000,2021-2025,energy_intensity_reduction_annual,3,twenty\n"  # 14: year not a number
        + ",2021-2025,energy_total_cap,1,\n"  # 15: region missing
    )
    err, message = reject(write(tmp_path, "bad.csv", content), official.username)
    assert "rejected: 13 error(s)" in message
    lines = err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "row 3, region_code",
        "row 4, period",
        "row 5, metric",
        "row 6, value",
        "row 7, value",
        "row 8, year",
        "row 9, year",
        "row 10, year",
        "row 11, value",
        "row 12, row",
        "row 13, region_code",
        "row 14, year",
        "row 15, region_code",
    ]
    assert "row 2" in lines[9]  # the duplicate names the row it repeats
    assert not RegionTarget.objects.exists()


def test_missing_and_unknown_columns_reject_the_file_at_row_1(provincial):
    assert errors_of(provincial, "region_code,period,metric,year\n360000,2021-2025,nonfossil_share,\n") == [
        (1, "header")
    ]
    assert errors_of(
        provincial, "region_code,period,metric,value,yaer\n360000,2021-2025,nonfossil_share,18,\n"
    ) == [(1, "header")]


def test_header_only_and_empty_files_are_rejected(provincial):
    assert errors_of(provincial, HEADER) == [(0, "file")]
    assert errors_of(provincial, "") == [(0, "file")]


def test_garbage_bytes_are_a_clean_error(provincial):
    garbage = bytes(range(256)) * 40
    assert errors_of(provincial, garbage, "targets.csv") == [(0, "file")]
    assert errors_of(provincial, garbage, "targets.xlsx") == [(0, "file")]
    assert errors_of(provincial, b"PK\x03\x04" + garbage, "targets.csv") == [(0, "file")]
    assert errors_of(provincial, b"x" * 100, "targets.xls") == [(0, "file")]


def test_ten_megabytes_of_garbage_is_refused_without_reading_it_all(provincial, tmp_path):
    path = write(tmp_path, "huge.csv", os.urandom(10 * 1024 * 1024))
    err, _message = reject(path, provincial.username)
    assert "file:" in err and str(services.IMPORT_LIMITS.max_bytes // (1024 * 1024)) in err
    assert not RegionTarget.objects.exists()


def test_a_zip_bomb_posing_as_xlsx_is_refused_before_unpacking(provincial):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < services.IMPORT_LIMITS.max_bytes
    with pytest.raises(ImportRejected) as exc, translation.override("en"):
        import_text(provincial, buffer.getvalue(), "bomb.xlsx")
    assert "too large when unpacked" in exc.value.row_errors[0].message


def test_text_in_number_cells_is_reported_per_cell(provincial):
    content = HEADER + "360000,2021-2025,energy_total_cap,1 000,\n360000,2021-2025,nonfossil_share,18%,\n"
    assert errors_of(provincial, content) == [(2, "value"), (3, "value")]


def test_a_bom_and_windows_line_ends_are_accepted(provincial):
    content = "\ufeff" + HEADER.replace("\n", "\r\n") + "360000,2021-2025,nonfossil_share,18.3,\r\n"
    result = import_text(provincial, content)
    assert result.created == 1
    assert RegionTarget.objects.get().value == Decimal("18.3")


def test_optional_note_column_and_blank_lines(provincial):
    content = (
        "region_code,period,metric,value,year,note\n\n360000,2021-2025,nonfossil_share,18.3,,纲要\n,,,,,\n"
    )
    result = import_text(provincial, content)
    assert result.created == 1
    assert RegionTarget.objects.get().note == "纲要"


def test_first_sheet_of_an_xlsx_is_imported(provincial):
    data = xlsx_bytes(
        [
            ["region_code", "period", "metric", "value", "year"],
            [360000, "2021-2025", "nonfossil_share", 18.3, None],
            ["360100", "2021-2025", "energy_intensity_reduction_annual", 3.2, 2022],
        ],
        [["ignored"]],
    )
    result = import_text(provincial, data, "targets.xlsx")
    assert result.created == 2
    annual = RegionTarget.objects.get(metric="energy_intensity_reduction_annual")
    assert (annual.region.code, annual.year, annual.value) == ("360100", 2022, Decimal("3.2"))


def test_an_xlsx_with_the_data_on_the_wrong_sheet_is_rejected(provincial):
    data = xlsx_bytes(
        [["notes about the file"]],
        [["region_code", "period", "metric", "value"], [360000, "2021-2025", "nonfossil_share", 18]],
    )
    errors = errors_of(provincial, data, "targets.xlsx")
    assert errors == [(1, "header"), (1, "header")]  # the required columns are missing, one is unknown


def test_an_xlsx_with_text_in_number_cells_names_the_row(provincial):
    data = xlsx_bytes(
        [
            ["region_code", "period", "metric", "value", "year"],
            [360000, "2021-2025", "energy_total_cap", "n/a", None],
        ]
    )
    assert errors_of(provincial, data, "targets.xlsx") == [(2, "value")]


def test_import_is_all_or_nothing_for_updates_too(provincial, region, period_14):
    RegionTarget.objects.create(region=region("360000"), period=period_14, metric="nonfossil_share", value=18)
    content = HEADER + "360000,2021-2025,nonfossil_share,18.3,\n360000,2021-2025,energy_total_cap,-1,\n"
    with pytest.raises(ImportRejected):
        import_text(provincial, content)
    assert RegionTarget.objects.get().value == Decimal("18")


def test_import_without_the_right_raises_permission_denied(user_of):
    with pytest.raises(PermissionDenied):
        import_text(user_of("congress"), WORKED.read_text())


def test_import_sends_targets_changed_on_commit_per_period(
    provincial, region, target_signals, django_capture_on_commit_callbacks
):
    content = (
        HEADER + "360000,2021-2025,nonfossil_share,18.3,\n360100,2026-2030,energy_intensity_reduction,13,\n"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_text(provincial, content)
    assert target_signals == []
    for callback in callbacks:
        callback()
    assert sorted(target_signals, key=lambda s: s[1]) == [
        ([region("360000").pk], "2021-2025"),
        ([region("360100").pk], "2026-2030"),
    ]


def test_unreadable_rows_and_invalid_rows_are_reported_in_one_pass(provincial):
    content = (
        HEADER
        + "360000,2021-2025,nonfossil_share,1\x008,\n"  # row 2: NUL byte
        + "360000,2021-2025,energy_total_cap,-1,\n"  # row 3: negative cap
        + "360000,2021-2025,co2_intensity_reduction,18,,extra\n"  # row 4: more cells than columns
        + "360000,2021-2025,peak_year,1,\n"  # row 5: unknown metric
    )
    errors = errors_of(provincial, content)
    assert sorted({row for row, _field in errors}) == [2, 3, 4, 5]
    assert (
        (2, "value") in errors and (3, "value") in errors and (4, "row") in errors and (5, "metric") in errors
    )


def test_a_formula_note_round_trips_through_export_and_import(provincial):
    from apps.core.exports import table_csv

    attack = "=cmd|' /C calc'!A0"
    text = table_csv(
        ["region_code", "period", "metric", "value", "year", "note"],
        [["360000", "2021-2025", "nonfossil_share", "18.3", "", attack]],
    )
    assert f",'{attack}" in text
    import_text(provincial, text)
    assert RegionTarget.objects.get().note == attack
