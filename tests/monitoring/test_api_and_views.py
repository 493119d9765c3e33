import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.monitoring import metrics, services
from apps.monitoring.models import RecomputeRun, RunStatus
from tests.factories import user_with

from .pipeline import load_worked_example, read_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed():
    load_worked_example()
    services.recompute()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_assessments_api_needs_authentication():
    assert APIClient().get("/api/v1/assessments/").status_code == 401


def test_assessments_api_filters_by_region_year_metric_and_level(computed):
    api = api_as(user_with(Role.PROVINCIAL_OFFICIAL, "360000"))
    data = api.get("/api/v1/assessments/", {"region": "360100", "year": 2022, "level": "red"}).json()
    assert {r["metric"] for r in data["results"]} == {
        "energy_intensity_warning_annual",
        "energy_intensity_warning_progress",
        "energy_total_warning",
    }
    one = api.get("/api/v1/assessments/", {"metric": "gdp_const", "year": 2022}).json()["results"][0]
    assert one["value"] == "1123.2"
    assert one["rule_set"] == "R2022" and one["spec_version"] == "v1.1"
    assert one["inputs"]["gdp_index"] == 104.0


def test_assessments_are_scoped_to_the_users_subtree(computed):
    county = api_as(user_with(Role.REGION_STAFF, "360102"))
    assert county.get("/api/v1/assessments/").json()["count"] == 0
    city = api_as(user_with(Role.REGION_STAFF, "360100"))
    assert city.get("/api/v1/assessments/").json()["count"] == 72
    congress = api_as(user_with(Role.CONGRESS_MEMBER, "360000"))
    assert congress.get("/api/v1/assessments/").json()["count"] == 72


def test_api_export_returns_the_exchange_csv_scoped(computed):
    official = api_as(user_with(Role.PROVINCIAL_OFFICIAL, "360000"))
    response = official.get("/api/v1/assessments/export/", {"year": 2021})
    lines = response.content.decode().splitlines()
    assert lines[0] == "region_code,year,metric,value"
    assert len(lines) == 1 + 32
    county = api_as(user_with(Role.REGION_STAFF, "360102"))
    assert county.get("/api/v1/assessments/export/").content.decode().splitlines() == [
        "region_code,year,metric,value"
    ]


def test_provincial_official_starts_a_recompute_and_follows_its_status_url(
    django_capture_on_commit_callbacks,
):
    load_worked_example()
    api = api_as(user_with(Role.PROVINCIAL_OFFICIAL, "360000"))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/recompute-runs/", {"region": "360100", "year": 2022}, format="json")
    assert response.status_code == 202
    status_url = response.json()["status_url"]
    assert response["Location"] == status_url
    run = api.get(status_url).json()
    assert run["status"] == RunStatus.DONE
    assert run["results_written"] == 32


@pytest.mark.parametrize(
    ("role", "code"),
    [(Role.REGION_STAFF, "360100"), (Role.CONGRESS_MEMBER, "360000"), (Role.REGION_STAFF, "360102")],
)
def test_recompute_is_refused_to_other_roles(role, code):
    api = api_as(user_with(role, code))
    assert api.post("/api/v1/recompute-runs/", {}, format="json").status_code == 403
    assert not RecomputeRun.objects.exists()


def test_recompute_with_an_unknown_region_is_a_field_error():
    api = api_as(user_with(Role.PROVINCIAL_OFFICIAL, "360000"))
    response = api.post("/api/v1/recompute-runs/", {"region": "999999"}, format="json")
    assert response.status_code == 400
    assert "region" in response.json()["errors"]


def test_overview_and_region_year_pages_show_figures_with_their_formulas(client, computed, region):
    client.force_login(user_with(Role.CONGRESS_MEMBER, "360000"))
    overview = client.get(reverse("monitoring:overview"), {"year": 2022})
    assert overview.status_code == 200
    assert "南昌市" in overview.content.decode()
    page = client.get(reverse("monitoring:region-year", args=["city", "360100", 2022]))
    text = page.content.decode()
    assert "R_t = 1 − I_t / I_b" in text
    assert "energy_total_warning" in text and "level-red" in text


