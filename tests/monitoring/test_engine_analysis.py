"""Assessment grade (§9), carbon peak (§10), LMDI decomposition (§11), hierarchy check (§12), and
the small helpers callers use around compute_region."""

from __future__ import annotations

import math

import pytest

from apps.monitoring.engine import (
    DEFAULT_PERIODS,
    GRADE_BASIC,
    GRADE_COMPLETED,
    GRADE_EXCEEDED,
    GRADE_FAILED,
    STATUS_GRADED,
    STATUS_PENDING,
    Period,
    Targets,
    assess,
    average_growth,
    average_reduction,
    grade_for_score,
    hierarchy_check,
    lmdi,
    log_mean,
    observed_peak,
    project_emissions,
    project_peak,
    reporting_period,
    required_decline,
    target_missed,
    target_part,
    targets_from_records,
)

from .engine_data import run, worked_values

P14 = Period("2021-2025", 2020)
P15 = Period("2026-2030", 2025)

# --- §9 assessment ----------------------------------------------------------------------------------


def test_target_part_is_40_times_the_target_share_capped_at_one() -> None:
    assert target_part(0.5, False) == 20.0
    assert target_part(1.0, False) == 40.0
    assert target_part(1.3, False) == 40.0


def test_target_part_loses_10_points_when_the_total_exceeds_its_cap() -> None:
    assert target_part(1.2, True) == 30.0


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100.0, GRADE_EXCEEDED),
        (95.0, GRADE_EXCEEDED),
        (94.999, GRADE_COMPLETED),
        (80.0, GRADE_COMPLETED),
        (79.999, GRADE_BASIC),
        (60.0, GRADE_BASIC),
        (59.999, GRADE_FAILED),
        (0.0, GRADE_FAILED),
    ],
)
def test_grade_boundaries_belong_to_the_better_grade(score: float, grade: str) -> None:
    assert grade_for_score(score) == grade


def test_assessment_with_measures_score_is_graded() -> None:
    a = assess(P14, 1.1, False, 56.0, energy_target_missed=False)
    assert (a.target_part, a.score, a.grade, a.status, a.vetoed) == (
        40.0,
        96.0,
        GRADE_EXCEEDED,
        STATUS_GRADED,
        False,
    )


def test_assessment_without_measures_score_is_pending_review_and_never_graded() -> None:
    a = assess(P14, 0.9, True, None, energy_target_missed=False)
    assert a.target_part == 40 * 0.9 - 10
    assert (a.score, a.grade, a.status) == (None, None, STATUS_PENDING)


def test_missed_energy_intensity_target_fails_whatever_the_score() -> None:
    a = assess(P14, 0.99, False, 60.0, energy_target_missed=True)
    assert a.score == 0.99 * 40 + 60
    assert a.grade == GRADE_FAILED and a.vetoed


def test_missed_carbon_intensity_target_vetoes_only_from_2026() -> None:
    before = assess(P14, 1.0, False, 60.0, energy_target_missed=False, carbon_target_missed=True)
    after = assess(P15, 1.0, False, 60.0, energy_target_missed=False, carbon_target_missed=True)
    assert (before.grade, before.vetoed) == (GRADE_EXCEEDED, False)
    assert (after.grade, after.vetoed) == (GRADE_FAILED, True)


def test_vetoed_assessment_without_measures_is_still_pending_but_flagged() -> None:
    a = assess(P14, 0.5, False, None, energy_target_missed=True)
    assert (a.grade, a.status, a.vetoed) == (None, STATUS_PENDING, True)


@pytest.mark.parametrize("measures", [-1.0, 60.5])
def test_measures_score_outside_0_to_60_is_rejected(measures: float) -> None:
    with pytest.raises(ValueError):
        assess(P14, 1.0, False, measures, energy_target_missed=False)


def test_target_is_missed_when_the_cumulative_reduction_falls_short() -> None:
    assert target_missed(0.139, 0.14)
    assert not target_missed(0.14, 0.14)


# --- §10 carbon peak --------------------------------------------------------------------------------


