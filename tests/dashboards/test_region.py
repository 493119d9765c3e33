"""The region dashboard: who sees which region, what its charts and downloads hold, the
series API and the page's query count."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from apps.accounts.navigation import items_for
from apps.dashboards import region as selectors
from apps.monitoring import engine
from apps.monitoring.models import Assessment
from apps.plans.models import MeasureStatus
from apps.regions.models import Region
from apps.targets.models import TargetMetric
from tests.factories import MeasureFactory, RegionTargetFactory, SectorPlanFactory, user_for
from tests.xlsx import preamble_of, table_of

YEARS = (2019, 2020, 2021, 2022)
NANCHANG, DONGHU, JIUJIANG, PROVINCE = "360100", "360102", "360400", "360000"


def _rows(region: Region, weight: float) -> list[Assessment]:
    rows = []
    for year in YEARS:
        k = year - 2020 if year > 2020 else year - 2015
        numbers = {
            "energy_intensity": 0.5 * weight - 0.01 * k,
            "energy_intensity_reduction_cum": 2.0 * k,
            "energy_intensity_progress_required": 2.97 * k,
            "co2_intensity": 1.1 * weight - 0.02 * k,
            "co2_intensity_reduction_cum": 2.5 * k,
            "co2_intensity_progress_required": 3.89 * k,
            "energy_total_assessed": 100 * weight + year - 2019,
            "energy_total_allowed": 100 * weight + 0.5 * k,
            "co2_emissions": 200 * weight + (year - 2019) * 3,
            "nonfossil_share": 18 + k / 10,
            "lmdi_activity": 5.0,
            "lmdi_intensity": -1.0,
            "lmdi_carbon_factor": -1.0,
            "lmdi_activity_cum": 9.0,
            "lmdi_intensity_cum": -2.0,
            "lmdi_carbon_factor_cum": -1.0,
        }
        for metric, value in numbers.items():
            rows.append(
                Assessment(region=region, year=year, metric=metric, value=Decimal(str(round(value, 9))))
            )
        for metric in engine.WARNING_METRICS if hasattr(engine, "WARNING_METRICS") else ():
            rows.append(Assessment(region=region, year=year, metric=metric, level=engine.YELLOW))
        rows.append(
            Assessment(region=region, year=year, metric="energy_intensity_warning_progress", level=engine.RED)
        )
        rows.append(Assessment(region=region, year=year, metric="grade", level=engine.GRADE_PENDING))
    return rows


@pytest.fixture
def world(db):
    """Figures for the province, every city, Nanchang's and Jiujiang's counties; Nanchang's targets."""
    regions = list(
        Region.objects.filter(code__in=[PROVINCE])
        | Region.objects.filter(level="city")
        | Region.objects.filter(parent__code__in=[NANCHANG, JIUJIANG])
    )
    weights = {PROVINCE: 10.0}
    rows = []
    for region in regions:
        rows += _rows(region, weights.get(region.code, 1.0 if region.level == "city" else 0.1))
    Assessment.objects.bulk_create(rows)
    RegionTargetFactory(code=NANCHANG, metric=TargetMetric.ENERGY_INTENSITY_REDUCTION, value=Decimal("14"))
    RegionTargetFactory(code=NANCHANG, metric=TargetMetric.ENERGY_TOTAL_CAP, value=Decimal("103"))
    return {r.code: r for r in regions if r.level != "county" or r.parent.code in (NANCHANG, JIUJIANG)}


def client_as(client, role):
    client.force_login(user_for(role))
    return client


