"""The provincial barometer: selection, filters, sorting, changes, counts, scoping, downloads, API,
query counts and the tile grid. Each test makes the figures it needs (years 2031–2032, which no
demo data has)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from apps.accounts import scoping
from apps.accounts.roles import Role
from apps.accounts.scoping import Action
from apps.dashboards import barometer as bm
from apps.dashboards import tiles
from apps.monitoring import years
from apps.monitoring.models import Assessment
from apps.regions.models import Region
from tests.factories import ROLES, user_for, user_with
from tests.xlsx import header_row_of, table_of, xlsx_table

YEAR, BEFORE = 2032, 2031
EIP = "energy_intensity_warning_progress"
EIA = "energy_intensity_warning_annual"


def seed(regions, year=YEAR, levels=None, values=None) -> None:
    """Bulk-create figures: `levels` metric → level (or region code → level), `values` metric → number."""
    rows = []
    for region in regions:
        for metric, level in (levels or {}).items():
            level = level.get(region.code) if isinstance(level, dict) else level
            if level:
                rows.append(Assessment(region=region, year=year, metric=metric, level=level))
        for metric, value in (values or {}).items():
            value = value.get(region.code) if isinstance(value, dict) else value
            if value is not None:
                rows.append(Assessment(region=region, year=year, metric=metric, value=Decimal(str(value))))
    Assessment.objects.bulk_create(rows)


def all_regions():
    return list(Region.objects.all())


def codes(rows) -> list[str]:
    return [r.region.code for r in rows]


@pytest.fixture
def jiangxi(db):
    """Every Jiangxi region with all six warnings green this year, and the coverage metric."""
    regions = all_regions()
    seed(regions, levels=dict.fromkeys(bm.WARNINGS, "green"), values={"energy_intensity_reduction_cum": 1})
    return regions


# --- selection ------------------------------------------------------------------------------------


def test_a_provincial_official_sees_the_cities_and_the_province_as_a_whole(jiangxi):
    data = bm.barometer(user_for("provincial"), year=YEAR)
    assert {r.region.level for r in data.rows} == {"city"}
    assert len(data.rows) == Region.objects.filter(level="city").count()
    assert data.anchor_row.region.code == "360000"
    assert codes(data.rows) == sorted(codes(data.rows))  # code order by default


def test_a_city_sees_its_counties_and_a_county_itself(jiangxi):
    city = bm.barometer(user_for("city"), year=YEAR)
    assert set(codes(city.rows)) == set(
        Region.objects.filter(parent__code="360100", level="county").values_list("code", flat=True)
    )
    assert city.anchor_row.region.code == "360100"
    county = bm.barometer(user_for("county"), year=YEAR)
    assert codes(county.rows) == ["360102"] and county.anchor_row is None


def test_the_parent_filter_drills_down_and_region_level_lists_every_county(jiangxi):
    province = user_for("provincial")
    jiujiang = bm.barometer(province, year=YEAR, parent="360400")
    assert jiujiang.rows and all(r.region.parent_code == "360400" for r in jiujiang.rows)
    assert [c.code for c in jiujiang.breadcrumb] == ["360000", "360400"]
    counties = bm.barometer(province, year=YEAR, region_level="county")
    assert len(counties.rows) == Region.objects.filter(level="county").count()
    assert counties.has_parent_column


def test_unknown_values_name_their_parameter_and_a_foreign_parent_is_not_found(jiangxi):
    city = user_for("city")
    for name, value in [
        ("metric", "energy_intensity"),
        ("level", "orange"),
        ("region_level", "village"),
        ("sort", "password"),
        ("parent", "999999"),
        ("parent", "abc"),
    ]:
        with pytest.raises(ValidationError) as err:
            bm.barometer(city, year=YEAR, **{name: value})
        assert name in err.value.message_dict
    with pytest.raises(Http404):
        bm.barometer(city, year=YEAR, parent="360400")  # 九江市: outside Nanchang


# --- filters, sorting, counts, changes --------------------------------------------------------------


def test_metric_and_level_filter_rows_but_counts_describe_the_whole_selection(db):
    cities = list(Region.objects.filter(level="city").order_by("code"))
    seed(cities, levels={EIP: {c.code: lv for c, lv in zip(cities, ["red", "red", "yellow"], strict=False)}})
    seed(cities[:1], levels={EIA: "yellow"})
    data = bm.barometer(user_for("provincial"), year=YEAR, metric=EIP, level="red")
    assert codes(data.rows) == [c.code for c in cities[:2]]
    assert data.counts[EIP] == {"red": 2, "yellow": 1, "green": 0, "none": len(cities) - 3}
    # without a metric the level filter reads the worst of the six warnings
    worst = bm.barometer(user_for("provincial"), year=YEAR, level="yellow")
    assert codes(worst.rows) == [cities[2].code]


def test_sorting_puts_the_worst_first_keeps_absent_values_last_and_is_stable(db):
    cities = list(Region.objects.filter(level="city").order_by("code"))
    levels = {cities[0].code: "green", cities[1].code: "red", cities[2].code: "yellow", cities[3].code: "red"}
    seed(
        cities,
        levels={EIP: levels},
        values={"energy_intensity_completion": {cities[0].code: 50, cities[1].code: 120}},
    )
    province = user_for("provincial")
    ordered = codes(bm.barometer(province, year=YEAR, sort=EIP).rows)
    assert ordered[:4] == [cities[1].code, cities[3].code, cities[2].code, cities[0].code]
    reverse = codes(bm.barometer(province, year=YEAR, sort=f"-{EIP}").rows)
    assert reverse[:4] == [cities[0].code, cities[2].code, cities[1].code, cities[3].code]
    assert set(ordered[4:]) == set(reverse[4:]) == {c.code for c in cities[4:]}  # absent: last both ways
    by_completion = codes(bm.barometer(province, year=YEAR, sort="-energy_intensity_completion").rows)
    assert by_completion[:2] == [cities[1].code, cities[0].code]
    assert codes(bm.barometer(province, year=YEAR, sort="-region").rows) == sorted(
        (c.code for c in cities), reverse=True
    )


def test_a_change_since_last_year_is_a_sentence_worsened_first(db):
    jiujiang, nanchang = Region.objects.get(code="360400"), Region.objects.get(code="360100")
    seed([jiujiang], year=BEFORE, levels={EIP: "yellow"})
    seed([jiujiang], levels={EIP: "red"})
    seed([nanchang], year=BEFORE, levels={EIA: "red", EIP: "green"})
    seed([nanchang], levels={EIA: "green", EIP: "green"})
    data = bm.barometer(user_for("provincial"), year=YEAR)
    assert [(c.region.code, c.metric, c.direction) for c in data.changes] == [
        ("360400", EIP, "worsened"),
        ("360100", EIA, "improved"),
    ]
    with translation.override("zh-hans"):
        assert data.changes[0].sentence == "九江市 能耗强度进度预警 由黄色上升为红色"
    with translation.override("en"):
        assert (
            data.changes[0].sentence
            == "九江市: Energy intensity progress warning worsened from Yellow to Red"
        )
        assert "improved" in data.changes[1].sentence
    row = next(r for r in data.rows if r.region.code == "360100")
    assert row.previous[EIA] == "red" and row.warnings[EIA] == "green"


# --- scoping: page, tiles, downloads and API ------------------------------------------------------


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _api_codes(api, params) -> set[str]:
    found, page = set(), 1
    while True:
        body = api.get("/api/v1/barometer/", {**params, "page": page}).json()
        found |= {row["region_code"] for row in body["results"]}
        if not body["next"]:
            return found
        page += 1


CITY_LEVEL_USERS = {  # the same roles with a city's jurisdiction, so that something lies outside
    "department@360100": (Role.DEPARTMENT_STAFF, "360100", "energy"),
    "congress@360100": (Role.CONGRESS_MEMBER, "360100", None),
}


@pytest.mark.parametrize("role", [*ROLES, *CITY_LEVEL_USERS])
def test_no_role_ever_sees_a_region_outside_its_jurisdiction(jiangxi, role):
    user = user_with(*CITY_LEVEL_USERS[role]) if role in CITY_LEVEL_USERS else user_for(role)
    allowed = set(scoping.regions_for(user, Action.READ_ASSESSMENTS).values_list("code", flat=True))
    client, api = _client(user), _api(user)
    outside = {r for r in Region.objects.values_list("code", "name") if r[0] not in allowed}
    for params in (
        {"year": YEAR},
        {"year": YEAR, "region_level": "county"},
        {"year": YEAR, "region_level": "city"},
    ):
        page = client.get("/dashboards/", params)
        assert page.status_code == 200
        html = page.content.decode()
        assert not [name for code, name in outside if f">{name}<" in html], (role, params)
        shown = _csv_codes(client.get("/dashboards/", {**params, "export": "csv"}).content)
        assert shown <= allowed, (role, params)
        assert shown or (role == "county" and params.get("region_level") == "city")
        _header, rows = xlsx_table(client.get("/dashboards/", {**params, "export": "xlsx"}).content)
        assert {row[1] for row in rows} <= allowed  # the region code column
        assert _api_codes(api, params) <= allowed
    if outside:
        assert client.get("/dashboards/", {"year": YEAR, "parent": "360400"}).status_code == 404
        assert api.get("/api/v1/barometer/", {"year": YEAR, "parent": "360400"}).status_code == 404


def _csv_codes(content: bytes) -> set[str]:
    return {row["region_code"] for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}


def test_the_page_shows_tiles_sortable_headers_counts_and_drill_down_links(jiangxi):
    client = _client(user_for("provincial"))
    html = client.get("/dashboards/", {"year": YEAR, "sort": EIP, "metric": EIP}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'class="tile tile-green"' in html and "✓" in html  # colour and icon/word
    assert "parent=360400" in html and "metric=energy_intensity_warning_progress" in html  # filters kept
    assert 'class="data-version"' in html
    county = client.get("/dashboards/", {"year": YEAR, "parent": "360100"}).content.decode()
    assert "/dashboards/county/360102/?year=2032" in county  # a county tile opens its dashboard


def test_a_paged_table_lists_the_changes_of_its_own_page_only(db, monkeypatch):
    from apps.dashboards.views import barometer as page_view

    jiujiang, nanchang = Region.objects.get(code="360400"), Region.objects.get(code="360100")
    seed([jiujiang, nanchang], year=BEFORE, levels={EIP: "yellow"})
    seed([jiujiang, nanchang], levels={EIP: "red"}, values={"energy_intensity_reduction_cum": 1})
    client = _client(user_for("provincial"))
    monkeypatch.setattr(page_view, "PAGE_SIZE", 1)
    params = {"year": YEAR, "sort": "region"}  # 南昌市 (360100) first, 九江市 (360400) on a later page
    with translation.override("zh-hans"):
        first = client.get("/dashboards/", params).content.decode()
        assert "南昌市 能耗强度进度预警 由黄色上升为红色" in first
        assert "九江市 能耗强度进度预警" not in first
    monkeypatch.setattr(page_view, "PAGE_SIZE", 200)
    cache.clear()  # the page's cached body does not expect the page size to change
    whole = client.get("/dashboards/", params).content.decode()
    assert "南昌市" in whole and "九江市 能耗强度进度预警" in whole


def test_a_county_without_figures_of_the_year_links_to_its_dashboard_at_its_own_default(db):
    seed(
        [r for r in all_regions() if r.code != "360102"],
        levels=dict.fromkeys(bm.WARNINGS, "green"),
        values={"energy_intensity_reduction_cum": 1},
    )
    seed([Region.objects.get(code="360102")], year=BEFORE, levels=dict.fromkeys(bm.WARNINGS, "green"))
    client = _client(user_for("provincial"))
    html = client.get("/dashboards/", {"year": YEAR, "parent": "360100"}).content.decode()
    assert 'href="/dashboards/county/360102/"' in html and "/dashboards/county/360103/?year=2032" in html
    assert client.get("/dashboards/county/360102/").status_code == 200


def test_bad_page_parameters_are_404_or_400_never_500(jiangxi):
    client = _client(user_for("provincial"))
    assert client.get("/dashboards/", {"year": 1999}).status_code == 404
    assert client.get("/dashboards/", {"year": "x"}).status_code == 404
    bad = client.get("/dashboards/", {"year": YEAR, "metric": "nonsense"})
    assert bad.status_code == 400 and "“nonsense”" in bad.content.decode()
    assert client.get("/dashboards/", {"year": YEAR, "parent": "999999"}).status_code == 400


def test_bad_api_parameters_name_the_parameter(jiangxi):
    api = _api(user_for("city"))
    for name, value in [
        ("year", "20x4"),
        ("year", "1990"),
        ("metric", "x"),
        ("level", "x"),
        ("region_level", "x"),
    ]:
        response = api.get(
            "/api/v1/barometer/", {"year": YEAR, name: value} if name != "year" else {name: value}
        )
        assert response.status_code == 400, (name, value)
        assert name in response.json()["errors"]
    assert api.get("/api/v1/barometer/", {"year": YEAR, "parent": "360400"}).status_code == 404


def test_the_api_answers_exchange_md_values_in_full_precision(db):
    nanchang = Region.objects.get(code="360100")
    seed([nanchang], year=BEFORE, levels={EIP: "yellow"})
    seed(
        [nanchang],
        levels={EIP: "red", "grade": "not_completed"},
        values={"energy_intensity_completion": "87.123456789"},
    )
    body = _api(user_for("provincial")).get("/api/v1/barometer/", {"year": YEAR}).json()
    row = next(r for r in body["results"] if r["region_code"] == "360100")
    assert row["region_name"] == "南昌市" and row["level"] == "city" and row["year"] == YEAR
    assert row[EIP] == "red" and row[EIA] is None and row["grade"] == "not_completed"
    assert row["energy_intensity_completion"] == pytest.approx(87.123456789, abs=1e-12)
    assert row["previous"][EIP] == "yellow"
    assert row["changes"] == [
        {"metric": EIP, "previous": "yellow", "current": "red", "direction": "worsened"}
    ]


def test_the_downloads_hold_the_filtered_rows(db):
    cities = list(Region.objects.filter(level="city").order_by("code"))
    seed(
        cities,
        levels={EIP: {cities[0].code: "red", cities[1].code: "green"}},
        values={"nonfossil_share": "12.3456789", "energy_intensity_reduction_cum": 1},
    )
    client = _client(user_for("provincial"))
    params = {"year": YEAR, "metric": EIP, "level": "red"}
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/dashboards/", {**params, "export": "csv"}).content.decode("utf-8-sig"))
        )
    )
    assert [(r["region_code"], r[EIP], r["nonfossil_share"]) for r in rows] == [
        (cities[0].code, "red", "12.3456789")
    ]
    assert list(rows[0])[:5] == ["region_code", "region_name", "level", "parent_code", "year"]
    with translation.override("zh-hans"):
        client.cookies["django_language"] = "zh-hans"
        book = load_workbook(io.BytesIO(client.get("/dashboards/", {**params, "export": "xlsx"}).content))
    sheet = book.worksheets[0]
    first = header_row_of(sheet) + 1
    header, rows = table_of(sheet)
    assert "能耗强度进度预警" in header and header[:2] == ["地区", "地区代码"]
    assert rows[0][1] == cities[0].code
    share = sheet.cell(row=first, column=header.index("非化石能源消费比重（%）") + 1)
    assert share.value == pytest.approx(12.3456789) and share.number_format == "#,##0.00"  # shown rounded


def test_nav_and_the_declare_hint(jiangxi):
    province = _client(user_for("provincial"))
    html = province.get("/dashboards/", {"year": YEAR}).content.decode()
    assert 'class="hint"' in html
    years.declare_complete(user_for("provincial"), YEAR)
    assert 'class="hint"' not in province.get("/dashboards/").content.decode()
    assert 'class="hint"' not in _client(user_for("city")).get("/dashboards/").content.decode()
    assert 'href="/dashboards/"' in _client(user_for("congress")).get("/").content.decode()


# --- a constant number of queries ------------------------------------------------------------------


def _queries(call) -> int:
    """Queries of a cold request: the page's cached body (apps/core/cache.py) is built."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_number_of_regions(db, django_assert_max_num_queries):
    counties = list(Region.objects.filter(level="county").order_by("code"))
    seed(counties[:3], levels=dict.fromkeys(bm.WARNINGS, "red"), values={"energy_intensity_reduction_cum": 1})
    seed(counties[:3], year=BEFORE, levels=dict.fromkeys(bm.WARNINGS, "green"))
    user = user_for("provincial")
    client, api = _client(user), _api(user)
    params = {"year": YEAR, "region_level": "county"}
    few = (
        _queries(lambda: client.get("/dashboards/", params)),
        _queries(lambda: api.get("/api/v1/barometer/", params)),
    )
    seed(counties[3:], levels=dict.fromkeys(bm.WARNINGS, "red"), values={"energy_intensity_reduction_cum": 1})
    seed(counties[3:], year=BEFORE, levels=dict.fromkeys(bm.WARNINGS, "yellow"))
    seed(Region.objects.exclude(level="county"), levels=dict.fromkeys(bm.WARNINGS, "yellow"))
    many = (
        _queries(lambda: client.get("/dashboards/", params)),
        _queries(lambda: api.get("/api/v1/barometer/", params)),
    )
    assert many == few
    with django_assert_max_num_queries(15):
        client.get("/dashboards/", params)
    with django_assert_max_num_queries(12):
        api.get("/api/v1/barometer/", params)


