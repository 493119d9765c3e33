"""Single formulas of methodology §5, §6 and §8: factors, progress rules and every warning branch."""

from __future__ import annotations

import math

import pytest

from apps.monitoring.engine import (
    CN_ERI,
    GREEN,
    LINEAR,
    RED,
    YELLOW,
    FactorSet,
    RuleSet,
    annual_requirement_from_target,
    annual_warning,
    grid_factor,
    grid_factor_year,
    progress_required,
    progress_warning,
    target_share,
    total_warning,
)


def test_default_fuel_factors_are_exact_carbon_content_times_44_over_12() -> None:
    assert CN_ERI.coal == 0.7476 * 44 / 12
    assert CN_ERI.oil == 0.5825 * 44 / 12
    assert CN_ERI.gas == 0.4435 * 44 / 12
    # The spec prints these products rounded to six places.
    assert (round(CN_ERI.coal, 6), round(CN_ERI.oil, 6), round(CN_ERI.gas, 6)) == (2.7412, 2.135833, 1.626167)


def test_default_grid_factors_are_the_published_national_averages() -> None:
    assert dict(CN_ERI.grid) == {2021: 0.5568, 2022: 0.5366, 2023: 0.5306}


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2022, (0.5366, 2022)),  # published
        (2020, (0.5568, 2021)),  # before the first published year: nearest is 2021
        (2015, (0.5568, 2021)),
        (2027, (0.5306, 2023)),  # after the last published year
    ],
)
def test_grid_factor_uses_the_published_or_nearest_published_year(
    year: int, expected: tuple[float, int]
) -> None:
    assert (grid_factor(CN_ERI, year), grid_factor_year(CN_ERI, year)) == expected


def test_grid_factor_tie_between_two_published_years_takes_the_earlier() -> None:
    fs = FactorSet("gapped", 1.0, 1.0, 1.0, {2020: 0.6, 2022: 0.5})
    assert (grid_factor(fs, 2021), grid_factor_year(fs, 2021)) == (0.6, 2020)


def test_grid_factor_is_none_without_any_published_year() -> None:
    empty = FactorSet("none", 1.0, 1.0, 1.0, {})
    assert grid_factor(empty, 2021) is None and grid_factor_year(empty, 2021) is None


def test_factor_set_with_grid_keeps_fuel_factors_and_replaces_grid() -> None:
    regional = CN_ERI.with_grid({2022: 0.5395, 2023: 0.5271}, code="cn-eri-central")
    assert (regional.coal, regional.oil, regional.gas) == (CN_ERI.coal, CN_ERI.oil, CN_ERI.gas)
    assert (grid_factor(regional, 2021), grid_factor_year(regional, 2021)) == (0.5395, 2022)
    assert regional.code == "cn-eri-central"


def test_geometric_progress_requirement() -> None:
    assert progress_required(0.14, 1, 5) == 1 - 0.86 ** (1 / 5)
    assert progress_required(0.14, 3, 5) == 1 - 0.86 ** (3 / 5)


def test_linear_progress_requirement() -> None:
    assert progress_required(0.14, 2, 5, LINEAR) == 0.14 * 2 / 5


def test_unknown_progress_method_is_rejected() -> None:
    with pytest.raises(ValueError):
        progress_required(0.14, 1, 5, "quadratic")
    with pytest.raises(ValueError):
        RuleSet("X", False, False, False, False, False, "quadratic")  # type: ignore[arg-type]


def test_annual_requirement_compounds_to_the_five_year_target() -> None:
    a = annual_requirement_from_target(0.14, 5)
    assert math.isclose(1 - (1 - a) ** 5, 0.14, rel_tol=1e-12)


def test_target_share_is_one_when_the_target_is_reached_and_zero_without_reduction() -> None:
    assert math.isclose(target_share(0.14, 0.14), 1.0, rel_tol=1e-12)
    assert target_share(0.0, 0.14) == 0.0
    assert target_share(-0.01, 0.14) < 0


@pytest.mark.parametrize(
    ("r", "a", "level"),
    [
        (-0.001, 0.03, RED),  # intensity rose
        (-0.001, 0.0, RED),
        (0.0, 0.03, YELLOW),  # 0 ≤ r < a, lower edge
        (0.0299, 0.03, YELLOW),
        (0.03, 0.03, GREEN),  # r == a is on track
        (0.05, 0.03, GREEN),
        (0.0, 0.0, GREEN),
    ],
)
def test_annual_warning_levels(r: float, a: float, level: str) -> None:
    assert annual_warning(r, a) == level


@pytest.mark.parametrize(
    ("R", "Q", "level"),
    [
        (0.06, 0.05, GREEN),
        (0.05, 0.05, GREEN),  # exactly on track
        (9.0, 10.0, YELLOW),  # Q − R == 0.10 × Q exactly (exact in binary)
        (0.046, 0.05, YELLOW),
        (8.999, 10.0, RED),  # just beyond 10 %
        (-0.01, 0.05, RED),
    ],
)
def test_progress_warning_levels(R: float, Q: float, level: str) -> None:
    assert progress_warning(R, Q) == level


@pytest.mark.parametrize(
    ("excess", "increment", "level"),
    [
        (-4.0, 16.0, GREEN),
        (0.0, 16.0, GREEN),  # X == 0 is within the allowance
        (2.0, 20.0, YELLOW),  # X == 0.10 × increment exactly
        (0.5, 20.0, YELLOW),
        (2.0000001, 20.0, RED),
        (6.0, 32.0, RED),
        (0.1, 0.0, RED),  # no allowed increment and any excess
        (0.1, -10.0, RED),  # negative allowed increment and any excess
        (0.0, -10.0, GREEN),
        (-1.0, 0.0, GREEN),
    ],
)
def test_total_warning_levels(excess: float, increment: float, level: str) -> None:
    assert total_warning(excess, increment) == level