def url(level, code, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/dashboards/{level}/{code}/" + (f"?{query}" if query else "")


# ---- who sees which dashboard -------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, level, code, status",
    [
        ("county", "county", DONGHU, 200),
        ("city", "county", DONGHU, 200),
        ("department", "county", DONGHU, 200),
        ("provincial", "county", DONGHU, 200),
        ("congress", "county", DONGHU, 200),
        ("admin", "county", DONGHU, 200),
        ("county", "city", NANCHANG, 404),
        ("city", "city", NANCHANG, 200),
        ("department", "city", NANCHANG, 200),
        ("provincial", "city", NANCHANG, 200),
        ("congress", "city", NANCHANG, 200),
        ("county", "city", JIUJIANG, 404),
        ("city", "city", JIUJIANG, 404),
        ("congress", "city", JIUJIANG, 200),
        ("county", "province", PROVINCE, 404),
        ("city", "province", PROVINCE, 404),
        ("department", "province", PROVINCE, 200),
        ("provincial", "province", PROVINCE, 200),
        ("congress", "province", PROVINCE, 200),
    ],
)
def test_the_dashboard_is_shown_to_every_role_that_may_read_the_region_and_404_to_the_others(
    world, client, role, level, code, status
):
    response = client_as(client, role).get(url(level, code))
    assert response.status_code == status
    if status == 200:
        assert world[code].name in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(world, client):
    response = client.get(url("city", NANCHANG))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "path",
    [
        url("town", NANCHANG),
        url("city", "999999"),
        url("county", NANCHANG),  # the code of a city under a county's level
        url("city", NANCHANG, year="1999"),
        url("city", NANCHANG, year="abc"),
        f"/dashboards/city/{NANCHANG}/chart/nonsense.csv",
        f"/dashboards/city/{NANCHANG}/chart/progress.pdf",
    ],
)
def test_unknown_level_code_year_chart_or_format_is_a_404(world, client, path):
    assert client_as(client, "provincial").get(path).status_code == 404


def test_the_page_shows_the_year_grade_warnings_and_data_version(world, client):
    client.cookies["django_language"] = "en"
    response = client_as(client, "provincial").get(url("city", NANCHANG, year="2021"))
    html = response.content.decode()
    assert response.context["year"] == 2021
    assert "Pending review" in html and "Energy intensity progress warning" in html
    assert 'class="data-version"' in html
    assert [
        w["level"] for w in response.context["warnings"] if w["metric"] == "energy_intensity_warning_progress"
    ] == [engine.RED]
    assert f"/monitoring/city/{NANCHANG}/2021/" in html  # the formula page
    assert f"/dashboards/city/{NANCHANG}/planner/" in html
    assert 'src="/static/vendor/plotly-3.3.1.min.js"' in html and "cdn" not in html.lower()


def test_every_chart_has_a_table_view_and_downloads(world, client):
    response = client_as(client, "provincial").get(url("city", NANCHANG, year="2022"))
    html = response.content.decode()
    drawn = [c for c in response.context["charts"] if c.figure]
    assert {c.code for c in drawn} >= {
        "energy_intensity",
        "energy_total",
        "progress",
        "lmdi",
        "children",
        "parent_share",
    }
    for chart in drawn:
        assert f'id="fig-{chart.code}"' in html  # the figure JSON (json_script)
        assert f'id="chart-{chart.code}-caption"' in html  # the table's caption
        assert f"/dashboards/city/{NANCHANG}/chart/{chart.code}.csv?year=2022" in html


def test_the_target_line_of_the_region_is_drawn(world, client):
    response = client_as(client, "provincial").get(url("city", NANCHANG, year="2022"))
    charts = {c.code: c for c in response.context["charts"]}
    codes = [t["meta"]["code"] for t in charts["energy_intensity"].figure["data"]]
    assert "energy_intensity_target_2021_2025" in codes
    cap = [
        t for t in charts["energy_total"].figure["data"] if t["meta"]["code"].startswith("energy_total_cap")
    ]
    assert cap[0]["y"][0] == 103.0


def test_the_breadcrumb_links_to_the_readable_dashboards_above(world, client):
    html = client_as(client, "city").get(url("county", DONGHU)).content.decode()
    assert f'href="/dashboards/city/{NANCHANG}/' in html
    assert f'href="/dashboards/province/{PROVINCE}/' not in html  # the province is outside a city's scope


def test_measures_of_its_sector_plans_are_counted_by_status(world, client):
    plan = SectorPlanFactory(code=NANCHANG)
    MeasureFactory(plan=plan, status=MeasureStatus.ON_TRACK)
    MeasureFactory(plan=plan, status=MeasureStatus.DELAYED)
    MeasureFactory(plan=plan, status=MeasureStatus.DELAYED)
    MeasureFactory(plan=SectorPlanFactory(code=JIUJIANG), status=MeasureStatus.DELAYED)
    response = client_as(client, "city").get(url("city", NANCHANG))
    rows = {status: n for status, _label, n in response.context["measure_rows"]}
    assert rows[MeasureStatus.ON_TRACK] == 1 and rows[MeasureStatus.DELAYED] == 2


# ---- downloads: exactly the figures drawn, only regions in scope -----------------------------


