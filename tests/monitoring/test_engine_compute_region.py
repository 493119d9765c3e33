"""compute_region: which metrics appear for which year, how absent inputs and targets are reported,
rule-set and factor-set variants, and the period boundary rule (methodology §2–§8)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from apps.monitoring.engine import (
    ANY_METRIC,
    CN_ERI,
    GREEN,
    LEVEL_METRICS,
    LINEAR,
    METRICS,
    R2016,
    R2022,
    R2024,
    RED,
    YELLOW,
    Period,
    RuleSet,
    Targets,
    compute_region,
)

from .engine_data import WORKED_EXPECTED, run, value, worked_targets, worked_values

COAL, OIL, GAS = 0.7476 * 44 / 12, 0.5825 * 44 / 12, 0.4435 * 44 / 12
TARGET_DEPENDENT = {
    f"{p}_{m}"
    for p in ("energy_intensity", "co2_intensity")
    for m in ("progress_required", "completion", "target_share", "warning_annual", "warning_progress")
} | {"energy_total_allowed", "energy_total_warning"}
#: The v1 metrics (methodology §2–§8, §10 share); the v1.1 ones are tested in test_engine_v11.py.
V1_METRICS = set(METRICS[: METRICS.index("nonfossil_share") + 1])
#: v1.1 metrics the worked example cannot have: no non-fossil target, no measures score, and
#: three years are too few for the five-year averages and the outlook.
ABSENT_IN_WORKED = {
    "nonfossil_share_required",
    "nonfossil_share_warning",
    "gdp_growth_avg",
    "co2_intensity_reduction_avg",
    "co2_intensity_decline_required",
    "co2_peak_outlook",
    "score_measures",
    "score_total",
}
#: A base year with gdp_index for the five years up to it (but no r_t before it) also has g and d*.
BASE_WITH_FIVE_INDICES = LEVEL_METRICS | {"gdp_growth_avg", "co2_intensity_decline_required"}


def close(a: object, b: float) -> bool:
    assert isinstance(a, float)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def metrics_of(results: dict, year: int) -> set[str]:
    return {m for (y, m) in results if y == year}


# --- which metrics appear --------------------------------------------------------------------------


def test_base_year_has_levels_only() -> None:
    results, _ = run(worked_values())
    assert metrics_of(results, 2020) == LEVEL_METRICS


def test_year_in_period_has_every_exchange_metric_when_inputs_and_targets_are_complete() -> None:
    results, _ = run(worked_values())
    assert metrics_of(results, 2021) == set(METRICS) - ABSENT_IN_WORKED


def test_results_are_ordered_by_year_then_exchange_metric_order() -> None:
    results, _ = compute_region(worked_values(), targets=worked_targets())
    keys = [(r.year, METRICS.index(r.metric)) for r in results]
    assert keys == sorted(keys)


def test_missing_targets_leave_target_metrics_absent_with_reasons_but_keep_reductions() -> None:
    results, missing = run(worked_values(), targets={})
    assert metrics_of(results, 2021) & V1_METRICS == V1_METRICS - TARGET_DEPENDENT
    assert {m for (y, m) in missing if y == 2021} & V1_METRICS == TARGET_DEPENDENT
    assert not {"score_target", "grade"} & metrics_of(results, 2021)  # nothing to grade against
    assert (
        "no energy_intensity_reduction target for 2021-2025"
        in missing[(2021, "energy_intensity_completion")].reason
    )
    assert "energy_total_cap" in missing[(2021, "energy_total_warning")].reason
    assert value(results, 2021, "energy_intensity_reduction_cum") == value(
        run(worked_values())[0], 2021, "energy_intensity_reduction_cum"
    )


def test_annual_target_alone_gives_the_annual_warning_but_no_progress_metrics() -> None:
    targets = {"2021-2025": Targets(annual={("energy_intensity_reduction_annual", 2021): 5.0})}
    results, missing = run(worked_values(), targets=targets)
    assert value(results, 2021, "energy_intensity_warning_annual") == YELLOW  # r = 3.94 % < 5 %
    assert (2022, "energy_intensity_warning_annual") in missing  # no annual target for 2022, no T
    assert (2021, "energy_intensity_warning_progress") in missing
    assert (2021, "co2_intensity_warning_annual") in missing


def test_annual_target_replaces_the_geometric_annual_requirement() -> None:
    annual = {("energy_intensity_reduction_annual", 2021): 5.0}
    results, _ = run(worked_values(), targets=worked_targets(annual=annual))
    warning = results[(2021, "energy_intensity_warning_annual")]
    assert warning.value == YELLOW  # green with the geometric a = 2.97 %
    assert warning.inputs["a_pct"] == 5.0
    assert warning.formula.startswith("yellow: 0 ≤ r_t < annual requirement a")


def test_annual_warning_exactly_at_the_annual_target_is_green() -> None:
    # I falls from 512/1024 = 0.5 to 384/1024 = 0.375: r = 0.25 exactly, all binary-exact.
    values = {
        2020: {"gdp_current": 1024.0, "energy_total": 532.0, "feedstock_energy": 20.0},
        2021: {"gdp_index": 100.0, "energy_total": 406.0, "feedstock_energy": 22.0},
    }
    at = {"2021-2025": Targets(annual={("energy_intensity_reduction_annual", 2021): 25.0})}
    above = {"2021-2025": Targets(annual={("energy_intensity_reduction_annual", 2021): 25.000001})}
    assert value(run(values, targets=at)[0], 2021, "energy_intensity_reduction_yoy") == 25.0
    assert value(run(values, targets=at)[0], 2021, "energy_intensity_warning_annual") == GREEN
    assert value(run(values, targets=above)[0], 2021, "energy_intensity_warning_annual") == YELLOW


def test_target_of_100_percent_or_more_is_refused_with_a_reason() -> None:
    _, missing = run(worked_values(), targets=worked_targets(energy_intensity_reduction=100.0))
    assert "not below 100 %" in missing[(2021, "energy_intensity_progress_required")].reason


def test_zero_target_gives_progress_warning_but_no_completion_or_share() -> None:
    results, missing = run(worked_values(), targets=worked_targets(energy_intensity_reduction=0.0))
    assert value(results, 2021, "energy_intensity_progress_required") == 0.0
    assert value(results, 2021, "energy_intensity_warning_progress") == GREEN
    assert "completion undefined" in missing[(2021, "energy_intensity_completion")].reason
    assert "target share undefined" in missing[(2021, "energy_intensity_target_share")].reason


# --- missing and refused inputs --------------------------------------------------------------------


def test_missing_net_import_makes_co2_absent_with_reason_and_leaves_energy_metrics() -> None:
    values = worked_values()
    del values[2022]["electricity_net_import"]
    results, missing = run(values)
    for metric in (
        "co2_emissions",
        "co2_intensity",
        "co2_intensity_reduction_yoy",
        "co2_intensity_warning_annual",
    ):
        assert (2022, metric) not in results
        assert "electricity_net_import missing for 2022" in missing[(2022, metric)].reason
    assert (2022, "energy_intensity_warning_annual") in results
    assert (2021, "co2_emissions") in results


def test_missing_fuel_input_makes_co2_absent() -> None:
    values = worked_values()
    del values[2021]["energy_gas"]
    results, missing = run(values)
    assert (2021, "co2_emissions") not in results
    assert "energy_gas" in missing[(2021, "co2_emissions")].reason
    # 2022's year-on-year carbon reduction needs 2021's intensity.
    assert (2022, "co2_intensity_reduction_yoy") in missing
    assert (2022, "co2_intensity_reduction_cum") in results


def test_missing_gdp_index_breaks_the_constant_price_chain_from_that_year_on() -> None:
    values = worked_values()
    del values[2021]["gdp_index"]
    results, missing = run(values)
    assert (2021, "gdp_const") not in results and (2022, "gdp_const") not in results
    assert missing[(2022, "gdp_const")].reason == "gdp_index missing for 2021"
    assert "gdp_index missing for 2021" in missing[(2022, "energy_intensity")].reason
    assert value(results, 2022, "energy_total_assessed") == 518.0  # needs no GDP
    assert (2022, "co2_emissions") in results


@pytest.mark.parametrize("gdp", [0.0, -1000.0])
def test_non_positive_base_gdp_is_refused_with_a_reason(gdp: float) -> None:
    values = worked_values()
    values[2020]["gdp_current"] = gdp
    results, missing = run(values)
    assert not any(m in ("gdp_const", "energy_intensity", "co2_intensity") for (_y, m) in results)
    assert "not positive: refused" in missing[(2020, "gdp_const")].reason
    assert "not positive: refused" in missing[(2021, "energy_intensity_reduction_cum")].reason


def test_non_positive_gdp_index_is_refused() -> None:
    values = worked_values()
    values[2021]["gdp_index"] = 0.0
    _, missing = run(values)
    assert missing[(2021, "gdp_const")].reason == "gdp_index 0.0 for 2021 is not positive: refused"


def test_non_positive_energy_for_intensity_is_refused() -> None:
    values = worked_values()
    values[2021]["energy_nonfossil"] = 520.0 - 22.0  # R2024: E^I = 0
    _, missing = run(values, rule_sets={"2021-2025": R2024})
    assert "E^I = 0.0 is not positive" in missing[(2021, "energy_intensity")].reason


def test_non_positive_co2_keeps_the_emissions_but_refuses_carbon_intensity() -> None:
    values = worked_values()
    values[2021]["electricity_net_import"] = -1000.0
    results, missing = run(values)
    assert value(results, 2021, "co2_emissions") < 0
    assert "carbon intensity refused" in missing[(2021, "co2_intensity")].reason
    assert (2021, "co2_intensity_warning_progress") in missing


def test_missing_nonfossil_makes_the_share_absent_only() -> None:
    values = worked_values()
    del values[2021]["energy_nonfossil"]
    results, missing = run(values)
    assert "energy_nonfossil missing for 2021" in missing[(2021, "nonfossil_share")].reason
    assert (2021, "energy_intensity") in results  # R2022 does not need it


def test_none_values_count_as_missing() -> None:
    values: dict = worked_values()
    values[2022]["electricity_net_import"] = None
    _, missing = run(values)
    assert (2022, "co2_emissions") in missing


def test_decimal_inputs_give_the_same_figures_as_floats() -> None:
    values = {y: {k: Decimal(str(v)) for k, v in row.items()} for y, row in worked_values().items()}
    targets = worked_targets(energy_intensity_reduction=Decimal("14"), energy_total_cap=Decimal("560"))
    decimal_results, _ = run(values, targets=targets)
    float_results, _ = run(worked_values())
    assert {k: r.value for k, r in decimal_results.items()} == {k: r.value for k, r in float_results.items()}


def test_year_outside_every_period_is_reported_missing_not_computed() -> None:
    values = worked_values()
    values[2010] = {"energy_total": 300.0}
    results, missing = run(values)
    assert not any(y == 2010 for (y, _m) in results)
    assert missing[(2010, ANY_METRIC)].reason == "year is outside every configured period"


def test_period_without_any_rule_set_is_a_configuration_error() -> None:
    values = {2031: {"energy_total": 1.0}}
    with pytest.raises(ValueError, match="no rule set"):
        compute_region(values, [Period("2031-2035", 2030)], {}, {}, CN_ERI)


def test_computation_is_deterministic() -> None:
    assert compute_region(worked_values(), targets=worked_targets()) == compute_region(
        worked_values(), targets=worked_targets()
    )


# --- formulas as applied -------------------------------------------------------------------------


def test_constant_price_gdp_chains_indices_from_the_base_year() -> None:
    results, _ = run(worked_values())
    assert value(results, 2021, "gdp_const") == 1000.0 * 108 / 100
    assert close(value(results, 2022, "gdp_const"), 1000.0 * 108 / 100 * 104 / 100)
    assert results[(2022, "gdp_const")].inputs["base_year"] == 2020


def test_renewable_power_fall_deducts_nothing() -> None:
    results, _ = run(worked_values())
    # D_2021 = 56 − 50 = 6; 2022 fell to 52: D stays 6.
    assert results[(2021, "energy_total_assessed")].inputs["D_t"] == 6.0
    assert results[(2022, "energy_total_assessed")].inputs["D_t"] == 6.0
    assert value(results, 2022, "energy_total_assessed") == 545.0 - 21.0 - 6.0


def test_missing_renewable_power_makes_the_r2022_total_absent_but_not_the_r2016_total() -> None:
    values = worked_values()
    del values[2021]["renewable_power"]
    results, missing = run(values)
    assert "renewable_power missing for 2021" in missing[(2021, "energy_total_assessed")].reason
    assert "renewable_power missing for 2021" in missing[(2022, "energy_total_assessed")].reason
    assert value(results, 2020, "energy_total_assessed") == 480.0  # D_b = 0 needs no renewable power
    r16, _ = run(values, rule_sets={"2021-2025": R2016})
    assert value(r16, 2022, "energy_total_assessed") == 545.0


def test_rule_set_r2016_counts_all_energy_for_intensity_and_total() -> None:
    results, _ = run(worked_values(), rule_sets={"2021-2025": R2016})
    assert value(results, 2021, "energy_intensity") == 520.0 / 1080.0
    assert value(results, 2021, "energy_total_assessed") == 520.0
    assert value(results, 2021, "energy_total_allowed") == 500.0 + (560.0 - 500.0) * 1 / 5
    assert results[(2021, "energy_intensity")].inputs["rule_set"] == "R2016"


def test_rule_set_r2024_excludes_feedstock_and_nonfossil_from_both() -> None:
    results, _ = run(worked_values(), rule_sets={"2021-2025": R2024})
    assert value(results, 2020, "energy_intensity") == (500.0 - 20.0 - 80.0) / 1000.0
    assert value(results, 2021, "energy_intensity") == (520.0 - 22.0 - 85.0) / 1080.0
    assert value(results, 2021, "energy_total_assessed") == 520.0 - 22.0 - 85.0
    assert value(results, 2021, "energy_total_allowed") == 400.0 + (560.0 - 400.0) * 1 / 5
    assert "D_t" not in results[(2021, "energy_total_assessed")].inputs


def test_rule_set_r2022_keeps_new_renewables_in_intensity() -> None:
    results, _ = run(worked_values())
    assert value(results, 2021, "energy_intensity") == (520.0 - 22.0) / 1080.0
    assert (R2022.exclude_feedstock_from_intensity, R2022.deduct_new_renewables_from_total) == (True, True)


def test_linear_progress_rule_set() -> None:
    linear = RuleSet("R2022-linear", True, False, True, False, True, LINEAR)
    results, _ = run(worked_values(), rule_sets={"2021-2025": linear})
    q = 0.14 * 2 / 5
    assert close(value(results, 2022, "energy_intensity_progress_required"), q * 100)
    r_cum = 1 - ((545.0 - 21.0) / 1123.2) / 0.48
    assert close(value(results, 2022, "energy_intensity_completion"), r_cum / q * 100)
    # 2.81 % achieved against 5.6 % required: more than 10 % behind.
    assert value(results, 2022, "energy_intensity_warning_progress") == RED


def test_period_length_is_configurable() -> None:
    results, _ = run(
        worked_values(),
        periods=[Period("2021-2023", 2020, 3)],
        rule_sets={"2021-2023": R2022},
        targets={"2021-2023": Targets(energy_intensity_reduction=14.0)},
    )
    assert close(value(results, 2021, "energy_intensity_progress_required"), (1 - 0.86 ** (1 / 3)) * 100)


def test_co2_sums_fuels_and_net_import_times_grid_factor_times_ten() -> None:
    results, _ = run(worked_values())
    expected = 305 * COAL + 85 * OIL + 45 * GAS + 32 * 0.5568 * 10
    assert value(results, 2021, "co2_emissions") == expected
    assert results[(2020, "co2_emissions")].inputs["grid_factor_year"] == 2021  # 2020 unpublished


def test_negative_net_import_lowers_co2_by_the_outflow_times_grid_factor() -> None:
    outflow, _ = run(worked_values())
    values = worked_values()
    values[2022]["electricity_net_import"] = 0.0
    balanced, _ = run(values)
    diff = value(outflow, 2022, "co2_emissions") - value(balanced, 2022, "co2_emissions")
    assert math.isclose(diff, -5 * 0.5366 * 10, rel_tol=1e-9)


def test_regional_grid_factors_replace_the_national_ones() -> None:
    central = CN_ERI.with_grid({2022: 0.5395, 2023: 0.5271}, code="cn-eri-central")
    results, _ = run(worked_values(), factor_set=central)
    assert value(results, 2022, "co2_emissions") == 320 * COAL + 88 * OIL + 47 * GAS + -5 * 0.5395 * 10
    # 2020 and 2021 are unpublished in the regional series: nearest is 2022.
    assert value(results, 2020, "co2_emissions") == 300 * COAL + 80 * OIL + 40 * GAS + 30 * 0.5395 * 10
    assert results[(2021, "co2_emissions")].inputs["EF_grid"] == 0.5395


def test_nonfossil_share_is_in_percent_of_total_energy() -> None:
    results, _ = run(worked_values())
    assert value(results, 2020, "nonfossil_share") == 16.0


def test_total_warning_yellow_when_excess_is_at_most_ten_percent_of_the_increment() -> None:
    # E^T_b = 480, cap 580: A_1 = 500, increment 20, yellow band 0 < X ≤ 2.
    levels = {}
    for energy_total in (520.0, 530.0, 531.0):
        values = worked_values()
        values[2021]["energy_total"] = energy_total  # E^T = energy_total − 22 − 6
        results, _ = run(values, targets=worked_targets(energy_total_cap=580.0))
        levels[energy_total] = value(results, 2021, "energy_total_warning")
    assert levels == {520.0: GREEN, 530.0: YELLOW, 531.0: RED}


def test_total_warning_is_red_when_the_cap_is_below_the_base_and_the_total_exceeds_the_allowance() -> None:
    results, _ = run(worked_values(), targets=worked_targets(energy_total_cap=400.0))
    warning = results[(2021, "energy_total_warning")]
    assert value(results, 2021, "energy_total_allowed") == 464.0
    assert warning.value == RED
    assert warning.formula == "red: X_t > 0 and allowed increment A_k − E^T_b ≤ 0"
    assert warning.inputs["increment"] == -16.0


def test_warnings_carry_the_rule_and_inputs_that_gave_them() -> None:
    results, _ = run(worked_values())
    total = results[(2022, "energy_total_warning")]
    assert total.formula == "red: X_t > 0.10 × (A_k − E^T_b)"
    assert (total.inputs["E_T_t"], total.inputs["A_k"], total.inputs["X_t"]) == (518.0, 512.0, 6.0)
    annual = results[(2022, "energy_intensity_warning_annual")]
    assert annual.formula.startswith("red: r_t < 0")
    assert annual.inputs["a_pct"] == 3.2 and annual.inputs["r_t_pct"] < 0


# --- period boundaries (§2) -------------------------------------------------------------------------


def _with_13th_fyp(values: dict, years: range = range(2016, 2020)) -> dict:
    values[2015] = {
        "gdp_current": 800.0,
        "energy_total": 450.0,
        "energy_coal": 280.0,
        "energy_oil": 75.0,
        "energy_gas": 35.0,
        "energy_nonfossil": 70.0,
        "feedstock_energy": 18.0,
        "electricity_net_import": 25.0,
    }
    for i, y in enumerate(years):
        values[y] = {"gdp_index": 107.0 - 0.5 * i, "energy_total": 460.0 + 10 * i}
    values[2020]["gdp_index"] = 102.0
    return values


def test_2020_ends_the_13th_fyp_when_2015_has_data() -> None:
    values = _with_13th_fyp(worked_values())
    results, missing = run(values)
    g = 800.0
    for idx in (107.0, 106.5, 106.0, 105.5, 102.0):
        g = g * idx / 100
    i_2015, i_2020 = 450.0 / 800.0, 500.0 / g  # R2016: all energy, 2015 prices
    i_2019 = 490.0 / (g / 102.0 * 100)
    assert close(value(results, 2020, "gdp_const"), g)
    assert close(value(results, 2020, "energy_intensity"), i_2020)
    assert value(results, 2020, "energy_total_assessed") == 500.0
    assert close(value(results, 2020, "energy_intensity_reduction_cum"), (1 - i_2020 / i_2015) * 100)
    assert math.isclose(value(results, 2020, "energy_intensity_reduction_yoy"), (1 - i_2020 / i_2019) * 100)
    assert (
        "no energy_intensity_reduction target for 2016-2020"
        in missing[(2020, "energy_intensity_completion")].reason
    )
    # The 14th FYP still uses 2020 as its base, at 2020 prices and under R2022.
    for (year, metric), text in WORKED_EXPECTED.items():
        if year > 2020:
            got = value(results, year, metric)
            assert got == text if isinstance(got, str) else math.isclose(got, float(text), rel_tol=1e-12)


def test_2020_is_the_14th_fyp_base_when_2015_has_no_data() -> None:
    values = _with_13th_fyp(worked_values())
    del values[2015]
    results, missing = run(values)
    assert metrics_of(results, 2020) == BASE_WITH_FIVE_INDICES
    assert value(results, 2020, "gdp_const") == 1000.0
    # 2016–2019 without their base: only levels that need no base-year GDP.
    assert metrics_of(results, 2017) == {"energy_total_assessed"}
    assert "gdp_current missing for 2015" in missing[(2017, "gdp_const")].reason


def test_2015_data_without_the_years_between_still_makes_2020_the_end_of_the_13th_fyp() -> None:
    values = _with_13th_fyp(worked_values(), years=range(0))
    results, missing = run(values)
    assert "gdp_index missing for 2016" in missing[(2020, "gdp_const")].reason
    assert value(results, 2020, "energy_total_assessed") == 500.0  # R2016
    assert (2021, "gdp_const") in results


def _series(first: int, last: int) -> dict[int, dict[str, float]]:
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
    return values


def test_2025_ends_the_14th_fyp_and_is_the_base_of_the_15th_under_r2024() -> None:
    values = _series(2020, 2026)
    targets = {"2021-2025": Targets(14.0, 18.0, 560.0), "2026-2030": Targets(13.0, 17.0, 600.0)}
    results, _ = run(values, targets=targets)
    no_nonfossil_target_nor_measures = {
        "nonfossil_share_required",
        "nonfossil_share_warning",
        "score_measures",
        "score_total",
    }
    assert metrics_of(results, 2025) == set(METRICS) - no_nonfossil_target_nor_measures
    assert results[(2025, "energy_intensity_progress_required")].inputs["k"] == 5
    assert close(value(results, 2025, "energy_intensity_progress_required"), 14.0)  # Q_n = T
    i_2025_in_15th = (540.0 - 20.0 - 95.0) / values[2025]["gdp_current"]
    i_2026 = (548.0 - 20.0 - 98.0) / (values[2025]["gdp_current"] * 106.0 / 100)
    assert close(value(results, 2026, "energy_intensity"), i_2026)
    assert close(value(results, 2026, "energy_intensity_reduction_cum"), (1 - i_2026 / i_2025_in_15th) * 100)
    assert close(value(results, 2026, "energy_intensity_reduction_yoy"), (1 - i_2026 / i_2025_in_15th) * 100)
    assert value(results, 2026, "energy_total_allowed") == 425.0 + (600.0 - 425.0) / 5
    assert results[(2026, "energy_total_assessed")].inputs["rule_set"] == "R2024"


def test_2025_is_the_15th_fyp_base_when_2020_has_no_data() -> None:
    values = _series(2020, 2026)
    del values[2020]
    results, _ = run(values, targets={})
    assert metrics_of(results, 2025) == BASE_WITH_FIVE_INDICES
    assert value(results, 2025, "gdp_const") == values[2025]["gdp_current"]
