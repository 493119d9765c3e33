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
    GRADE_PENDING,
    GREEN,
    OUTLOOK_FALLING,
    OUTLOOK_PEAKED,
    OUTLOOK_RISING,
    RED,
    YELLOW,
    Period,
    Targets,
    assess,
    average_growth,
    average_growth_from_index,
    average_reduction,
    grade,
    grade_for_score,
    graded_metric,
    hierarchy_check,
    lmdi,
    log_mean,
    observed_peak,
    peak_outlook,
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


def test_target_part_is_40_times_the_share_due_capped_at_one() -> None:
    assert target_part(0.5, 5, 5, None) == 20.0
    assert target_part(1.0, 5, 5, None) == 40.0
    assert target_part(1.3, 5, 5, None) == 40.0
    assert target_part(0.2, 2, 5, None) == 20.0  # S × n / k = 0.5
    assert target_part(0.4, 2, 5, None) == 40.0  # ahead of the path: capped


def test_target_part_is_floored_at_zero() -> None:
    assert target_part(-0.3, 3, 5, None) == 0.0  # intensity rose: no points, never negative
    assert target_part(0.1, 5, 5, 12.0) == 0.0  # 4 − 10 floored
    assert target_part(-0.1, 5, 5, 1.0) == 0.0


def test_target_part_loses_10_points_only_when_the_total_exceeds_its_allowance() -> None:
    assert target_part(1.2, 5, 5, 0.001) == 30.0
    assert target_part(1.2, 5, 5, 0.0) == 40.0  # on the allowance: X_t = 0, no deduction
    assert target_part(1.2, 5, 5, -5.0) == 40.0
    assert target_part(1.2, 5, 5, None) == 40.0  # total not assessable: no deduction


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


def test_graded_metric_is_energy_intensity_until_2025_then_carbon_intensity() -> None:
    assert graded_metric(Period("2016-2020", 2015)) == "energy_intensity"
    assert graded_metric(P14) == "energy_intensity"
    assert graded_metric(P15) == "co2_intensity"


def test_target_is_missed_at_the_end_when_the_reduction_falls_short() -> None:
    assert target_missed(5, 5, 0.139, 0.14, GREEN)
    assert not target_missed(5, 5, 0.14, 0.14, RED)  # at k = n only R_n against T counts


def test_target_is_missed_provisionally_when_the_progress_warning_is_red() -> None:
    assert target_missed(2, 5, 0.05, 0.14, RED)
    assert not target_missed(2, 5, 0.05, 0.14, YELLOW)
    assert not target_missed(4, 5, 0.0, 0.14, GREEN)


def test_on_track_assessment_with_measures_is_graded_by_the_total() -> None:
    a = assess(
        5, 5, share=1.1, cum_reduction=0.15, target=0.14, progress_level=GREEN, excess=None, measures=56.0
    )
    assert (a.score_target, a.score_measures, a.score_total, a.grade, a.missed, a.provisional) == (
        40.0,
        56.0,
        96.0,
        GRADE_EXCEEDED,
        False,
        False,
    )


def test_without_measures_the_grade_is_pending_review_and_there_is_no_total() -> None:
    a = assess(2, 5, share=0.3, cum_reduction=0.06, target=0.14, progress_level=GREEN, excess=None)
    assert (a.score_target, a.score_total, a.grade, a.provisional) == (30.0, None, GRADE_PENDING, True)


def test_missed_target_is_not_completed_with_or_without_measures() -> None:
    for measures in (None, 60.0):
        end = assess(
            5,
            5,
            share=0.99,
            cum_reduction=0.139,
            target=0.14,
            progress_level=YELLOW,
            excess=None,
            measures=measures,
        )
        assert (end.grade, end.missed) == (GRADE_FAILED, True)
        early = assess(
            2,
            5,
            share=0.1,
            cum_reduction=0.02,
            target=0.14,
            progress_level=RED,
            excess=None,
            measures=measures,
        )
        assert (early.grade, early.missed) == (GRADE_FAILED, True)
    assert end.score_total == 40 * 0.99 + 60.0  # the score is still given


def test_grade_from_the_total_uses_the_deduction() -> None:
    a = assess(
        5, 5, share=1.0, cum_reduction=0.14, target=0.14, progress_level=GREEN, excess=3.0, measures=50.0
    )
    assert (a.score_target, a.score_total, a.grade) == (30.0, 80.0, GRADE_COMPLETED)
    assert grade(False, 59.9) == GRADE_FAILED and grade(False, None) == GRADE_PENDING


@pytest.mark.parametrize("measures", [-1.0, 60.5])
def test_measures_score_outside_0_to_60_is_rejected(measures: float) -> None:
    with pytest.raises(ValueError):
        assess(
            5,
            5,
            share=1.0,
            cum_reduction=0.14,
            target=0.14,
            progress_level=GREEN,
            excess=None,
            measures=measures,
        )


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
    p = project_peak(2023, 0.05, 0.06)
    assert (p.peak_year, p.label, p.outlook) == (2023, "now", OUTLOOK_FALLING)
    assert p.factor <= 1


def test_emissions_that_keep_growing_do_not_peak_before_2060() -> None:
    p = project_peak(2023, 0.06, 0.03)
    assert (p.peak_year, p.label, p.outlook) == (None, "not before 2060", OUTLOOK_RISING)
    assert project_emissions(100.0, p.growth, p.decline, 2060 - 2023) > 100.0
    assert project_peak(2023, 0.06, 0.03, peaked=True).outlook == OUTLOOK_PEAKED


def test_outlook_rules() -> None:
    assert peak_outlook(True, None, None) == OUTLOOK_PEAKED  # peaked whether or not g and d exist
    assert peak_outlook(True, 0.1, 0.0) == OUTLOOK_PEAKED
    assert peak_outlook(False, 0.05, 1 - 1 / 1.05) == OUTLOOK_FALLING  # (1+g)(1−d) = 1: peaks now
    assert peak_outlook(False, 0.05, 0.04) == OUTLOOK_RISING
    assert peak_outlook(False, None, 0.04) is None and peak_outlook(False, 0.05, None) is None


def test_average_growth_from_the_gdp_index() -> None:
    g = average_growth_from_index([108, 104, 106, 105, 103])
    assert math.isclose(g, (1.08 * 1.04 * 1.06 * 1.05 * 1.03) ** 0.2 - 1, rel_tol=1e-15)


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
