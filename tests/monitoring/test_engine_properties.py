"""Properties that must hold for any input, checked with hypothesis."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.monitoring.engine import (
    LINEAR,
    WARNING_ORDER,
    annual_requirement_from_target,
    annual_warning,
    lmdi,
    log_mean,
    progress_required,
    progress_warning,
    total_warning,
)

from .engine_data import run, worked_targets

positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)
rate = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
target = st.floats(min_value=-0.9, max_value=0.99, allow_nan=False)


def rank(level: str) -> int:
    return WARNING_ORDER.index(level)


@given(co2_s=positive, co2_t=positive, g_s=positive, g_t=positive, e_s=positive, e_t=positive)
def test_lmdi_effects_add_up_to_the_change(
    co2_s: float, co2_t: float, g_s: float, g_t: float, e_s: float, e_t: float
) -> None:
    d = lmdi(co2_s, co2_t, g_s, g_t, e_s, e_t)
    assert d.change == co2_t - co2_s
    assert math.isclose(
        d.activity + d.intensity + d.carbon_factor, d.change, abs_tol=1e-9 * max(co2_s, co2_t)
    )


@given(x=positive, y=positive)
def test_log_mean_is_symmetric_and_lies_between_its_arguments(x: float, y: float) -> None:
    assert math.isclose(log_mean(x, y), log_mean(y, x), rel_tol=1e-12)
    assert min(x, y) * (1 - 1e-9) <= log_mean(x, y) <= max(x, y) * (1 + 1e-9)


@given(t=target, n=st.integers(min_value=1, max_value=10))
def test_geometric_progress_reaches_the_target_in_the_last_year(t: float, n: int) -> None:
    assert math.isclose(progress_required(t, n, n), t, rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(progress_required(t, n, n, LINEAR), t, rel_tol=1e-12, abs_tol=1e-15)


@given(t=target, n=st.integers(min_value=1, max_value=10))
def test_annual_requirement_compounded_over_the_period_equals_the_target(t: float, n: int) -> None:
    a = annual_requirement_from_target(t, n)
    assert math.isclose(1 - (1 - a) ** n, t, rel_tol=1e-9, abs_tol=1e-12)


@given(low=rate, high=rate, a=rate)
def test_annual_warning_never_worsens_with_more_reduction(low: float, high: float, a: float) -> None:
    low, high = sorted((low, high))
    assert rank(annual_warning(low, a)) <= rank(annual_warning(high, a))


@given(low=rate, high=rate, q=rate)
def test_progress_warning_never_worsens_with_more_reduction(low: float, high: float, q: float) -> None:
    low, high = sorted((low, high))
    assert rank(progress_warning(low, q)) <= rank(progress_warning(high, q))


@given(
    small=st.floats(min_value=-1e4, max_value=1e4, allow_nan=False),
    large=st.floats(min_value=-1e4, max_value=1e4, allow_nan=False),
    increment=st.floats(min_value=-1e4, max_value=1e4, allow_nan=False),
)
def test_total_warning_never_worsens_with_less_excess(small: float, large: float, increment: float) -> None:
    small, large = sorted((small, large))
    assert rank(total_warning(small, increment)) >= rank(total_warning(large, increment))


# --- end to end through compute_region -------------------------------------------------------------

index = st.floats(min_value=90.0, max_value=115.0, allow_nan=False)
energy = st.floats(min_value=100.0, max_value=2000.0, allow_nan=False)


@st.composite
def region_values(draw: st.DrawFn) -> dict[int, dict[str, float]]:
    values: dict[int, dict[str, float]] = {}
    for year in range(2020, 2024):
        total = draw(energy)
        values[year] = {
            "energy_total": total,
            "feedstock_energy": total * draw(st.floats(min_value=0.0, max_value=0.3)),
            "energy_nonfossil": total * draw(st.floats(min_value=0.0, max_value=0.4)),
            "renewable_power": draw(st.floats(min_value=0.0, max_value=300.0)),
            "energy_coal": total * 0.5,
            "energy_oil": total * draw(st.floats(min_value=0.05, max_value=0.2)),
            "energy_gas": total * draw(st.floats(min_value=0.05, max_value=0.2)),
            "electricity_net_import": draw(st.floats(min_value=-50.0, max_value=50.0)),
        }
        if year == 2020:
            values[year]["gdp_current"] = draw(st.floats(min_value=100.0, max_value=1e5))
        else:
            values[year]["gdp_index"] = draw(index)
    return values


SCALED = (
    "gdp_current",
    "energy_total",
    "feedstock_energy",
    "energy_nonfossil",
    "renewable_power",
    "energy_coal",
    "energy_oil",
    "energy_gas",
    "electricity_net_import",
)
REDUCTIONS = tuple(
    f"{p}_reduction_{kind}" for p in ("energy_intensity", "co2_intensity") for kind in ("yoy", "cum")
)


@settings(max_examples=60, deadline=None)
@given(values=region_values(), factor=st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_gdp_and_energy_alike_leaves_intensity_reductions_unchanged(
    values: dict[int, dict[str, float]], factor: float
) -> None:
    scaled = {y: {k: v * factor if k in SCALED else v for k, v in row.items()} for y, row in values.items()}
    original, _ = run(values)
    rescaled, _ = run(scaled)
    compared = 0
    for (year, metric), result in original.items():
        if metric in REDUCTIONS:
            other = rescaled[(year, metric)].value
            assert math.isclose(other, result.value, rel_tol=1e-9, abs_tol=1e-9), (year, metric)  # type: ignore[arg-type]
            compared += 1
    assert compared >= 6  # energy reductions always exist; CO2 ones unless CO2 ≤ 0


@settings(max_examples=60, deadline=None)
@given(values=region_values(), cut=st.floats(min_value=0.0, max_value=0.5), cap=energy)
def test_using_less_energy_never_gives_a_worse_warning(
    values: dict[int, dict[str, float]], cut: float, cap: float
) -> None:
    lower = {y: dict(row) for y, row in values.items()}
    lower[2022]["energy_total"] -= cut * (values[2022]["energy_total"] - values[2022]["feedstock_energy"])
    targets = worked_targets(energy_total_cap=cap)
    before, _ = run(values, targets=targets)
    after, _ = run(lower, targets=targets)
    for metric in (
        "energy_intensity_warning_annual",
        "energy_intensity_warning_progress",
        "energy_total_warning",
    ):
        if (2022, metric) in before:
            assert rank(after[(2022, metric)].value) >= rank(before[(2022, metric)].value), metric  # type: ignore[arg-type]


def test_log_mean_of_numbers_too_close_for_the_logarithm_is_their_mean() -> None:
    x = 1e6
    y = math.nextafter(x, 2e6)
    assert math.log(x) == math.log(y)
    assert log_mean(x, y) == (x + y) / 2
