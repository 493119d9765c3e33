from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.regions.models import Region, RegionLevel
from apps.regions.services import NATIONAL_CSV, RegionDataError, load_regions_csv

pytestmark = pytest.mark.django_db


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "regions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_jiangxi_tree_has_one_province_eleven_cities_and_a_hundred_counties():
    jiangxi = Region.objects.filter(path__startswith="360000/")
    assert jiangxi.count() == 112
    assert jiangxi.filter(level=RegionLevel.PROVINCE).count() == 1
    assert jiangxi.filter(level=RegionLevel.CITY).count() == 11
    assert jiangxi.filter(level=RegionLevel.COUNTY).count() == 100


def test_loading_jiangxi_twice_changes_nothing(capsys):
    before = list(Region.objects.values_list("pk", "code", "name", "parent_id", "path"))
    call_command("load_regions")
    out = capsys.readouterr().out
    assert "0 created, 0 updated, 112 unchanged" in out
    assert list(Region.objects.values_list("pk", "code", "name", "parent_id", "path")) == before


def test_national_set_loads_all_3351_regions_and_is_idempotent():
    first = load_regions_csv(NATIONAL_CSV)
    assert Region.objects.count() == 3351
    assert first.created == 3351 - 112
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 31
    assert Region.objects.filter(level=RegionLevel.CITY).count() == 342
    assert Region.objects.filter(level=RegionLevel.COUNTY).count() == 2978
    second = load_regions_csv(NATIONAL_CSV)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3351)


def test_prefecture_sharing_its_code_with_its_county_keeps_both_levels():
    load_regions_csv(NATIONAL_CSV)
    city = Region.objects.get(code="441900", level=RegionLevel.CITY)
    county = Region.objects.get(code="441900", level=RegionLevel.COUNTY)
    assert county.parent == city
    assert county.path == "440000/441900/441900/"


def test_renamed_region_is_updated_in_place(tmp_path):
    path = write_csv(tmp_path, "code,name,level,parent_code\n360000,江西,province,\n")
    result = load_regions_csv(path)
    assert (result.created, result.updated) == (0, 1)
    assert Region.objects.get(code="360000").name == "江西"


def test_missing_column_is_rejected_naming_it(tmp_path):
    path = write_csv(tmp_path, "code,name,level\n360000,江西省,province\n")
    with pytest.raises(RegionDataError) as exc:
        load_regions_csv(path)
    assert exc.value.errors == ["line 1: missing column(s): parent_code"]


def test_duplicate_code_names_both_lines_and_loads_nothing(tmp_path):
    path = write_csv(
        tmp_path,
        "code,name,level,parent_code\n990000,测试省,province,\n990100,甲市,city,990000\n990100,乙市,city,990000\n",
    )
    with pytest.raises(RegionDataError) as exc:
        load_regions_csv(path)
    assert exc.value.errors == ["line 4: duplicate code 990100 (city), first on line 3"]
    assert not Region.objects.filter(code__startswith="99").exists()


def test_unknown_parent_code_is_rejected_with_its_line_and_nothing_is_loaded(tmp_path):
    path = write_csv(
        tmp_path,
        "code,name,level,parent_code\n990000,测试省,province,\n990101,某县,county,990100\n",
    )
    with pytest.raises(RegionDataError) as exc:
        load_regions_csv(path)
    assert exc.value.errors == ["line 3: unknown parent region code 990100 (expected a city) for 990101"]
    assert not Region.objects.filter(code="990000").exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("36010X,坏码,city,360000", "line 2: code '36010X' is not a six-digit GB/T 2260 code"),
        ("990000,测试,town,", "line 2: level 'town' is not one of"),
        ("990100,无上级,city,", "line 2: city 990100 needs a parent_code"),
    ],
)
def test_malformed_rows_are_rejected_naming_the_line(tmp_path, row, message):
    path = write_csv(tmp_path, f"code,name,level,parent_code\n{row}\n")
    with pytest.raises(RegionDataError) as exc:
        load_regions_csv(path)
    assert exc.value.errors[0].startswith(message)


def test_command_prints_errors_and_fails(tmp_path, capsys):
    path = write_csv(tmp_path, "code,name\n1,2\n")
    with pytest.raises(CommandError, match="rejected, nothing loaded"):
        call_command("load_regions", file=str(path))
    assert "missing column(s): level, parent_code" in capsys.readouterr().err