def _csv(response):
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_children_download_holds_exactly_the_bars_drawn(world, client):
    client = client_as(client, "city")
    page = client.get(url("city", NANCHANG, year="2022"))
    figure = {c.code: c for c in page.context["charts"]}["children"].figure
    rows = _csv(client.get(f"/dashboards/city/{NANCHANG}/chart/children.csv?year=2022"))
    children = set(Region.objects.filter(parent__code=NANCHANG).values_list("code", flat=True))
    assert list(rows[0]) == ["region_code", "year", "part_region_code", "energy_share", "co2_share"]
    assert {r["region_code"] for r in rows} == {NANCHANG} and {r["year"] for r in rows} == {"2022"}
    drawn = figure["data"][0]
    assert [r["part_region_code"] for r in rows] == drawn["customdata"]
    assert set(drawn["customdata"]) == children
    assert [float(r["energy_share"]) for r in rows] == pytest.approx(drawn["y"])


def test_a_county_download_never_reveals_its_city(world, client):
    client = client_as(client, "county")
    assert client.get(f"/dashboards/county/{DONGHU}/chart/parent_share.csv").status_code == 404
    assert client.get(f"/dashboards/county/{DONGHU}/chart/children.csv").status_code == 404
    assert client.get(f"/dashboards/city/{NANCHANG}/chart/children.csv").status_code == 404
    page = client.get(url("county", DONGHU))
    parent_share = {c.code: c for c in page.context["charts"]}["parent_share"]
    assert parent_share.figure is None and parent_share.note  # says why instead of drawing
    assert world[NANCHANG].name not in page.content.decode().split("</nav>", 2)[-1]  # only in the breadcrumb
    rows = _csv(client.get(f"/dashboards/county/{DONGHU}/chart/energy_total.csv"))
    assert {r["region_code"] for r in rows} == {DONGHU}


def test_the_city_share_of_the_province_is_shown_to_those_who_read_the_province(world, client):
    rows = _csv(
        client_as(client, "provincial").get(f"/dashboards/city/{NANCHANG}/chart/parent_share.csv?year=2022")
    )
    assert len(rows) == 1
    assert float(rows[0]["energy_share"]) == pytest.approx(103 / 1003 * 100)
    city = client_as(client, "city")
    assert city.get(f"/dashboards/city/{NANCHANG}/chart/parent_share.csv?year=2022").status_code == 404


def test_the_year_chart_csv_is_machine_shaped_with_full_precision(world, client):
    client = client_as(client, "provincial")
    rows = _csv(client.get(f"/dashboards/city/{NANCHANG}/chart/energy_intensity.csv?year=2022"))
    assert list(rows[0])[:3] == ["region_code", "year", "energy_intensity"]
    years = [r["year"] for r in rows]
    assert years == sorted(years) and years[-1] == "2025"  # the period target runs to the period's end
    by_year = {r["year"]: r for r in rows}
    assert float(by_year["2022"]["energy_intensity"]) == pytest.approx(0.48)  # 0.5 − 0.01 × 2
    assert by_year["2025"]["energy_intensity"] == ""
    assert float(by_year["2025"]["energy_intensity_target_2021_2025"]) == pytest.approx(0.48 / 0.96 * 0.86)


def test_the_xlsx_download_has_translated_headers_units_and_the_data_version(world, client):
    client = client_as(client, "provincial")
    client.cookies["django_language"] = "zh-hans"
    response = client.get(f"/dashboards/city/{NANCHANG}/chart/energy_total.xlsx?year=2022")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    header, _rows = table_of(book.worksheets[0])
    assert header[0] == "年份" and any("万吨标准煤" in (h or "") for h in header)
    about = {row[0]: row[1] for row in preamble_of(book.worksheets[0]) if row}
    assert engine.SPEC_VERSION in str(about["数据版本"])  # the data version
    assert f"{world[NANCHANG].name}（{NANCHANG}）" in about["筛选条件"]


# ---- menu ---------------------------------------------------------------------------------------


def test_staff_reach_their_own_region_from_the_menu(world, client):
    def menu(user) -> set[str]:
        return {str(item["url"]) for item in items_for(user)}

    assert "/dashboards/my-region/" in menu(user_for("county"))
    assert "/dashboards/my-region/" not in menu(user_for("admin"))  # no jurisdiction of its own
    response = client_as(client, "county").get("/dashboards/my-region/")
    assert response.status_code == 302 and response["Location"] == f"/dashboards/county/{DONGHU}/"
    client.force_login(user_for("admin"))
    assert client.get("/dashboards/my-region/").status_code == 404


