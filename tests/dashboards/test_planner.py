"""The remaining-years planner (issue 10, item 5): what the rest of the period must achieve, the
what-if on the engine, saved scenarios with their permissions, pages and API."""

import math
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.dashboards import planner, scenarios
from apps.dashboards.models import Scenario
from apps.monitoring import engine, inputs, services
from apps.monitoring.models import Assessment, AssessmentTrace
from apps.regions.selectors import by_code
from apps.reports.models import ReportStatus
from apps.targets.models import TargetMetric
from tests.factories import RegionTargetFactory, make_report, user_for, user_with

COUNTY = "360102"  # Donghu
SIBLING = "360103"  # Xihu

BASE = {  # fuels 3 : 2 : 1, renewables constant (D_t = 0), so projections stay exact
    "gdp_current": Decimal("1000"),
    "gdp_index": Decimal("106"),
    "energy_total": Decimal("500"),
    "energy_coal": Decimal("210"),
    "energy_oil": Decimal("140"),
    "energy_gas": Decimal("70"),
    "energy_nonfossil": Decimal("80"),
    "renewable_power": Decimal("50"),
    "feedstock_energy": Decimal("20"),
    "electricity_net_import": Decimal("30"),
}


def _approved(code: str, year: int, **changes):
    return make_report(code, year, ReportStatus.APPROVED, {**BASE, **changes})


@pytest.fixture
def county(db):
    """Donghu with approved values 2020–2022 (k = 2 of 2021–2025) and its three targets."""
    _approved(COUNTY, 2020)
    _approved(COUNTY, 2021, energy_total=Decimal("505"))
    _approved(COUNTY, 2022, energy_total=Decimal("500"))
    for metric, value in (
        (TargetMetric.ENERGY_INTENSITY_REDUCTION, "14"),
        (TargetMetric.CO2_INTENSITY_REDUCTION, "18"),
        (TargetMetric.ENERGY_TOTAL_CAP, "520"),
    ):
        RegionTargetFactory(code=COUNTY, period_code="2021-2025", metric=metric, value=Decimal(value))
    return by_code(COUNTY)


def _assumptions(years, gdp=5.0, energy=2.0, added=4.0):
    return [{"year": y, "gdp_growth": gdp, "energy_growth": energy, "nonfossil_added": added} for y in years]


# ---- pure rules -----------------------------------------------------------------------------------


def test_required_annual_reduction_matches_a_hand_computed_case():
    # T = 14 %, R_2 = 5 %, k = 2 of n = 5: 1 − (0.86 / 0.95)^(1/3)
    # 0.86 / 0.95 = 0.9052632; ln = −0.0995298; / 3 = −0.0331766; exp = 0.9673677 → 3.2632 %
    assert planner.required_annual_reduction(0.14, 0.05, 2, 5) == pytest.approx(0.0326323, abs=1e-6)
    # reaching the target exactly: (1 − R)(1 − a)^(n − k) = 1 − T
    a = planner.required_annual_reduction(0.18, 0.07, 3, 5)
    assert (1 - 0.07) * (1 - a) ** 2 == pytest.approx(1 - 0.18)
    # from the base year it is the plain annual requirement; beyond the target it is negative
    assert planner.required_annual_reduction(0.14, 0.0, 0, 5) == pytest.approx(1 - 0.86 ** (1 / 5))
    assert planner.required_annual_reduction(0.14, 0.20, 4, 5) < 0


def test_required_annual_reduction_refuses_an_ended_period():
    with pytest.raises(ValueError):
        planner.required_annual_reduction(0.14, 0.10, 5, 5)


def test_period_position_moves_to_the_next_period_and_ends_without_one():
    p13, p14, p15 = engine.DEFAULT_PERIODS
    assert planner.plan_position(engine.DEFAULT_PERIODS, 2023) == (p14, 3)
    assert planner.plan_position(engine.DEFAULT_PERIODS, 2025) == (p15, 0)  # 2025 is the base of 2026–2030
    assert planner.plan_position((p13, p14), 2025) == (p14, 5)  # no period follows: ended


