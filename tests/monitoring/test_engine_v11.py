"""Spec v1.1 figures through compute_region (methodology §9–§11), hand-computed cases: the score
and grade with the veto, the non-fossil path, the observed peak, the five-year averages and the
outlook, and the LMDI effects, each with its absence rules."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.monitoring.engine import (
    GRADE_BASIC,
    GRADE_COMPLETED,
    GRADE_EXCEEDED,
    GRADE_FAILED,
    GRADE_PENDING,
    GREEN,
    METRICS,
    RED,
    YELLOW,
    Targets,
    compute_region,
)

from .engine_data import run, value, worked_targets, worked_values

LMDI = ("lmdi_activity", "lmdi_intensity", "lmdi_carbon_factor")
AVERAGES = ("gdp_growth_avg", "co2_intensity_reduction_avg", "co2_intensity_decline_required")


def close(a: object, b: float) -> bool:
    assert isinstance(a, float), a
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def series(first: int, last: int, **per_year: dict[int, dict[str, float]]) -> dict[int, dict[str, float]]:
    """A steadily growing region (GDP index 106, energy +8 a year); ``per_year`` overrides."""
    values: dict[int, dict[str, float]] = {}
    for i, y in enumerate(range(first, last + 1)):
        values[y] = {
            "gdp_current": 1000.0 * 1.1**i,
            "gdp_index": 106.0,
            "energy_total": 500.0 + 8 * i,
            "energy_coal": 300.0 + i,
            "energy_oil": 80.0,
            "energy_gas": 40.0 + i,
            "energy_nonfossil": 80.0 + 3 * i,
            "renewable_power": 50.0 + 2 * i,
            "feedstock_energy": 20.0,
            "electricity_net_import": 30.0,
        }
    for y, row in per_year.get("changes", {}).items():
        values[y].update(row)
    return values


FULL_TARGETS = {
    "2016-2020": Targets(15.0, 18.0, 600.0, 20.0),
    "2021-2025": Targets(14.0, 18.0, 600.0, 25.0),
    "2026-2030": Targets(13.0, 17.0, 700.0, 30.0),
}


# --- coverage ---------------------------------------------------------------------------------------


def test_every_v11_metric_with_full_inputs_targets_and_a_measures_score() -> None:
    values = series(2015, 2022)
    results, missing = compute_region(values, targets=FULL_TARGETS, measures={2021: 50.0})
    assert {m for (y, m) in ((r.year, r.metric) for r in results) if y == 2021} == set(METRICS)
    assert not [m for m in missing if m.year == 2021]


def test_results_keep_the_exchange_order_with_the_v11_metrics() -> None:
    results, _ = compute_region(series(2015, 2022), targets=FULL_TARGETS, measures={2021: 50.0})
    keys = [(r.year, METRICS.index(r.metric)) for r in results]
    assert keys == sorted(keys)


# --- §9 score and grade -----------------------------------------------------------------------------


def _graded_run(measures: dict[int, float] | None = None, **target_changes: object):
    results, missing = compute_region(
        worked_values(), targets=worked_targets(**target_changes), measures=measures
    )
    return {(r.year, r.metric): r for r in results}, {(m.year, m.metric): m for m in missing}


def test_measures_score_gives_a_total_and_a_grade_by_it() -> None:
    res, _ = _graded_run({2021: 55.0, 2022: 60.0})
    assert value(res, 2021, "score_target") == 40.0
    assert value(res, 2021, "score_measures") == 55.0
    assert value(res, 2021, "score_total") == 95.0
    assert value(res, 2021, "grade") == GRADE_EXCEEDED  # 95 belongs to the better grade
    # 2022: progress warning red ⇒ missed (provisionally) whatever the score.
    assert value(res, 2022, "score_total") == value(res, 2022, "score_target") + 60.0
    assert value(res, 2022, "grade") == GRADE_FAILED
    assert "provisional" in res[(2022, "grade")].formula


def test_grade_bands_from_the_total() -> None:
    for measures, grade in (
        (40.0, GRADE_COMPLETED),
        (39.999, GRADE_BASIC),
        (20.0, GRADE_BASIC),
        (19.9, GRADE_FAILED),
    ):
        res, _ = _graded_run({2021: measures})
        assert value(res, 2021, "grade") == grade, measures


def test_without_a_measures_score_no_total_and_pending_review_unless_missed() -> None:
    res, miss = _graded_run()
    assert value(res, 2021, "grade") == GRADE_PENDING
    assert value(res, 2022, "grade") == GRADE_FAILED
    for year in (2021, 2022):
        assert (year, "score_total") in miss and (year, "score_measures") in miss
        assert "no measures score" in miss[(year, "score_measures")].reason


def test_measures_score_outside_0_to_60_is_refused() -> None:
    res, miss = _graded_run({2021: 61.0})
    assert "outside 0–60" in miss[(2021, "score_measures")].reason
    assert value(res, 2021, "grade") == GRADE_PENDING


def test_score_target_hand_computed_with_the_deduction() -> None:
    res, _ = _graded_run()
    s = value(res, 2022, "energy_intensity_target_share")
    assert isinstance(s, float) and value(res, 2022, "energy_total_warning") == RED
    assert close(value(res, 2022, "score_target"), max(0.0, 40 * min(1.0, max(0.0, s * 5 / 2)) - 10))


def test_no_deduction_when_the_total_cannot_be_assessed() -> None:
    res, miss = _graded_run(energy_total_cap=None)
    s = value(res, 2022, "energy_intensity_target_share")
    assert (2022, "energy_total_warning") in miss
    assert close(value(res, 2022, "score_target"), 40 * min(1.0, max(0.0, s * 5 / 2)))  # type: ignore[operator]


def test_score_target_is_floored_at_zero() -> None:
    values = worked_values()
    values[2021]["energy_total"] = 700.0  # intensity rose sharply: S < 0
    results, _ = compute_region(values, targets=worked_targets())
    res = {(r.year, r.metric): r for r in results}
    assert value(res, 2021, "energy_intensity_target_share") < 0  # type: ignore[operator]
    assert value(res, 2021, "score_target") == 0.0
    assert value(res, 2021, "grade") == GRADE_FAILED


def test_without_the_graded_target_there_is_no_score_nor_grade() -> None:
    res, miss = _graded_run({2021: 50.0}, energy_intensity_reduction=None)
    for metric in ("score_target", "score_total", "grade"):
        assert "no energy_intensity_reduction target" in miss[(2021, metric)].reason
    assert value(res, 2021, "score_measures") == 50.0  # the entered score is still shown


def test_end_of_period_missed_when_the_reduction_falls_short_even_if_not_red() -> None:
    values = series(2020, 2025)
    # T = 14 %; pick T so that at k = n, R_n is just short of it: yellow, not red, but missed.
    res, _ = run(values, targets={"2021-2025": Targets(14.0, 18.0, 600.0)})
    r_n = value(res, 2025, "energy_intensity_reduction_cum")
    assert isinstance(r_n, float)
    near = r_n / 0.95  # R_n = 0.95 T: within 10 % of Q_n = T, so yellow
    res, _ = run(values, targets={"2021-2025": Targets(near, 18.0, 600.0)})
    assert value(res, 2025, "energy_intensity_warning_progress") == YELLOW
    assert value(res, 2025, "grade") == GRADE_FAILED
    res, _ = run(values, targets={"2021-2025": Targets(r_n, 18.0, 600.0)})  # exactly met
    assert value(res, 2025, "grade") == GRADE_PENDING


def test_carbon_intensity_is_graded_from_2026_energy_intensity_before() -> None:
    values = series(2020, 2027)
    # Energy-intensity targets easy, carbon-intensity targets out of reach in both periods.
    targets = {"2021-2025": Targets(1.0, 60.0, 900.0), "2026-2030": Targets(1.0, 60.0, 900.0)}
    res, _ = run(values, targets=targets)
    assert value(res, 2022, "co2_intensity_warning_progress") == RED
    assert value(res, 2022, "energy_intensity_warning_progress") == GREEN
    assert value(res, 2022, "grade") == GRADE_PENDING  # 14th FYP grades energy intensity
    assert res[(2022, "score_target")].inputs["graded"] == "energy_intensity"
    assert value(res, 2027, "co2_intensity_warning_progress") == RED
    assert value(res, 2027, "grade") == GRADE_FAILED  # 15th FYP grades carbon intensity
    assert res[(2027, "score_target")].inputs["graded"] == "co2_intensity"
    s = value(res, 2027, "co2_intensity_target_share")
    assert close(value(res, 2027, "score_target"), 40 * min(1.0, max(0.0, s * 5 / 2)))  # type: ignore[operator]


def test_base_years_have_no_score() -> None:
    res, _ = run(worked_values())
    assert not {m for (y, m) in res if y == 2020} & {"score_target", "grade", "score_total"}


# --- §10 non-fossil path ----------------------------------------------------------------------------


def _nonfossil(share_2022_pct: float):
    values = worked_values()  # 2020 share S_b = 80 / 500 = 16 %
    values[2022]["energy_nonfossil"] = share_2022_pct / 100 * values[2022]["energy_total"]
    res, miss = run(values, targets=worked_targets(nonfossil_share=26.0))
    return res, miss


def test_nonfossil_required_share_is_linear_from_the_base_year() -> None:
    res, _ = _nonfossil(20.0)
    assert close(value(res, 2021, "nonfossil_share_required"), 16 + (26 - 16) * 1 / 5)
    assert close(value(res, 2022, "nonfossil_share_required"), 16 + (26 - 16) * 2 / 5)  # 20 %


def test_nonfossil_warning_bands() -> None:
    assert value(_nonfossil(20.0)[0], 2022, "nonfossil_share_warning") == GREEN  # on the path
    assert value(_nonfossil(19.99)[0], 2022, "nonfossil_share_warning") == YELLOW  # < 1 year behind
    assert value(_nonfossil(18.0)[0], 2022, "nonfossil_share_warning") == YELLOW  # exactly k − 1
    assert value(_nonfossil(17.99)[0], 2022, "nonfossil_share_warning") == RED


def test_nonfossil_path_absent_without_a_target_or_base_share() -> None:
    res, miss = run(worked_values())
    assert "no nonfossil_share target" in miss[(2021, "nonfossil_share_required")].reason
    values = worked_values()
    del values[2020]["energy_nonfossil"]
    res, miss = run(values, targets=worked_targets(nonfossil_share=26.0))
    assert "energy_nonfossil missing for 2020" in miss[(2022, "nonfossil_share_warning")].reason
    assert (2020, "nonfossil_share_required") not in res and (2020, "nonfossil_share_required") not in miss


# --- §10 observed peak ------------------------------------------------------------------------------


def _coal(values: dict[int, dict[str, float]], coal: dict[int, float]) -> dict[int, dict[str, float]]:
    for y, c in coal.items():
        values[y]["energy_coal"] = c
    return values


def test_peak_year_and_the_two_years_rule() -> None:
    values = _coal(series(2018, 2023), {2018: 300, 2019: 320, 2020: 340, 2021: 330, 2022: 325, 2023: 320})
    res, _ = run(values, targets={})
    peaks = {y: (value(res, y, "co2_peak_year"), value(res, y, "co2_peaked")) for y in range(2018, 2024)}
    assert peaks == {
        2018: (2018.0, 0.0),
        2019: (2019.0, 0.0),
        2020: (2020.0, 0.0),
        2021: (2020.0, 0.0),  # one year after: not yet
        2022: (2020.0, 1.0),  # two years before t and every later year lower
        2023: (2020.0, 1.0),
    }
    assert value(res, 2022, "co2_peak_outlook") == "peaked"  # whether or not g and d exist


def test_a_new_high_resets_the_peak_and_a_tie_takes_the_later_year() -> None:
    values = _coal(series(2018, 2022), {2018: 300, 2019: 340, 2020: 330, 2021: 340, 2022: 335})
    res, _ = run(values, targets={})
    assert value(res, 2020, "co2_peak_year") == 2019.0
    assert value(res, 2021, "co2_peak_year") == 2021.0  # equal to 2019: the later year
    assert value(res, 2022, "co2_peaked") == 0.0


def test_peak_figures_absent_without_co2() -> None:
    values = worked_values()
    del values[2021]["energy_gas"]
    res, miss = run(values)
    for metric in ("co2_peak_year", "co2_peaked", "gdp_growth_avg", "co2_peak_outlook"):
        assert "energy_gas missing for 2021" in miss[(2021, metric)].reason
    co2 = {y: value(res, y, "co2_emissions") for y in (2020, 2022)}
    assert value(res, 2022, "co2_peak_year") == float(max(co2, key=co2.get))  # among years with CO2


# --- §10 five-year averages and outlook ---------------------------------------------------------------


def test_g_d_and_d_star_hand_computed() -> None:
    indices = {2017: 107.0, 2018: 106.5, 2019: 106.0, 2020: 103.0, 2021: 108.0}
    values = series(2015, 2021, changes={y: {"gdp_index": i} for y, i in indices.items()})
    res, _ = run(values, targets=FULL_TARGETS)
    g = math.prod(i / 100 for i in indices.values()) ** (1 / 5) - 1
    assert close(value(res, 2021, "gdp_growth_avg"), g * 100)
    assert close(value(res, 2021, "co2_intensity_decline_required"), (1 - 1 / (1 + g)) * 100)
    rs = [value(res, y, "co2_intensity_reduction_yoy") / 100 for y in range(2017, 2022)]  # type: ignore[operator]
    d = 1 - math.prod(1 - r for r in rs) ** (1 / 5)
    assert close(value(res, 2021, "co2_intensity_reduction_avg"), d * 100)
    expected = "falling" if (1 + g) * (1 - d) <= 1 else "rising"
    assert value(res, 2021, "co2_peak_outlook") == expected


def test_d_is_absent_when_a_year_is_a_base_year_or_missing() -> None:
    values = series(2016, 2021)  # 2016–2019 lack the 2015 base: no r_t there
    res, miss = run(values, targets=FULL_TARGETS)
    assert "co2_intensity_reduction_yoy absent for 2017" in miss[(2021, "co2_intensity_reduction_avg")].reason
    assert (2021, "gdp_growth_avg") in res  # g needs only gdp_index
    assert (2021, "co2_peak_outlook") in miss  # rising emissions, not peaked, no d


def test_g_and_d_star_absent_without_five_gdp_indices() -> None:
    values = series(2015, 2021)
    del values[2018]["gdp_index"]
    _, miss = run(values, targets=FULL_TARGETS)
    for metric in ("gdp_growth_avg", "co2_intensity_decline_required"):
        assert "gdp_index missing for 2018" in miss[(2021, metric)].reason
    assert (2021, "co2_peak_outlook") in miss
    # without G_2018 there is no r_2018 either, so d is absent too
    assert "absent for 2018" in miss[(2021, "co2_intensity_reduction_avg")].reason


def test_outlook_falling_when_intensity_falls_fast_enough() -> None:
    values = series(2015, 2021)
    for y in range(2016, 2022):  # emissions flat, GDP growing: intensity falls as fast as GDP grows
        values[y]["energy_coal"] = values[2015]["energy_coal"]
        values[y]["energy_gas"] = values[2015]["energy_gas"]
    res, _ = run(values, targets=FULL_TARGETS)
    assert value(res, 2021, "co2_peaked") == 0.0  # a plateau has not peaked
    assert value(res, 2021, "co2_peak_outlook") == "falling"


# --- §11 LMDI ---------------------------------------------------------------------------------------


def test_lmdi_effects_add_up_to_the_change_yoy_and_cumulative() -> None:
    res, _ = run(series(2020, 2024), targets={})
    for t in range(2021, 2025):
        for s, suffix in ((t - 1, ""), (2020, "_cum")):
            total = sum(value(res, t, m + suffix) for m in LMDI)  # type: ignore[misc]
            change = value(res, t, "co2_emissions") - value(res, s, "co2_emissions")  # type: ignore[operator]
            assert math.isclose(total, change, rel_tol=1e-12, abs_tol=1e-9), (t, suffix)


def test_lmdi_uses_gdp_at_the_prices_of_the_period_t_is_reported_in() -> None:
    res, _ = run(series(2020, 2021), targets={})
    activity = res[(2021, "lmdi_activity")]
    assert activity.inputs["G_s"] == 1000.0 and close(activity.inputs["G_t"], 1060.0)  # type: ignore[arg-type]


def test_lmdi_absent_when_an_input_is_missing_or_not_positive() -> None:
    values = series(2020, 2023)
    del values[2022]["energy_total"]
    res, miss = run(values, targets={})
    for m in LMDI:
        assert "energy_total missing for 2022" in miss[(2023, m)].reason  # s = t − 1 = 2022
        assert (2023, m + "_cum") in res  # s = b = 2020 still there
        assert (2022, m) in miss and (2022, m + "_cum") in miss
    values = series(2020, 2022)
    values[2022]["electricity_net_import"] = -1000.0  # CO2 < 0
    res, miss = run(values, targets={})
    assert "not positive" in miss[(2022, "lmdi_activity")].reason
    assert not {m for (y, m) in res if y == 2020} & {*LMDI, "lmdi_activity_cum"}  # none at k = 0


@settings(max_examples=60, deadline=None)
@given(
    growth=st.lists(st.floats(min_value=90.0, max_value=115.0), min_size=4, max_size=4),
    coal=st.lists(st.floats(min_value=50.0, max_value=900.0), min_size=5, max_size=5),
    energy=st.lists(st.floats(min_value=400.0, max_value=1500.0), min_size=5, max_size=5),
)
def test_stored_lmdi_effects_always_add_up(
    growth: list[float], coal: list[float], energy: list[float]
) -> None:
    values = series(2020, 2024)
    for i, y in enumerate(range(2020, 2025)):
        values[y]["energy_coal"] = coal[i]
        values[y]["energy_total"] = energy[i]
        if i:
            values[y]["gdp_index"] = growth[i - 1]
    res, _ = run(values, targets={})
    for t in range(2021, 2025):
        for s, suffix in ((t - 1, ""), (2020, "_cum")):
            total = sum(value(res, t, m + suffix) for m in LMDI)  # type: ignore[misc]
            change = value(res, t, "co2_emissions") - value(res, s, "co2_emissions")  # type: ignore[operator]
            assert math.isclose(total, change, rel_tol=1e-9, abs_tol=1e-7)


@settings(max_examples=60, deadline=None)
@given(measures=st.floats(min_value=0.0, max_value=60.0), cap=st.floats(min_value=400.0, max_value=700.0))
def test_score_target_stays_within_0_and_40(measures: float, cap: float) -> None:
    results, _ = compute_region(
        worked_values(), targets=worked_targets(energy_total_cap=cap), measures={2022: measures}
    )
    res = {(r.year, r.metric): r.value for r in results}
    for year in (2021, 2022):
        assert 0.0 <= res[(year, "score_target")] <= 40.0  # type: ignore[operator]
    assert res[(2022, "score_total")] == res[(2022, "score_target")] + measures  # type: ignore[operator]
