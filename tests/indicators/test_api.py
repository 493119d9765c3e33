from decimal import Decimal

import pytest

from apps.indicators.models import EmissionFactorSet, FuelFactor, Grid, GridFactor, Indicator, RuleSet
from tests.factories import ROLES
from tests.indicators.helpers import CATALOG_EDITORS

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/indicators/", "/api/v1/emission-factor-sets/", "/api/v1/grids/", "/api/v1/rule-sets/"]
REFUSED = [r for r in ROLES if r not in CATALOG_EDITORS]


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/indicators/gdp_current/"])
def test_unauthenticated_calls_get_401(api, url):
    assert api.get(url).status_code == 401
    assert api.post(url, {}).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_the_catalog(as_role, role):
    client = as_role(role)
    for url in LISTS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.json()["count"] > 0


def test_indicators_are_paginated_and_filterable(as_role):
    data = as_role("county").get("/api/v1/indicators/", {"required": "false"}).json()
    assert {"count", "next", "previous", "results"} <= set(data)
    assert [i["code"] for i in data["results"]] == ["forest_coverage", "forest_stock", "nev_share"]
    detail = as_role("county").get("/api/v1/indicators/electricity_net_import/").json()
    assert detail["allow_negative"] is True and detail["unit"] == "亿千瓦时"


def test_factor_sets_nest_their_fuel_factors_with_the_co2_value(as_role):
    data = as_role("congress").get("/api/v1/emission-factor-sets/cn-eri/").json()
    assert data["is_default"] is True
    coal = next(f for f in data["fuel_factors"] if f["fuel"] == "coal")
    assert coal == {
        "fuel": "coal",
        "value": "0.747600",
        "unit": "tC/tce",
        "co2_per_tce": "2.741200",
        "source": coal["source"],
    }
    assert "2021-2025" not in data["periods"]  # periods naming no set use the default implicitly


def test_grids_nest_their_yearly_factors_and_regions(as_role):
    data = as_role("department").get("/api/v1/grids/national/").json()
    assert [(f["year"], f["value_kg_per_kwh"]) for f in data["factors"]] == [
        (2021, "0.5568"),
        (2022, "0.5366"),
        (2023, "0.5306"),
    ]
    assert data["regions"] == []


def test_rule_sets_list_their_periods(as_role):
    data = as_role("city").get("/api/v1/rule-sets/R2022/").json()
    assert data["periods"] == ["2021-2025"]
    assert data["total_deducts_new_renewables"] is True


# --- writes --------------------------------------------------------------------------------------


WRITES = [
    (
        "post",
        "/api/v1/indicators/",
        {"code": "coal_power", "name_zh": "煤电", "name_en": "Coal power", "unit": "x", "unit_en": "x"},
    ),
    ("patch", "/api/v1/indicators/nev_share/", {"required": True}),
    (
        "patch",
        "/api/v1/indicators/gdp_current/",
        {"change_lower": "-15", "change_upper": "15", "change_basis": "parent", "parent_tolerance": "8"},
    ),
    ("post", "/api/v1/emission-factor-sets/", {"code": "v2", "name": "v2", "copy_from": "cn-eri"}),
    ("patch", "/api/v1/emission-factor-sets/cn-eri/", {"name": "renamed"}),
    ("post", "/api/v1/emission-factor-sets/cn-eri/set-default/", {}),
    (
        "put",
        "/api/v1/emission-factor-sets/cn-eri/fuel-factors/gas/",
        {"value": "1.63", "unit": "tCO2/tce", "source": "g"},
    ),
    ("post", "/api/v1/grids/", {"code": "east", "name": "East"}),
    ("patch", "/api/v1/grids/central-china/", {"name": "华中"}),
    ("post", "/api/v1/grids/national/set-default/", {}),
    ("post", "/api/v1/grids/national/factors/", {"year": 2024, "value_kg_per_kwh": "0.52", "source": "MEE"}),
    (
        "put",
        "/api/v1/grids/national/factors/2023/",
        {"year": 2023, "value_kg_per_kwh": "0.53", "source": "MEE"},
    ),
    ("delete", "/api/v1/grids/national/factors/2021/", None),
    ("put", "/api/v1/grids/central-china/regions/", {"regions": ["360100"]}),
    ("post", "/api/v1/rule-sets/", {"code": "R2030", "name": "2030"}),
    ("patch", "/api/v1/rule-sets/R2016/", {"progress_method": "linear"}),
]


def _snapshot():
    return (
        Indicator.history.count(),
        EmissionFactorSet.history.count(),
        FuelFactor.history.count(),
        Grid.history.count(),
        GridFactor.history.count(),
        RuleSet.history.count(),
        Grid.objects.get(code="central-china").regions.count(),
    )


@pytest.mark.parametrize("method,url,data", WRITES)
@pytest.mark.parametrize("role", CATALOG_EDITORS)
def test_catalog_editors_write_through_the_api(as_role, role, method, url, data):
    response = getattr(as_role(role), method)(url, data, format="json")
    assert response.status_code in (200, 201, 204), response.content


@pytest.mark.parametrize("method,url,data", WRITES)
@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_get_403_on_every_catalog_write(as_role, role, method, url, data):
    before = _snapshot()
    response = getattr(as_role(role), method)(url, data, format="json")
    assert response.status_code == 403
    assert _snapshot() == before