def test_period_ended_summary_says_so(county, monkeypatch):
    _approved(COUNTY, 2023)
    _approved(COUNTY, 2024)
    _approved(COUNTY, 2025)
    only_two = engine.DEFAULT_PERIODS[:2]
    real = inputs.load_config

    def config_without_15th():
        c = real()
        return inputs.EngineConfig(only_two, c.rule_sets, c.fuels_by_period, c.default_grid, c.grid_by_region)

    monkeypatch.setattr(inputs, "load_config", config_without_15th)
    summary = planner.remaining_needs(county)
    assert summary.ended and summary.k == 5 and not summary.plannable
    assert all(need.required is None and need.reason for need in summary.intensities)
    with pytest.raises(ValidationError) as err:
        planner.what_if(county, [])
    assert "region" in err.value.message_dict


# ---- what the rest must achieve -------------------------------------------------------------------


def test_summary_gives_required_reductions_and_energy_budget(county):
    summary = planner.remaining_needs(county)
    assert (summary.period.code, summary.latest_year, summary.k) == ("2021-2025", 2022, 2)
    assert summary.remaining_years == (2023, 2024, 2025)
    # energy intensity: I = E^I / G with E^I = total − feedstock (R2022); G grows 6 % a year
    i_base, i_2022 = (500 - 20) / 1000, (500 - 20) / (1000 * 1.06 * 1.06)
    r = 1 - i_2022 / i_base
    energy = summary.intensities[0]
    assert energy.achieved == pytest.approx(r * 100)
    assert energy.required == pytest.approx((1 - (0.86 / (1 - r)) ** (1 / 3)) * 100)
    # budget: the cap 520 minus the assessed total of 2022 (500 − feedstock 20; no new renewables)
    assert summary.energy_assessed == pytest.approx(480)
    assert summary.energy_budget == pytest.approx(40)


def test_summary_names_the_missing_target(db):
    _approved(COUNTY, 2020)
    _approved(COUNTY, 2021)
    RegionTargetFactory(code=COUNTY, metric=TargetMetric.ENERGY_INTENSITY_REDUCTION, value=Decimal("14"))
    with translation.override("en"):
        summary = planner.remaining_needs(by_code(COUNTY))
    co2 = summary.intensities[1]
    assert co2.required is None and "CO2-intensity reduction" in co2.reason and "2021-2025" in co2.reason
    assert summary.energy_budget is None and "total energy cap" in summary.energy_reason
    assert len(summary.missing_targets) == 2


# ---- what-if --------------------------------------------------------------------------------------


def test_what_if_gives_the_engines_figures_for_equal_real_inputs(county):
    """Project 2023, then approve 2023 with exactly the projected values: identical figures."""
    outcome = planner.what_if(county, _assumptions([2023, 2024, 2025], gdp=5, energy=2, added=4))
    projected = outcome["years"][0]
    assert projected["year"] == 2023
    # 500 × 1.02 = 510; non-fossil 80 + 4 = 84; fossil 426 split 3 : 2 : 1
    assert projected["inputs"]["energy_total"] == pytest.approx(510)
    assert projected["inputs"]["energy_coal"] == pytest.approx(213)
    _approved(
        COUNTY,
        2023,
        gdp_index=Decimal("105"),
        energy_total=Decimal("510"),
        energy_nonfossil=Decimal("84"),
        energy_coal=Decimal("213"),
        energy_oil=Decimal("142"),
        energy_gas=Decimal("71"),
    )
    region_inputs = services.load_inputs([county.pk], inputs.load_config())[0]
    real = {r.metric: r.value for r in inputs.compute(region_inputs, 2023)[0]}
    for metric, value in projected["figures"].items():
        if value is None:
            assert metric not in real, metric
        elif isinstance(value, str):
            assert real[metric] == value, metric
        else:
            assert real[metric] == pytest.approx(value, rel=1e-12), metric
    assert {m for m in planner.metrics.WARNING_METRICS if projected["figures"][m]} >= {
        "energy_intensity_warning_annual",
        "energy_total_warning",
    }