# --- the tile grid -----------------------------------------------------------------------------------


def _points(level: str) -> list[tiles.Point]:
    return [tiles.Point(code, *xy) for (lvl, code), xy in tiles.seat_points().items() if lvl == level]


@pytest.mark.parametrize("level", ["city", "county"])
def test_tiles_never_share_a_cell_and_keep_north_at_the_top(level):
    points = _points(level)
    grid = tiles.snap(points)
    assert len(grid.cells) == len(points)
    assert len(set(grid.cells.values())) == len(points)  # no collisions
    assert all(0 <= r < grid.rows and 0 <= c < grid.cols for r, c in grid.cells.values())
    assert grid.rows * grid.cols < 3 * len(points)  # compact


def test_tiles_follow_the_seats():
    grid = tiles.snap(_points("city"))
    assert grid.cells["360400"][0] < grid.cells["360700"][0]  # 九江 (north) above 赣州 (south)
    assert grid.cells["361100"][1] > grid.cells["360300"][1]  # 上饶 (east) right of 萍乡 (west)


def test_tiles_are_deterministic_whatever_the_input_order():
    points = _points("county")
    assert tiles.snap(points) == tiles.snap(list(reversed(points)))
    assert tiles.snap([]).cells == {}
    single = tiles.snap([tiles.Point("a", 115.0, 28.0)])
    assert single.cells == {"a": (0, 0)} and (single.rows, single.cols) == (1, 1)
    same_place = tiles.snap([tiles.Point(k, 115.0, 28.0) for k in "abc"])
    assert len(set(same_place.cells.values())) == 3


def test_drill_down_keeps_the_filters_and_names_the_year(jiangxi):
    client = _client(user_for("provincial"))
    html = client.get("/dashboards/", {"metric": EIP, "level": "green", "sort": "-region"}).content.decode()
    link = f"?metric={EIP}&amp;level=green&amp;sort=-region&amp;year={YEAR}&amp;parent=360400"
    assert link in html
    drilled = client.get("/dashboards/", {"metric": EIP, "level": "green", "parent": "360400"})
    assert drilled.status_code == 200 and "九江市" in drilled.content.decode()


def test_the_api_opens_on_the_default_year(jiangxi):
    years.declare_complete(user_for("provincial"), YEAR)
    body = _api(user_for("provincial")).get("/api/v1/barometer/").json()
    assert body["count"] == Region.objects.filter(level="city").count()
    assert {row["year"] for row in body["results"]} == {YEAR}