def test_peak_counts_when_two_or_more_years_before_the_latest_and_followed_by_lower_years() -> None:
    peak = observed_peak({2019: 100.0, 2020: 110.0, 2021: 105.0, 2022: 104.0})
    assert peak is not None
    assert (peak.peak_year, peak.peak_value, peak.latest_year, peak.peaked) == (2020, 110.0, 2022, True)


def test_highest_value_one_year_before_the_latest_is_not_yet_a_peak() -> None:
    peak = observed_peak({2020: 100.0, 2021: 110.0, 2022: 105.0})
    assert peak is not None and peak.peak_year == 2021 and not peak.peaked


def test_rising_emissions_have_not_peaked() -> None:
    peak = observed_peak({2020: 100.0, 2021: 101.0, 2022: 102.0})
    assert peak is not None and peak.peak_year == 2022 and not peak.peaked


def test_plateau_peak_is_the_last_year_at_the_maximum() -> None:
    peak = observed_peak({2019: 110.0, 2020: 110.0, 2021: 105.0, 2022: 100.0})
    assert peak is not None and peak.peak_year == 2020 and peak.peaked
    plateau = observed_peak({2020: 110.0, 2021: 105.0, 2022: 110.0})
    assert plateau is not None and plateau.peak_year == 2022 and not plateau.peaked


def test_no_emissions_no_peak() -> None:
    assert observed_peak({}) is None


def test_required_decline_keeps_emissions_flat() -> None:
    g = 0.05
    d_star = required_decline(g)
    assert d_star == 1 - 1 / 1.05
    assert math.isclose((1 + g) * (1 - d_star), 1.0, rel_tol=1e-15)


def test_averages_are_compound() -> None:
    assert math.isclose(average_growth([0.1, 0.0]), math.sqrt(1.1) - 1, rel_tol=1e-15)
    assert math.isclose(average_reduction([0.19, 0.0]), 1 - math.sqrt(0.81), rel_tol=1e-15)


def test_emissions_peak_now_when_intensity_falls_at_least_as_fast_as_gdp_grows() -> None:
    p = project_peak(2023, [0.05] * 5, [0.06] * 5)
    assert (p.peak_year, p.label) == (2023, "now")
    assert p.factor <= 1


def test_emissions_that_keep_growing_do_not_peak_before_2060() -> None:
    p = project_peak(2023, [0.06] * 5, [0.03] * 5)
    assert (p.peak_year, p.label) == (None, "not before 2060")
    assert project_emissions(100.0, p.growth, p.decline, 2060 - 2023) > 100.0


def test_projection_uses_only_the_last_five_years() -> None:
    p = project_peak(2023, [0.5, 0.05, 0.05, 0.05, 0.05, 0.05], [0.0, 0.06, 0.06, 0.06, 0.06, 0.06])
    assert math.isclose(p.growth, 0.05, rel_tol=1e-12) and p.label == "now"


def test_projection_needs_five_years() -> None:
    with pytest.raises(ValueError):
        project_peak(2023, [0.05] * 4, [0.06] * 5)


def test_projected_emissions_compound_growth_and_decline() -> None:
    assert project_emissions(100.0, 0.1, 0.1, 2) == 100.0 * (1.1 * 0.9) ** 2


# --- §11 LMDI ---------------------------------------------------------------------------------------


def test_log_mean_of_equal_values_is_the_value() -> None:
    assert log_mean(3.5, 3.5) == 3.5
    assert log_mean(2.0, 1.0) == 1 / math.log(2.0)


def test_lmdi_attributes_pure_gdp_growth_to_activity() -> None:
    d = lmdi(100.0, 110.0, 1000.0, 1100.0, 50.0, 55.0)
    assert math.isclose(d.activity, 10.0, rel_tol=1e-12)
    assert abs(d.intensity) < 1e-12 and abs(d.carbon_factor) < 1e-12


def test_lmdi_splits_the_worked_example_change_exactly() -> None:
    results, _ = run(worked_values())
    co2 = {y: results[(y, "co2_emissions")].value for y in (2021, 2022)}
    gdp = {y: results[(y, "gdp_const")].value for y in (2021, 2022)}
    d = lmdi(co2[2021], co2[2022], gdp[2021], gdp[2022], 520.0, 545.0)  # type: ignore[arg-type]
    assert d.activity > 0 and d.carbon_factor < 0
    assert math.isclose(d.activity + d.intensity + d.carbon_factor, d.change, rel_tol=1e-12)