def test_validation_errors_name_field_and_year_all_at_once(county):
    bad = [
        {"year": 2023, "gdp_growth": 60, "energy_growth": "x", "nonfossil_added": 1},
        {"year": 2024, "gdp_growth": 3, "energy_growth": 1, "nonfossil_added": -2},
        {"year": 2025, "gdp_growth": math.inf, "energy_growth": -51, "nonfossil_added": 0},
    ]
    with pytest.raises(ValidationError) as err:
        planner.what_if(county, bad)
    errors = err.value.message_dict
    assert set(errors) == {
        "assumptions.2023.gdp_growth",
        "assumptions.2023.energy_growth",
        "assumptions.2024.nonfossil_added",
        "assumptions.2025.gdp_growth",
        "assumptions.2025.energy_growth",
    }
    assert all(msgs[0].startswith(key.split(".")[1]) for key, msgs in errors.items())


def test_validation_names_missing_and_foreign_years(county):
    with pytest.raises(ValidationError) as err:
        planner.what_if(county, _assumptions([2023, 2031]))
    text = " ".join(err.value.message_dict["assumptions"])
    assert "2031" in text and "2024, 2025" in text


def test_non_fossil_beyond_the_total_is_refused_for_its_year(county):
    with pytest.raises(ValidationError) as err:
        planner.what_if(county, _assumptions([2023, 2024, 2025], added=200))
    # totals 510, 520.2, 530.6; non-fossil 280, 480, 680: only 2025 goes beyond
    assert set(err.value.message_dict) == {"assumptions.2025.nonfossil_added"}


def test_nothing_projected_is_written_beside_approved_data(county):
    before = Assessment.objects.count(), AssessmentTrace.objects.count()
    planner.what_if(county, _assumptions([2023, 2024, 2025]))
    scenarios.scenario_save(
        user=user_for("county"), region=county, name="plan A", assumptions=_assumptions([2023, 2024, 2025])
    )
    assert (Assessment.objects.count(), AssessmentTrace.objects.count()) == before


# ---- scenarios and permissions ----------------------------------------------------------------------


def test_scenario_keeps_assumptions_outcome_and_data_version(county):
    user = user_for("county")
    scenario = scenarios.scenario_save(
        user=user, region=county, name="plan A", assumptions=_assumptions([2023, 2024, 2025])
    )
    assert scenario.period.code == "2021-2025" and scenario.latest_year == 2022
    assert [a["year"] for a in scenario.assumptions] == [2023, 2024, 2025]
    assert scenario.outcome["years"][2]["figures"]["grade"]
    assert scenario.spec_version == engine.SPEC_VERSION and scenario.created_by == user
    assert scenario.history.count() == 1


@pytest.mark.parametrize(
    ("role", "code", "allowed"),
    [
        (Role.REGION_STAFF, COUNTY, True),
        (Role.REGION_STAFF, SIBLING, False),
        (Role.REGION_STAFF, "360100", False),  # the city saves for itself only
        (Role.PROVINCIAL_OFFICIAL, "360000", True),
        (Role.DEPARTMENT_STAFF, "360000", False),
        (Role.CONGRESS_MEMBER, "360000", False),
    ],
)
def test_who_may_save_a_scenario(county, role, code, allowed):
    kind = "energy" if role == Role.DEPARTMENT_STAFF else None
    user = user_with(role, code, kind)
    save = lambda: scenarios.scenario_save(  # noqa: E731
        user=user, region=county, name="x", assumptions=_assumptions([2023, 2024, 2025])
    )
    if allowed:
        assert save().pk
    else:
        with pytest.raises(PermissionDenied):
            save()


def test_who_reads_scenarios(county):
    scenario = scenarios.scenario_save(
        user=user_for("county"), region=county, name="x", assumptions=_assumptions([2023, 2024, 2025])
    )
    for kind in ("county", "city", "provincial", "congress", "department"):
        assert scenario in scenarios.scenarios_for(user_for(kind)), kind
    assert scenario not in scenarios.scenarios_for(user_with(Role.REGION_STAFF, SIBLING))