# ---- series API ---------------------------------------------------------------------------------


def test_the_series_api_gives_numbers_in_full_precision_and_text_levels(world, as_role):
    api = as_role("city")
    body = api.get(
        "/api/v1/series/", {"region": DONGHU, "metrics": "energy_intensity,grade", "from": 2020}
    ).json()
    assert body["region_code"] == DONGHU and body["region_name"] == world[DONGHU].name
    intensity, grade = body["metrics"]
    assert intensity["metric"] == "energy_intensity" and intensity["unit"]
    assert [p["year"] for p in intensity["points"]] == [2020, 2021, 2022]
    assert intensity["points"][-1]["value"] == pytest.approx(0.05 - 0.02)
    assert {p["value"] for p in grade["points"]} == {engine.GRADE_PENDING}


@pytest.mark.parametrize(
    "role, code, status",
    [
        ("county", NANCHANG, 404),
        ("county", JIUJIANG, 404),
        ("city", JIUJIANG, 404),
        ("city", NANCHANG, 200),
        ("congress", JIUJIANG, 200),
    ],
)
def test_the_series_api_is_scoped(world, as_role, role, code, status):
    response = as_role(role).get("/api/v1/series/", {"region": code, "metrics": "co2_emissions"})
    assert response.status_code == status


@pytest.mark.parametrize(
    "params, field",
    [
        ({"metrics": "co2_emissions"}, "region"),
        ({"region": NANCHANG}, "metrics"),
        ({"region": NANCHANG, "metrics": "co2_emissions,not_a_metric"}, "metrics"),
        ({"region": NANCHANG, "metrics": "co2_emissions", "from": "20x"}, "from"),
        ({"region": NANCHANG, "metrics": "co2_emissions", "to": "-1"}, "to"),
    ],
)
def test_bad_series_parameters_are_a_400_naming_the_parameter(world, as_role, params, field):
    response = as_role("provincial").get("/api/v1/series/", params)
    assert response.status_code == 400
    assert field in str(response.json())


def test_an_unknown_region_is_a_404(world, as_role):
    assert (
        as_role("provincial")
        .get("/api/v1/series/", {"region": "999999", "metrics": "co2_emissions"})
        .status_code
        == 404
    )


def test_the_series_api_is_in_the_openapi_schema(db, as_role):
    schema = as_role("provincial").get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/series/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"region", "metrics", "from", "to"}


# ---- query count --------------------------------------------------------------------------------


def _queries(client, path):
    """Queries of a cold request: the page's cached figures part (apps/core/cache.py) is built."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_however_many_children_have_figures(
    world, client, django_assert_max_num_queries
):
    client = client_as(client, "provincial")
    city = url("city", NANCHANG, year="2022")
    before = _queries(client, city)
    Assessment.objects.filter(region__parent__code=NANCHANG).delete()  # no child with figures
    assert _queries(client, city) == before
    province = url("province", PROVINCE, year="2022")  # 11 cities
    assert _queries(client, province) == before
    with django_assert_max_num_queries(20):
        client.get(f"/dashboards/city/{NANCHANG}/chart/children.xlsx?year=2022")
    # 17 for the figures, charts and links, the rest for the planner's summary (one region's inputs)
    with django_assert_max_num_queries(30):
        client.get(province)


def test_selectors_read_all_years_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        series = selectors.region_series(world[NANCHANG])
    assert set(series["energy_intensity"]) == set(YEARS)


def test_a_region_without_figures_shows_an_empty_state(db, client):
    response = client_as(client, "provincial").get(url("city", NANCHANG))
    assert response.status_code == 200
    assert response.context["year"] is None and response.context["charts"] == []
    assert 'class="dash-empty"' in response.content.decode()
    assert client.get(f"/dashboards/city/{NANCHANG}/chart/energy_intensity.csv").status_code == 404


def test_the_province_has_no_share_of_a_region_above(world, client):
    response = client_as(client, "provincial").get(url("province", PROVINCE, year="2022"))
    codes = {c.code for c in response.context["charts"]}
    assert "parent_share" not in codes and "children" in codes
