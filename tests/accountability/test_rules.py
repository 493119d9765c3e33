"""The candidate rules (issue 13), branch by branch: pure functions over plain figures."""

from datetime import date

import pytest

from apps.accountability import rules
from apps.accountability.rules import OverdueMeasure, RegionYear, Rule, Thresholds

LIMITS = Thresholds(overdue_days=90, campaign_multiple=2.0, campaign_gdp_index=105.0)


def ry(**kwargs) -> RegionYear:
    return RegionYear(year=2023, k=3, n=5, **kwargs)


def rules_of(findings) -> list[tuple[str, str]]:
    return [(f.rule.value, f.metric) for f in findings]


# --- red warnings in t --------------------------------------------------------------------------


def test_progress_warning_red_of_the_graded_metric():
    found = rules.red_warnings(ry(progress_level="red", cum_reduction_pct=2.0, target_pct=14.0))
    assert rules_of(found) == [("progress_red", "energy_intensity_warning_progress")]
    assert found[0].figures["R_t_pct"] == 2.0 and found[0].figures["T_pct"] == 14.0


def test_the_graded_metric_of_the_period_is_named():
    found = rules.red_warnings(RegionYear(year=2027, k=2, n=5, graded="co2_intensity", progress_level="red"))
    assert rules_of(found) == [("progress_red", "co2_intensity_warning_progress")]


def test_total_energy_warning_red():
    found = rules.red_warnings(ry(total_level="red", total_assessed=1200.0, total_allowed=1100.0))
    assert rules_of(found) == [("total_red", "energy_total_warning")]
    assert found[0].figures == {"level": "red", "assessed": 1200.0, "allowed": 1100.0}


@pytest.mark.parametrize("level", ["yellow", "green", ""])
def test_no_red_no_candidate(level):
    assert rules.red_warnings(ry(progress_level=level, total_level=level)) == []


# --- the same warning red in t−1 and t ----------------------------------------------------------


def test_progress_red_two_years_running():
    found = rules.red_twice(ry(progress_level="red", progress_level_prev="red"))
    assert rules_of(found) == [("red_twice", "energy_intensity_warning_progress")]
    assert found[0].figures["years"] == [2022, 2023]


def test_total_red_two_years_running():
    found = rules.red_twice(ry(total_level="red", total_level_prev="red"))
    assert rules_of(found) == [("red_twice", "energy_total_warning")]


def test_different_warnings_red_in_the_two_years_are_not_the_same_warning():
    assert rules.red_twice(ry(progress_level="red", total_level_prev="red")) == []
    assert rules.red_twice(ry(progress_level="red", progress_level_prev="yellow")) == []
    assert rules.red_twice(ry(progress_level_prev="red")) == []


# --- the grade ----------------------------------------------------------------------------------


def test_final_grade_not_completed_is_a_candidate():
    found = rules.final_grade(RegionYear(year=2025, k=5, n=5, grade="not_completed"))
    assert rules_of(found) == [("final_not_completed", "grade")]
    assert not found[0].informational


def test_provisional_not_completed_is_shown_not_a_candidate():
    found = rules.final_grade(ry(grade="not_completed"))
    assert rules_of(found) == [("provisional_not_completed", "grade")]
    assert found[0].informational


@pytest.mark.parametrize("grade", ["completed", "pending_review", "exceeded", "basically_completed", ""])
def test_other_grades_make_nothing(grade):
    assert rules.final_grade(RegionYear(year=2025, k=5, n=5, grade=grade)) == []


def test_a_grade_without_its_period_makes_nothing():
    assert rules.final_grade(RegionYear(year=2025, grade="not_completed")) == []


# --- 运动式减碳 (1): intensity falling far faster than required ----------------------------------


def test_campaign_intensity_above_twice_the_annual_requirement():
    found = rules.campaign_intensity(ry(yoy_reduction_pct=7.0, annual_requirement_pct=3.0), LIMITS)
    assert rules_of(found) == [("campaign_intensity", "energy_intensity_reduction_yoy")]
    assert found[0].figures["limit_pct"] == 6.0