def test_write_results_are_returned_and_recorded(as_role, user_of):
    client = as_role("provincial")
    response = client.put(
        "/api/v1/emission-factor-sets/cn-eri/fuel-factors/gas/",
        {"value": "1.630", "unit": "tCO2/tce", "source": "企业核算指南"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["co2_per_tce"] == "1.630000"
    assert (
        FuelFactor.objects.get(factor_set__code="cn-eri", fuel="gas").history.first().history_user is not None
    )


def test_validation_errors_are_400_naming_the_field(as_role):
    client = as_role("admin")
    cases = [
        (
            "post",
            "/api/v1/grids/national/factors/",
            {"year": 2022, "value_kg_per_kwh": "0.5", "source": "x"},
            "year",
        ),
        (
            "post",
            "/api/v1/grids/national/factors/",
            {"year": 1999, "value_kg_per_kwh": "0.5", "source": "x"},
            "year",
        ),
        (
            "post",
            "/api/v1/grids/national/factors/",
            {"year": 2024, "value_kg_per_kwh": "0", "source": "x"},
            "value_kg_per_kwh",
        ),
        (
            "put",
            "/api/v1/emission-factor-sets/cn-eri/fuel-factors/oil/",
            {"value": "-1", "source": "x"},
            "value",
        ),
        ("post", "/api/v1/emission-factor-sets/", {"code": "cn-eri", "name": "dup"}, "code"),
        (
            "post",
            "/api/v1/emission-factor-sets/",
            {"code": "nofuel", "name": "x", "is_default": True},
            "is_default",
        ),
        (
            "post",
            "/api/v1/indicators/",
            {"code": "Bad-Code", "name_zh": "x", "name_en": "x", "unit": "x", "unit_en": "x"},
            "code",
        ),
        ("put", "/api/v1/grids/national/regions/", {"regions": ["360100"]}, "regions"),
        ("put", "/api/v1/grids/central-china/regions/", {"regions": ["999999"]}, "regions"),
        (
            "post",
            "/api/v1/rule-sets/",
            {"code": "R9", "name": "x", "progress_method": "cubic"},
            "progress_method",
        ),
    ]
    for method, url, data, field in cases:
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 400, (url, response.content)
        assert field in response.json()["errors"], (url, response.json())
    assert not EmissionFactorSet.objects.filter(code="nofuel").exists()
    assert GridFactor.objects.filter(grid__code="national").count() == 3


def test_indicator_code_is_read_only_on_update(as_role):
    response = as_role("provincial").patch(
        "/api/v1/indicators/nev_share/", {"code": "x", "order": 99}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["code"] == "nev_share"
    assert Indicator.objects.get(code="nev_share").order == 99


def test_set_default_moves_the_single_default_grid(as_role):
    response = as_role("provincial").post("/api/v1/grids/central-china/set-default/")
    assert response.status_code == 200
    assert response.json()["is_default"] is True
    assert list(Grid.objects.filter(is_default=True).values_list("code", flat=True)) == ["central-china"]


def test_grid_factor_delete_and_update(as_role):
    client = as_role("provincial")
    assert client.delete("/api/v1/grids/central-china/factors/2022/").status_code == 204
    assert client.delete("/api/v1/grids/central-china/factors/2022/").status_code == 404
    response = client.put(
        "/api/v1/grids/central-china/factors/2023/",
        {"year": 2023, "value_kg_per_kwh": "0.5280", "source": "x"},
        format="json",
    )
    assert response.json()["value_kg_per_kwh"] == "0.5280"
    assert GridFactor.objects.get(grid__code="central-china", year=2023).value_kg_per_kwh == Decimal("0.5280")


def test_openapi_schema_documents_the_catalog_endpoints(api):
    schema = api.get("/api/schema/").content.decode()
    for path in [
        "/api/v1/indicators/",
        "/api/v1/emission-factor-sets/{code}/fuel-factors/{fuel}/",
        "/api/v1/grids/{code}/factors/{year}/",
        "/api/v1/rule-sets/",
    ]:
        assert path in schema


# --- plausibility bounds (issue 15) -------------------------------------------------------------


def test_every_indicator_carries_its_plausibility_bounds(as_role):
    data = as_role("county").get("/api/v1/indicators/", {"page_size": 100}).json()["results"]
    by_code = {i["code"]: i for i in data}
    stock = by_code["forest_stock"]
    assert (stock["change_measure"], stock["change_lower"], stock["change_upper"]) == (
        "percent",
        "-5.00",
        "5.00",
    )
    assert (stock["change_basis"], stock["parent_tolerance"]) == ("own", None)
    gdp = by_code["gdp_current"]
    assert (gdp["change_basis"], gdp["parent_tolerance"]) == ("parent", "10.00")
    assert by_code["forest_coverage"]["change_measure"] == "points"
    unbounded = [c for c, i in by_code.items() if i["change_lower"] is None and i["change_upper"] is None]
    assert unbounded == ["electricity_net_import"]  # a balance around zero (catalog.CHANGE_BOUNDS)


def test_editing_bounds_through_the_api_is_validated_and_history_tracked(as_role):
    client = as_role("provincial")
    bad = client.patch(
        "/api/v1/indicators/forest_stock/",
        {"change_lower": "3", "change_upper": "-1", "change_basis": "parent"},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"change_lower", "change_upper", "parent_tolerance"}
    before = Indicator.history.filter(code="forest_stock").count()
    ok = client.patch("/api/v1/indicators/forest_stock/", {"change_lower": "-3"}, format="json")
    assert ok.status_code == 200 and ok.json()["change_lower"] == "-3.00"
    assert Indicator.history.filter(code="forest_stock").count() == before + 1
    assert Indicator.history.filter(code="forest_stock").first().history_user is not None