def test_lmdi_refuses_non_positive_values() -> None:
    with pytest.raises(ValueError, match="co2_t"):
        lmdi(100.0, -1.0, 1000.0, 1100.0, 50.0, 55.0)


# --- §12 hierarchy ----------------------------------------------------------------------------------


def test_children_sum_more_than_5_percent_off_is_flagged() -> None:
    check = hierarchy_check(100.0, [40.0, 30.0, 36.0])
    assert check.children_sum == 106.0 and check.flagged
    assert math.isclose(check.discrepancy or 0.0, 0.06, rel_tol=1e-12)


def test_children_sum_exactly_5_percent_off_is_not_flagged() -> None:
    check = hierarchy_check(100.0, [50.0, 55.0])
    assert check.discrepancy == 0.05 and not check.flagged
    assert not hierarchy_check(100.0, [50.0, 45.0]).flagged


def test_incomplete_children_give_no_check() -> None:
    check = hierarchy_check(100.0, [50.0, None])
    assert (check.children_sum, check.discrepancy, check.flagged, check.value) == (None, None, False, 100.0)


def test_region_without_own_figure_shows_the_derived_children_sum() -> None:
    check = hierarchy_check(None, [50.0, 45.0])
    assert (check.value, check.derived_from_children, check.flagged) == (95.0, True, False)
    assert hierarchy_check(None, [50.0, None]).value is None


def test_region_without_children_is_not_checked() -> None:
    check = hierarchy_check(100.0, [])
    assert (check.children_sum, check.flagged, check.derived_from_children) == (None, False, False)


def test_zero_own_figure_with_nonzero_children_is_flagged() -> None:
    assert hierarchy_check(0.0, [1.0]).flagged


# --- helpers around compute_region ------------------------------------------------------------------


def test_targets_from_records_groups_rows_by_period() -> None:
    targets = targets_from_records(
        [
            ("2021-2025", "energy_intensity_reduction", 14.0, None),
            ("2021-2025", "energy_intensity_reduction_annual", 3.2, 2022),
            ("2026-2030", "energy_total_cap", 600.0, None),
        ]
    )
    assert targets == {
        "2021-2025": Targets(
            energy_intensity_reduction=14.0, annual={("energy_intensity_reduction_annual", 2022): 3.2}
        ),
        "2026-2030": Targets(energy_total_cap=600.0),
    }


def test_targets_from_records_rejects_unknown_metrics_and_annual_rows_without_year() -> None:
    with pytest.raises(ValueError, match="unknown"):
        targets_from_records([("2021-2025", "forest_coverage", 1.0, None)])
    with pytest.raises(ValueError, match="without a year"):
        targets_from_records([("2021-2025", "co2_intensity_reduction_annual", 1.0, None)])


def test_reporting_period_of_a_boundary_year_depends_on_the_ending_periods_base_data() -> None:
    assert reporting_period(2020, DEFAULT_PERIODS, {2020: {"gdp_current": 1.0}}) == (DEFAULT_PERIODS[1], 0)
    with_2015 = {2015: {"gdp_current": 1.0}, 2020: {"gdp_current": 2.0}}
    assert reporting_period(2020, DEFAULT_PERIODS, with_2015) == (DEFAULT_PERIODS[0], 5)
    only_empty_2015 = {2015: {"gdp_current": None}, 2020: {"gdp_current": 2.0}}
    assert reporting_period(2020, DEFAULT_PERIODS, only_empty_2015) == (DEFAULT_PERIODS[1], 0)
    assert reporting_period(2010, DEFAULT_PERIODS, {}) is None


def test_non_finite_inputs_count_as_missing() -> None:
    values = worked_values()
    values[2021]["energy_total"] = math.nan
    values[2022]["electricity_net_import"] = math.inf
    results, missing = run(values)
    assert (2021, "energy_intensity") in missing and (2022, "co2_emissions") in missing
    assert all(isinstance(r.value, str) or math.isfinite(r.value) for r in results.values())
