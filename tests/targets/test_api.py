import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.regions.selectors import by_code
from apps.targets.models import PlanPeriod, RegionTarget
from tests.factories import ROLES

pytestmark = pytest.mark.django_db

WORKED = Path(__file__).parent / "data" / "worked_targets.csv"


def target_id(code, metric="energy_intensity_reduction"):
    return RegionTarget.objects.get(region=by_code(code), metric=metric, period__code="2021-2025").pk


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/api/v1/targets/"),
        ("get", "/api/v1/periods/"),
        ("get", "/api/v1/periods/2021-2025/"),
        ("post", "/api/v1/targets/"),
        ("post", "/api/v1/targets/import/"),
        ("patch", "/api/v1/periods/2021-2025/"),
    ],
)
def test_unauthenticated_calls_get_401(api, method, url):
    assert getattr(api, method)(url).status_code == 401


# roles.md v1.1 "read targets": county/city and department staff their subtree and the regions
# above it; provincial officials all; congress members their subtree; administrators all.
# (ROLE_PROFILES: county = Donghu 360102, city = Nanchang 360100, the others at the province.)
READS_TARGETS_OF = {
    "county": lambda path: path in ("360000/", "360000/360100/") or path.startswith("360000/360100/360102/"),
    "city": lambda path: path == "360000/" or path.startswith("360000/360100/"),
    "department": lambda path: True,
    "provincial": lambda path: True,
    "congress": lambda path: True,
    "admin": lambda path: True,
}


def all_rows(client, url, params=None) -> list[dict]:
    rows, page = [], client.get(url, params or {}).json()
    while True:
        rows += page["results"]
        if not page.get("next"):
            return rows
        page = client.get(page["next"]).json()


def readable_ids(role) -> set[int]:
    return {
        t.pk for t in RegionTarget.objects.select_related("region") if READS_TARGETS_OF[role](t.region.path)
    }


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_periods_and_the_targets_roles_md_grants(as_role, demo, role):
    client = as_role(role)
    periods = client.get("/api/v1/periods/").json()["results"]
    assert [p["code"] for p in periods] == ["2016-2020", "2021-2025", "2026-2030"]
    assert periods[1]["rule_set"] == "R2022" and periods[1]["factor_set"] is None
    assert periods[1]["first_year"] == 2021 and periods[1]["last_year"] == 2025
    listed = {t["id"] for t in all_rows(client, "/api/v1/targets/")}
    assert listed == readable_ids(role) and listed
    for target in RegionTarget.objects.exclude(pk__in=listed)[:3]:  # lists and details agree
        assert client.get(f"/api/v1/targets/{target.pk}/").status_code == 404
    for pk in list(listed)[:3]:
        assert client.get(f"/api/v1/targets/{pk}/").status_code == 200


def test_a_county_reads_its_own_its_citys_and_the_provinces_targets_not_a_siblings(as_role, demo):
    client = as_role("county")
    regions = {t["region"] for t in all_rows(client, "/api/v1/targets/")}
    assert {"360000", "360100"} <= regions <= {"360000", "360100", "360102"}
    assert client.get("/api/v1/targets/", {"region": "360103"}).json()["count"] == 0
    sibling = RegionTarget.objects.filter(region__code="360103").first()
    assert client.get(f"/api/v1/targets/{sibling.pk}/").status_code == 404
    assert client.patch(f"/api/v1/targets/{sibling.pk}/", {"value": "1"}, format="json").status_code == 404


def test_target_list_costs_a_constant_number_of_queries(as_role, demo, django_assert_max_num_queries):
    client = as_role("city")
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/targets/")
    assert response.json()["count"] == len(readable_ids("city"))


