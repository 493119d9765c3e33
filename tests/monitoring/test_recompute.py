import csv
import io
import math

import pytest
from django.core.management import call_command

from apps.monitoring import services
from apps.monitoring.inputs import TEXT_VALUES
from apps.monitoring.models import (
    Assessment,
    AssessmentTrace,
    HierarchyCheck,
    MissingFigure,
    RecomputeRun,
    RunStatus,
)
from apps.reports.signals import report_approved

from .pipeline import approve_values, load_worked_example, read_csv

pytestmark = pytest.mark.django_db


def exported(**options) -> list[dict]:
    out = io.StringIO()
    call_command("export_assessments", stdout=out, **options)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def assert_matches_expected(rows: list[dict], expected: list[dict]) -> None:
    got = {(r["region_code"], r["year"], r["metric"]): r["value"] for r in rows}
    want = {(r["region_code"], r["year"], r["metric"]): r["value"] for r in expected}
    assert set(got) == set(want)
    for key, value in want.items():
        if value in TEXT_VALUES:
            assert got[key] == value, key
        else:
            assert math.isclose(float(got[key]), float(value), rel_tol=1e-9, abs_tol=1e-12), key


def test_worked_example_is_reproduced_through_recompute_and_export(capsys):
    load_worked_example()
    call_command("recompute")
    assert "recomputed 1 region(s), 72 result(s)" in capsys.readouterr().out
    assert_matches_expected(
        exported(), read_csv("worked_assessments.csv") + read_csv("worked_assessments_v11.csv")
    )


def test_export_filters_by_year_and_region():
    load_worked_example()
    call_command("recompute")
    rows = exported(year=2021, region="360100")
    assert {r["year"] for r in rows} == {"2021"}
    assert len(rows) == 32
    assert exported(region="360102") == []


def test_recompute_twice_changes_nothing_and_never_duplicates():
    load_worked_example()
    services.recompute()
    first = list(
        Assessment.objects.order_by("region_id", "year", "metric").values_list("metric", "value", "level")
    )
    services.recompute()
    second = list(
        Assessment.objects.order_by("region_id", "year", "metric").values_list("metric", "value", "level")
    )
    assert first == second
    assert Assessment.objects.count() == 72


def test_year_scoped_recompute_only_rewrites_that_year():
    load_worked_example()
    services.recompute()
    AssessmentTrace.objects.update(rule_set="stale")
    services.recompute(year=2021)
    assert AssessmentTrace.objects.get(year=2020).rule_set == "stale"
    assert AssessmentTrace.objects.get(year=2021).rule_set == "R2022"
    assert Assessment.objects.filter(year=2020).count() == 8


def test_every_figure_records_its_inputs_rule_set_factor_set_and_spec_version():
    load_worked_example()
    services.recompute()
    figure = Assessment.objects.get(year=2022, metric="energy_total_warning")
    assert figure.level == "red" and figure.value is None
    assert (figure.rule_set, figure.factor_set, figure.spec_version, figure.period) == (
        "R2022",
        "cn-eri",
        "v1.1",
        "2021-2025",
    )
    assert figure.inputs["A_k"] == pytest.approx(512.0)
    assert "red" in figure.formula


def test_missing_targets_leave_metrics_absent_with_a_reason():
    approve_values([r for r in read_csv("worked_values.csv")])  # no targets at all
    services.recompute()
    assert not Assessment.objects.filter(metric="energy_intensity_completion").exists()
    assert not Assessment.objects.filter(value=0).exclude(metric="co2_peaked").exists()
    reason = MissingFigure.objects.get(year=2021, metric="energy_intensity_completion").reason
    assert "target" in reason


def test_non_positive_gdp_is_refused_and_the_run_goes_on(region):
    rows = read_csv("worked_values.csv")
    bad = [dict(r, region_code="360200") for r in rows]
    for r in bad:
        if r["indicator"] == "gdp_current":
            r["value"] = "-5"
    approve_values(rows + bad)
    summary = services.recompute()
    assert summary.errors == []
    assert Assessment.objects.filter(region=region("360100")).exists()
    assert not Assessment.objects.filter(region=region("360200"), metric="gdp_const").exists()
    assert MissingFigure.objects.filter(region=region("360200"), metric="gdp_const").exists()