def test_campaign_intensity_at_exactly_twice_is_not_flagged():
    assert rules.campaign_intensity(ry(yoy_reduction_pct=6.0, annual_requirement_pct=3.0), LIMITS) == []


def test_campaign_intensity_follows_the_threshold():
    figures = ry(yoy_reduction_pct=7.0, annual_requirement_pct=3.0)
    assert rules.campaign_intensity(figures, Thresholds(campaign_multiple=2.5)) == []


@pytest.mark.parametrize(
    "yoy, requirement",
    [(None, 3.0), (7.0, None), (7.0, 0.0), (-1.0, 3.0)],
    ids=["no-r", "no-a", "zero-a", "rose"],
)
def test_campaign_intensity_needs_both_figures(yoy, requirement):
    assert (
        rules.campaign_intensity(ry(yoy_reduction_pct=yoy, annual_requirement_pct=requirement), LIMITS) == []
    )


# --- 运动式减碳 (2): energy use falling while the economy grows fast ------------------------------


def test_campaign_energy_fall_while_gdp_index_above_105():
    found = rules.campaign_energy_fall(
        ry(energy_total=950.0, energy_total_prev=1000.0, gdp_index=107.5), LIMITS
    )
    assert rules_of(found) == [("campaign_energy_fall", "energy_total")]
    assert found[0].figures["gdp_index"] == 107.5


def test_campaign_energy_fall_at_exactly_105_is_not_flagged():
    assert (
        rules.campaign_energy_fall(ry(energy_total=950.0, energy_total_prev=1000.0, gdp_index=105.0), LIMITS)
        == []
    )


def test_energy_rising_with_fast_growth_is_not_flagged():
    assert (
        rules.campaign_energy_fall(ry(energy_total=1050.0, energy_total_prev=1000.0, gdp_index=108.0), LIMITS)
        == []
    )
    assert (
        rules.campaign_energy_fall(ry(energy_total=1000.0, energy_total_prev=1000.0, gdp_index=108.0), LIMITS)
        == []
    )


@pytest.mark.parametrize("missing", ["energy_total", "energy_total_prev", "gdp_index"])
def test_campaign_energy_fall_needs_all_three_values(missing):
    values = {"energy_total": 950.0, "energy_total_prev": 1000.0, "gdp_index": 108.0, missing: None}
    assert rules.campaign_energy_fall(ry(**values), LIMITS) == []


# --- measures overdue ---------------------------------------------------------------------------


def test_measures_more_than_the_threshold_overdue():
    today = date(2026, 6, 30)
    measures = [
        OverdueMeasure(1, "关停落后产能", date(2026, 3, 1), "delayed"),  # 121 days
        OverdueMeasure(2, "余热利用", date(2026, 4, 1), "on_track"),  # 90 days: not beyond
        OverdueMeasure(3, "光伏改造", date(2025, 1, 1), "done"),  # done
    ]
    found = rules.measures_overdue(measures, today, LIMITS)
    assert rules_of(found) == [("measures_overdue", "measures")]
    assert [m["id"] for m in found[0].figures["measures"]] == [1]
    assert found[0].figures["measures"][0]["days_overdue"] == 121


def test_no_measure_beyond_the_threshold_makes_nothing():
    today = date(2026, 6, 30)
    assert rules.measures_overdue([OverdueMeasure(2, "x", date(2026, 4, 1), "delayed")], today, LIMITS) == []
    assert rules.measures_overdue([], today, LIMITS) == []


def test_region_findings_combines_every_rule():
    figures = RegionYear(
        year=2025,
        k=5,
        n=5,
        progress_level="red",
        progress_level_prev="red",
        grade="not_completed",
        yoy_reduction_pct=9.0,
        annual_requirement_pct=3.0,
    )
    assert {f.rule for f in rules.region_findings(figures, LIMITS)} == {
        Rule.PROGRESS_RED,
        Rule.RED_TWICE,
        Rule.FINAL_NOT_COMPLETED,
        Rule.CAMPAIGN_INTENSITY,
    }