def test_targets_filter_by_region_period_metric_and_year(as_role, demo):
    client = as_role("county")
    data = client.get("/api/v1/targets/", {"region": "360100", "period": "2021-2025"}).json()
    assert (
        data["count"] == RegionTarget.objects.filter(region__code="360100", period__code="2021-2025").count()
    )
    assert {t["region"] for t in data["results"]} == {"360100"}
    caps = {"within": "360100", "metric": "energy_total_cap", "period": "2021-2025"}
    data = client.get("/api/v1/targets/", caps).json()
    assert data["count"] == 2  # Nanchang and Donghu: the sibling counties' targets are not the county's
    data = as_role("city").get("/api/v1/targets/", caps).json()
    assert data["count"] == 10
    client = as_role("county")
    data = client.get(
        "/api/v1/targets/", {"metric": "energy_intensity_reduction_annual", "year": 2022}
    ).json()
    assert [(t["region"], t["value"], t["year"]) for t in data["results"]] == [("360100", "3.2000", 2022)]
    later = client.get("/api/v1/targets/", {"period": "2026-2030", "region": "360000"}).json()
    assert later["count"] and {t["period"] for t in later["results"]} == {"2026-2030"}
    assert client.get("/api/v1/targets/", {"metric": "nonsense"}).status_code == 400
    first = client.get("/api/v1/targets/", {"region": "360000"}).json()["results"][0]
    assert set(first) == {
        "id",
        "region",
        "region_name",
        "period",
        "metric",
        "year",
        "value",
        "note",
        "updated_at",
        "updated_by",
        "version",
    }