def test_a_run_records_its_progress_and_outcome():
    load_worked_example()
    run = services.run_create(reason="test")
    run = services.run_execute(run.pk)
    assert run.status == RunStatus.DONE
    assert (run.regions_total, run.regions_done, run.results_written) == (1, 1, 72)
    assert run.started_at and run.finished_at and run.progress_percent == 100


def test_approval_signal_queues_a_recompute_of_that_region(region, django_capture_on_commit_callbacks):
    load_worked_example()
    with django_capture_on_commit_callbacks(execute=True):
        report_approved.send(sender=None, region_id=region("360100").pk, year=2022, report_id=None)
    run = RecomputeRun.objects.get()
    assert run.scope_region == region("360100")
    assert run.status == RunStatus.DONE
    assert Assessment.objects.filter(region=region("360100")).count() == 72


def test_hierarchy_check_flags_children_that_do_not_add_up(region):
    rows = []
    counties = ["360102", "360103", "360104", "360111", "360112", "360113", "360121", "360123", "360124"]
    for code in counties:
        rows.append({"region_code": code, "year": "2021", "indicator": "energy_total", "value": "50"})
    rows.append({"region_code": "360100", "year": "2021", "indicator": "energy_total", "value": "500"})
    approve_values(rows)
    services.recompute(region_ids=[region("360102").pk])
    check = HierarchyCheck.objects.get(region=region("360100"), year=2021)
    assert check.children_sum == 450 and check.children_count == 9
    assert check.flagged and float(check.discrepancy) == pytest.approx(10.0)


def test_recompute_command_rejects_an_unknown_region():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="unknown region code"):
        call_command("recompute", region="999999")


def test_a_region_on_a_regional_grid_uses_that_grids_factors(region):
    from apps.indicators.models import Grid

    load_worked_example()
    Grid.objects.get(code="central-china").regions.add(region("360100"))
    services.recompute()
    co2 = Assessment.objects.get(year=2022, metric="co2_emissions")
    # 2022: 320×2.7412 + 88×(0.5825×44/12) + 47×(0.4435×44/12) − 5×0.5395×10 (Central China 2022)
    expected = 320 * 0.7476 * 44 / 12 + 88 * 0.5825 * 44 / 12 + 47 * 0.4435 * 44 / 12 - 5 * 0.5395 * 10
    assert float(co2.value) == pytest.approx(expected, rel=1e-12)
    assert co2.inputs["EF_grid"] == pytest.approx(0.5395)


def test_a_period_assigned_its_own_factor_set_uses_it_for_that_period_only():
    from decimal import Decimal

    from apps.indicators.models import EmissionFactorSet, FuelFactor
    from apps.targets.models import PlanPeriod

    load_worked_example()
    alt = EmissionFactorSet.objects.create(code="alt", name="alternative")
    for fuel, value in (("coal", "2.5"), ("oil", "2.0"), ("gas", "1.5")):
        FuelFactor.objects.create(
            factor_set=alt, fuel=fuel, value=Decimal(value), unit="tCO2/tce", source="test"
        )
    PlanPeriod.objects.filter(code="2021-2025").update(factor_set=alt)
    services.recompute()
    co2 = Assessment.objects.get(year=2021, metric="co2_emissions")
    assert co2.factor_set == "alt"
    assert float(co2.value) == pytest.approx(305 * 2.5 + 85 * 2.0 + 45 * 1.5 + 32 * 0.5568 * 10, rel=1e-12)
    assert set(AssessmentTrace.objects.values_list("factor_set", flat=True)) == {"alt"}


def test_target_and_catalog_changes_queue_recomputes(region, django_capture_on_commit_callbacks):
    from apps.indicators.models import RuleSet
    from apps.indicators.signals import catalog_changed
    from apps.targets.signals import targets_changed

    load_worked_example()
    with django_capture_on_commit_callbacks(execute=True):
        targets_changed.send(sender=None, region_ids=[region("360100").pk], period_code="2021-2025")
    assert RecomputeRun.objects.get().scope_region == region("360100")
    with django_capture_on_commit_callbacks(execute=True):
        catalog_changed.send(sender=RuleSet, kind="rule_set", object_id=1)
    full = RecomputeRun.objects.filter(scope_region__isnull=True).get()
    assert full.status == RunStatus.DONE and full.results_written == 72