def test_attach_only_to_the_regions_own_report(county):
    user = user_for("county")
    scenario = scenarios.scenario_save(
        user=user, region=county, name="x", assumptions=_assumptions([2023, 2024, 2025])
    )
    own = make_report(COUNTY, 2023)  # the county's own draft
    foreign = make_report(SIBLING, 2022, ReportStatus.APPROVED)
    with pytest.raises(ValidationError) as err:
        scenarios.scenario_attach_to_report(user=user, scenario=scenario, report=foreign)
    assert "report" in err.value.message_dict
    scenarios.scenario_attach_to_report(user=user, scenario=scenario, report=own)
    scenario.refresh_from_db()
    assert scenario.attached_report == own and scenario.attached_by == user
    assert list(scenarios.scenarios_for_report(user, own)) == [scenario]
    with pytest.raises(PermissionDenied):
        scenarios.scenario_attach_to_report(user=user_for("congress"), scenario=scenario, report=own)


def test_recovery_plan_of_an_approved_report_cannot_be_deleted(county):
    user = user_for("county")
    scenario = scenarios.scenario_save(
        user=user, region=county, name="x", assumptions=_assumptions([2023, 2024, 2025])
    )
    report = county.reports.get(year=2022)
    scenarios.scenario_attach_to_report(user=user, scenario=scenario, report=report)
    with pytest.raises(ValidationError):
        scenarios.scenario_delete(user=user, scenario=Scenario.objects.get(pk=scenario.pk))
    free = scenarios.scenario_save(
        user=user, region=county, name="y", assumptions=_assumptions([2023, 2024, 2025])
    )
    scenarios.scenario_delete(user=user, scenario=free)
    assert not Scenario.objects.filter(pk=free.pk).exists()


# ---- pages ------------------------------------------------------------------------------------------


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_planner_page_shows_needs_form_and_results(county, django_assert_max_num_queries):
    client = _client(user_for("county"))
    with django_assert_max_num_queries(20):  # 15 measured: one load of the inputs
        page = client.get(f"/dashboards/county/{COUNTY}/planner/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'name="gdp_growth_2023"' in html
        and "planner-chart-data" in html
        and "/dashboards/county/360102/" in html
    )
    computed = client.get(f"/dashboards/county/{COUNTY}/planner/", {f"gdp_growth_{y}": "60" for y in (2023,)})
    assert computed.status_code == 200 and 'aria-invalid="true"' in computed.content.decode()


def test_planner_page_saves_a_scenario_without_javascript(county):
    client = _client(user_for("county"))
    form = {"name": "plan B"}
    for a in _assumptions([2023, 2024, 2025]):
        form.update({f"{k}_{a['year']}": str(v) for k, v in a.items() if k != "year"})
    response = client.post(f"/dashboards/county/{COUNTY}/planner/", form)
    scenario = Scenario.objects.get(name="plan B")
    assert response.status_code == 302 and response.url == f"/dashboards/scenarios/{scenario.pk}/"
    detail = client.get(response.url)
    assert detail.status_code == 200 and "plan B" in detail.content.decode()


def test_pages_refuse_outsiders(county):
    sibling = _client(user_with(Role.REGION_STAFF, SIBLING))
    assert sibling.get(f"/dashboards/county/{COUNTY}/planner/").status_code == 404
    scenario = scenarios.scenario_save(
        user=user_for("county"), region=county, name="x", assumptions=_assumptions([2023, 2024, 2025])
    )
    assert sibling.get(f"/dashboards/scenarios/{scenario.pk}/").status_code == 404
    congress = _client(user_for("congress"))
    assert congress.get(f"/dashboards/scenarios/{scenario.pk}/").status_code == 200
    assert congress.post(f"/dashboards/county/{COUNTY}/planner/", {"name": "x"}).status_code == 403
    assert congress.post(f"/dashboards/scenarios/{scenario.pk}/delete/").status_code == 403