# --- writes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,code", [("city", "360102"), ("provincial", "360000"), ("provincial", "360500"), ("admin", "360124")]
)
def test_setters_create_update_and_delete_in_their_scope(as_role, role, code):
    client = as_role(role)
    body = {"region": code, "period": "2021-2025", "metric": "co2_intensity_reduction", "value": "18.5"}
    response = client.post("/api/v1/targets/", body, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    again = client.post("/api/v1/targets/", {**body, "value": "19"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == pk  # same key: replaced, not duplicated
    response = client.patch(f"/api/v1/targets/{pk}/", {"note": "checked"}, format="json")
    assert response.status_code == 200
    assert response.json()["value"] == "19.0000" and response.json()["note"] == "checked"
    assert client.delete(f"/api/v1/targets/{pk}/").status_code == 204
    assert not RegionTarget.objects.exists()
    assert RegionTarget.history.filter(id=pk).count() == 4  # created, replaced, noted, deleted


@pytest.mark.parametrize("role,code", [("city", "360100"), ("city", "360202"), ("provincial", "360102")])
def test_a_region_outside_the_jurisdiction_is_403_naming_the_field(as_role, role, code):
    body = {"region": code, "period": "2021-2025", "metric": "co2_intensity_reduction", "value": "18.5"}
    response = as_role(role).post("/api/v1/targets/", body, format="json")
    assert response.status_code == 403
    assert "region" in response.json()["errors"]
    assert not RegionTarget.objects.exists()


@pytest.mark.parametrize("role", ["county", "department", "congress"])
def test_users_without_the_role_get_403_on_every_target_write(as_role, demo, role):
    client = as_role(role)
    pk = target_id("360102")
    before = RegionTarget.objects.get(pk=pk).value
    body = {"region": "360102", "period": "2021-2025", "metric": "co2_intensity_reduction", "value": "17.25"}
    assert client.post("/api/v1/targets/", body, format="json").status_code == 403
    assert client.patch(f"/api/v1/targets/{pk}/", {"value": "1"}, format="json").status_code == 403
    assert client.put(f"/api/v1/targets/{pk}/", {"value": "1", "note": ""}, format="json").status_code == 403
    assert client.delete(f"/api/v1/targets/{pk}/").status_code == 403
    upload = SimpleUploadedFile("t.csv", WORKED.read_bytes())
    assert client.post("/api/v1/targets/import/", {"file": upload}, format="multipart").status_code == 403
    assert RegionTarget.objects.get(pk=pk).value == before
    assert not RegionTarget.objects.filter(
        metric="co2_intensity_reduction", region=by_code("360102"), value="17.25"
    )


def test_update_and_delete_outside_the_jurisdiction_are_403(as_role, demo):
    client = as_role("city")
    pk = target_id("360000")
    response = client.patch(f"/api/v1/targets/{pk}/", {"value": "1"}, format="json")
    assert response.status_code == 403 and "region" in response.json()["errors"]
    assert client.delete(f"/api/v1/targets/{pk}/").status_code == 403
    assert RegionTarget.objects.get(pk=pk).value == Decimal("14")


@pytest.mark.parametrize(
    "body,field",
    [
        ({"metric": "nonfossil_share", "value": "100"}, "value"),
        ({"metric": "nonfossil_share", "value": "-1"}, "value"),
        ({"metric": "nonfossil_share", "value": "lots"}, "value"),
        ({"metric": "energy_intensity_reduction_annual", "value": "3"}, "year"),
        ({"metric": "energy_intensity_reduction_annual", "value": "3", "year": 2020}, "year"),
        ({"metric": "energy_total_cap", "value": "500", "year": 2022}, "year"),
        ({"metric": "peak_year", "value": "2030"}, "metric"),
        ({"metric": "energy_total_cap", "value": "500", "period": "2021-2024"}, "period"),
        ({"metric": "energy_total_cap", "value": "500", "region": "999999"}, "region"),
    ],
)
def test_invalid_targets_are_400_naming_the_field(as_role, body, field):
    data = {"region": "360000", "period": "2021-2025", **body}
    response = as_role("provincial").post("/api/v1/targets/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not RegionTarget.objects.exists()


def test_invalid_update_is_400(as_role, demo):
    pk = target_id("360000")
    response = as_role("provincial").patch(f"/api/v1/targets/{pk}/", {"value": "150"}, format="json")
    assert response.status_code == 400 and "value" in response.json()["errors"]


# --- import --------------------------------------------------------------------------------------


def test_import_of_the_worked_targets(as_role):
    upload = SimpleUploadedFile("worked_targets.csv", WORKED.read_bytes(), content_type="text/csv")
    response = as_role("provincial").post("/api/v1/targets/import/", {"file": upload}, format="multipart")
    assert response.status_code == 200
    assert response.json() == {"created": 4, "updated": 0, "unchanged": 0}


def test_import_rejection_is_400_with_the_row_errors(as_role):
    upload = SimpleUploadedFile("worked_targets.csv", WORKED.read_bytes(), content_type="text/csv")
    response = as_role("city").post("/api/v1/targets/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(r, "region_code") for r in (2, 3, 4, 5)]
    assert not RegionTarget.objects.exists()


def test_import_of_garbage_is_a_clean_400(as_role):
    client = as_role("admin")
    upload = SimpleUploadedFile("garbage.csv", os.urandom(10 * 1024 * 1024))
    response = client.post("/api/v1/targets/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert client.post("/api/v1/targets/import/", {}, format="multipart").status_code == 400
    assert client.get("/api/v1/targets/").status_code == 200


# --- periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["provincial", "admin"])
def test_catalog_editors_assign_a_periods_rule_set_and_factor_set(as_role, role):
    client = as_role(role)
    response = client.patch(
        "/api/v1/periods/2026-2030/", {"rule_set": "R2022", "factor_set": "cn-eri"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["rule_set"] == "R2022" and response.json()["factor_set"] == "cn-eri"
    response = client.patch("/api/v1/periods/2026-2030/", {"factor_set": None}, format="json")
    assert response.json()["factor_set"] is None
    period = PlanPeriod.objects.get(code="2026-2030")
    assert period.history.count() == 3  # baseline, then two changes


@pytest.mark.parametrize("role", ["county", "city", "department", "congress"])
def test_period_assignment_is_403_for_other_roles(as_role, role):
    response = as_role(role).patch("/api/v1/periods/2026-2030/", {"rule_set": "R2016"}, format="json")
    assert response.status_code == 403
    assert PlanPeriod.objects.get(code="2026-2030").rule_set.code == "R2024"


def test_period_assignment_validation(as_role):
    response = as_role("provincial").patch("/api/v1/periods/2026-2030/", {"rule_set": "R9999"}, format="json")
    assert response.status_code == 400 and "rule_set" in response.json()["errors"]
    response = as_role("provincial").patch(
        "/api/v1/periods/2026-2030/", {"code": "2031-2035", "base_year": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["code"] == "2026-2030" and response.json()["base_year"] == 2025


def test_openapi_schema_documents_targets_and_import(api):
    schema = api.get("/api/schema/").content.decode()
    for path in [
        "/api/v1/targets/",
        "/api/v1/targets/import/",
        "/api/v1/targets/{id}/",
        "/api/v1/periods/{code}/",
    ]:
        assert path in schema
    assert "multipart/form-data" in schema