def test_region_year_page_says_what_is_missing(client, region):
    from .pipeline import approve_values

    approve_values(read_csv("worked_values.csv"))  # no targets
    services.recompute()
    client.force_login(user_with(Role.PROVINCIAL_OFFICIAL, "360000"))
    text = client.get(reverse("monitoring:region-year", args=["city", "360100", 2021])).content.decode()
    assert "energy_intensity_completion" in text
    assert "no energy_intensity_reduction target" in text or "target" in text


def test_region_year_page_of_another_county_is_not_found(client, computed):
    client.force_login(user_with(Role.REGION_STAFF, "360102"))
    assert client.get(reverse("monitoring:region-year", args=["city", "360100", 2022])).status_code == 404


def test_ui_recompute_is_refused_to_county_staff_and_runs_for_officials(
    client, django_capture_on_commit_callbacks
):
    load_worked_example()
    client.force_login(user_with(Role.REGION_STAFF, "360102"))
    assert client.post(reverse("monitoring:run-start")).status_code == 403
    client.force_login(user_with(Role.PROVINCIAL_OFFICIAL, "360000"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:run-start"), {"region": "", "year": ""})
    run = RecomputeRun.objects.get()
    assert response["Location"] == reverse("monitoring:run-detail", args=[run.pk])
    detail = client.get(response["Location"])
    assert "hx-get" not in detail.content.decode()  # finished: no more polling
    run.refresh_from_db()
    assert run.status == RunStatus.DONE


def test_running_run_status_polls_with_htmx(client):
    client.force_login(user_with(Role.PROVINCIAL_OFFICIAL, "360000"))
    run = services.run_create(reason="pending")
    response = client.get(reverse("monitoring:run-detail", args=[run.pk]), HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert 'hx-trigger="every 2s"' in text
    assert "<html" not in text


def test_xlsx_export_of_assessments(client, computed):
    import io

    from openpyxl import load_workbook

    client.force_login(user_with(Role.PROVINCIAL_OFFICIAL, "360000"))
    response = client.get(reverse("monitoring:export"), {"format": "xlsx", "year": 2022})
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    # for people (issue 10): a title and the filters above the header; the code column for machines
    header = next(i for i, r in enumerate(rows) if r and r[4] == "指标代码")
    assert rows[header] == ("地区", "地区代码", "年份", "指标", "指标代码", "数值", "单位")
    data = rows[header + 1 :]
    assert len(data) == 32
    by_metric = {r[4]: r[5] for r in data}
    with translation.override("zh-hans"):
        assert by_metric["grade"] == metrics.text_label("not_completed")
        assert by_metric["energy_total_warning"] == metrics.text_label("red")
    assert isinstance(by_metric["score_target"], float) and by_metric["co2_peak_year"] == 2021


def test_v11_figures_on_the_api_and_the_formula_page(client, computed):
    api = api_as(user_with(Role.PROVINCIAL_OFFICIAL, "360000"))
    data = api.get("/api/v1/assessments/", {"year": 2021, "metric": "grade"}).json()["results"]
    assert [(r["metric"], r["value"], r["level"]) for r in data] == [
        ("grade", "pending_review", "pending_review")
    ]
    assert "pending review" in data[0]["formula"] or "pending_review" in data[0]["formula"]
    assert api.get("/api/v1/assessments/", {"level": "not_completed"}).json()["count"] == 1
    client.force_login(user_with(Role.CONGRESS_MEMBER, "360000"))
    page = client.get(reverse("monitoring:region-year", args=["city", "360100", 2021]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "score_target = max(0, 40" in text and "L(CO2_t, CO2_s)" in text
    assert "待评审" in text  # the grade label, in the default language