# ---- API --------------------------------------------------------------------------------------------


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_what_if_without_saving(county):
    api = _api(user_for("city"))
    response = api.post(
        "/api/v1/planner/", {"region": COUNTY, "assumptions": _assumptions([2023, 2024, 2025])}, format="json"
    )
    assert response.status_code == 200
    assert [row["year"] for row in response.json()["years"]] == [2023, 2024, 2025]
    bad = api.post(
        "/api/v1/planner/",
        {"region": COUNTY, "assumptions": _assumptions([2023, 2024, 2025], gdp=99)},
        format="json",
    )
    assert bad.status_code == 400 and "assumptions.2023.gdp_growth" in bad.json()["errors"]
    assert (
        api.post("/api/v1/planner/", {"region": "999999", "assumptions": []}, format="json").status_code
        == 400
    )
    outsider = _api(user_with(Role.REGION_STAFF, SIBLING))
    assert (
        outsider.post("/api/v1/planner/", {"region": COUNTY, "assumptions": []}, format="json").status_code
        == 403
    )
    assert Scenario.objects.count() == 0


def test_api_scenarios_save_list_attach_delete(county):
    api = _api(user_for("county"))
    body = {"region": COUNTY, "name": "plan C", "assumptions": _assumptions([2023, 2024, 2025])}
    created = api.post("/api/v1/scenarios/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["kind"] == "scenario" and data["outcome"]["years"][0]["year"] == 2023
    listed = api.get("/api/v1/scenarios/", {"region": COUNTY}).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert api.get("/api/v1/scenarios/", {"region": "nope"}).status_code == 400
    report = make_report(COUNTY, 2023)
    attached = api.post(f"/api/v1/scenarios/{data['id']}/attach/", {"report": report.pk}, format="json")
    assert attached.status_code == 200 and attached.json()["attached_report"] == report.pk
    congress = _api(user_for("congress"))
    assert congress.get(f"/api/v1/scenarios/{data['id']}/").status_code == 200
    assert congress.post("/api/v1/scenarios/", body, format="json").status_code == 403
    assert congress.delete(f"/api/v1/scenarios/{data['id']}/").status_code == 403
    sibling = _api(user_with(Role.REGION_STAFF, SIBLING))
    assert sibling.get(f"/api/v1/scenarios/{data['id']}/").status_code == 404
    assert api.delete(f"/api/v1/scenarios/{data['id']}/").status_code == 204


def test_planner_page_without_data_says_why(db):
    page = _client(user_for("county")).get(f"/dashboards/county/{COUNTY}/planner/")
    assert page.status_code == 200
    assert 'name="gdp_growth_' not in page.content.decode()


def test_unknown_region_or_wrong_level_is_404(county):
    client = _client(user_for("provincial"))
    assert client.get("/dashboards/county/999999/planner/").status_code == 404
    assert client.get(f"/dashboards/city/{COUNTY}/planner/").status_code == 404
    assert client.get("/dashboards/scenarios/999999/").status_code == 404


def test_api_attach_answers_alike_for_unknown_foreign_and_unreadable_reports(county):
    api = _api(user_for("county"))
    body = {"region": COUNTY, "name": "plan D", "assumptions": _assumptions([2023, 2024, 2025])}
    scenario_id = api.post("/api/v1/scenarios/", body, format="json").json()["id"]
    foreign = make_report(SIBLING, 2022)  # a sibling's draft: the county may not even read it
    answers = [
        api.post(f"/api/v1/scenarios/{scenario_id}/attach/", {"report": pk}, format="json")
        for pk in (foreign.pk, 999999)
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()


def test_the_report_page_shows_its_attached_recovery_plan(county):
    user = user_for("county")
    scenario = scenarios.scenario_save(
        user=user, region=county, name="recovery 2023", assumptions=_assumptions([2023, 2024, 2025])
    )
    report = county.reports.get(year=2022)
    page = _client(user).get(f"/reports/{report.pk}/").content.decode()
    assert "recovery 2023" not in page and "/planner/" in page  # may save one: the panel offers it
    scenarios.scenario_attach_to_report(user=user, scenario=scenario, report=report)
    page = _client(user).get(f"/reports/{report.pk}/").content.decode()
    assert "recovery 2023" in page and f"/dashboards/scenarios/{scenario.pk}/" in page
    congress = _client(user_for("congress")).get(f"/reports/{report.pk}/").content.decode()
    assert "recovery 2023" in congress  # reads the subtree's scenarios
    other = _client(user_with(Role.REGION_STAFF, SIBLING)).get(f"/reports/{report.pk}/")
    assert other.status_code == 404
