"""Computation engine of the monitoring portal: methodology spec v1.1, as pure functions.

Everything here works on plain data (floats, dicts, small frozen dataclasses): no ORM, no settings,
no I/O, so that the same code serves the Celery task, the tests and any acceptance check, and gives
the same figures every time. A Celery task loads one region's approved values, targets, rule sets
and factor set, calls :func:`compute_region` once, and stores the returned :class:`Result` rows
together with ``SPEC_VERSION``, the rule set codes and the factor set code.

Conventions (spec §13): inputs may arrive as ``float`` or ``Decimal`` and are converted with
``float()``; nothing is rounded. Rates are computed as fractions and exported in percent
(``*_reduction_*``, ``*_progress_required``, ``*_completion``, ``nonfossil_share*``, the §10
averages g, d, d*); the target share ``S`` is a plain ratio (1 = target met); intensities are plain
ratios; scores are points, LMDI effects 10^4 tCO2, ``co2_peak_year`` a year and ``co2_peaked`` 1 or 0.
Warnings, the grade and the peak outlook are text (``TEXT_METRICS``). A metric that cannot be
computed is never emitted as a value: it is reported as a :class:`Missing` record with the reason.

Steps across years (spec v1.1): the observed peak reads the CO2 of earlier years, the average
reduction d reads the exported r_t of the four years before t, and the §9 measures score is an
optional input per year (``compute_region(..., measures=...)``), entered by provincial reviewers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

SPEC_VERSION = "v1.1"

GEOMETRIC = "geometric"
LINEAR = "linear"
ProgressMethod = Literal["geometric", "linear"]

RED = "red"
YELLOW = "yellow"
GREEN = "green"
#: Warning levels from worst to best; the index is the level's rank (higher is better).
WARNING_ORDER: tuple[str, ...] = (RED, YELLOW, GREEN)

#: Grade codes (exchange.md values) with the spec's Chinese names.
GRADE_EXCEEDED = "exceeded"  # 超额完成
GRADE_COMPLETED = "completed"  # 完成
GRADE_BASIC = "basically_completed"  # 基本完成
GRADE_FAILED = "not_completed"  # 未完成
GRADE_PENDING = "pending_review"  # without a measures score
GRADES: tuple[str, ...] = (GRADE_EXCEEDED, GRADE_COMPLETED, GRADE_BASIC, GRADE_FAILED, GRADE_PENDING)
#: §10 peak outlook codes.
OUTLOOK_PEAKED = "peaked"
OUTLOOK_FALLING = "falling"
OUTLOOK_RISING = "rising"
OUTLOOKS: tuple[str, ...] = (OUTLOOK_PEAKED, OUTLOOK_FALLING, OUTLOOK_RISING)

#: The exchange "Assessments" metrics, in export order (exchange.md).
METRICS: tuple[str, ...] = (
    "gdp_const",
    "energy_intensity",
    "energy_intensity_reduction_yoy",
    "energy_intensity_reduction_cum",
    "energy_intensity_progress_required",
    "energy_intensity_completion",
    "energy_intensity_target_share",
    "energy_intensity_warning_annual",
    "energy_intensity_warning_progress",
    "energy_total_assessed",
    "energy_total_allowed",
    "energy_total_warning",
    "co2_emissions",
    "co2_intensity",
    "co2_intensity_reduction_yoy",
    "co2_intensity_reduction_cum",
    "co2_intensity_progress_required",
    "co2_intensity_completion",
    "co2_intensity_target_share",
    "co2_intensity_warning_annual",
    "co2_intensity_warning_progress",
    "nonfossil_share",
    # v1.1 (methodology §9–§11)
    "nonfossil_share_required",
    "nonfossil_share_warning",
    "co2_peak_year",
    "co2_peaked",
    "gdp_growth_avg",
    "co2_intensity_reduction_avg",
    "co2_intensity_decline_required",
    "co2_peak_outlook",
    "lmdi_activity",
    "lmdi_intensity",
    "lmdi_carbon_factor",
    "lmdi_activity_cum",
    "lmdi_intensity_cum",
    "lmdi_carbon_factor_cum",
    "score_target",
    "score_measures",
    "score_total",
    "grade",
)
#: Metrics a period's base year carries (levels only, no reductions or warnings), besides the §10
#: averages and outlook, which a base year has when the five years before it have their inputs.
LEVEL_METRICS: frozenset[str] = frozenset(
    {
        "gdp_const",
        "energy_intensity",
        "energy_total_assessed",
        "co2_emissions",
        "co2_intensity",
        "nonfossil_share",
        "co2_peak_year",
        "co2_peaked",
    }
)
#: Metrics exported in percent (the engine multiplies the fraction by 100).
PERCENT_METRICS: frozenset[str] = frozenset(
    m
    for m in METRICS
    if m.endswith(("_reduction_yoy", "_reduction_cum", "_progress_required", "_completion"))
    or m
    in (
        "nonfossil_share",
        "nonfossil_share_required",
        "gdp_growth_avg",
        "co2_intensity_reduction_avg",
        "co2_intensity_decline_required",
    )
)
#: Metrics whose value is a text (a warning level, the grade, the peak outlook), stored as a level.
TEXT_METRICS: frozenset[str] = frozenset(
    {m for m in METRICS if m.endswith("_warning") or "_warning_" in m} | {"grade", "co2_peak_outlook"}
)
#: Metric code used in a :class:`Missing` record for a year that belongs to no configured period.
ANY_METRIC = "*"

TARGET_METRICS: tuple[str, ...] = (
    "energy_intensity_reduction",
    "co2_intensity_reduction",
    "energy_total_cap",
    "nonfossil_share",
)
ANNUAL_TARGET_METRICS: tuple[str, ...] = (
    "energy_intensity_reduction_annual",
    "co2_intensity_reduction_annual",
)


# --------------------------------------------------------------------------------------------------
# Configuration as data (spec §2, §4, §6)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """A plan period: base year ``b`` and length ``n``; its years are b+1 … b+n (spec §2)."""

    code: str
    base_year: int
    length: int = 5

    @property
    def last_year(self) -> int:
        """The period's last year b + n (its end-of-period target year)."""
        return self.base_year + self.length

    @property
    def first_year(self) -> int:
        """The first year with reductions and warnings, b + 1; from 2026 carbon intensity is binding."""
        return self.base_year + 1


#: 13th, 14th and 15th five-year plans.
DEFAULT_PERIODS: tuple[Period, ...] = (
    Period("2016-2020", 2015),
    Period("2021-2025", 2020),
    Period("2026-2030", 2025),
)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Which energy counts for intensity (E^I) and for the total (E^T), and the progress rule (§4, §5)."""

    code: str
    exclude_feedstock_from_intensity: bool
    exclude_nonfossil_from_intensity: bool
    exclude_feedstock_from_total: bool
    exclude_nonfossil_from_total: bool
    deduct_new_renewables_from_total: bool
    progress: ProgressMethod = GEOMETRIC

    def __post_init__(self) -> None:
        if self.progress not in (GEOMETRIC, LINEAR):
            raise ValueError(f"rule set {self.code}: unknown progress method {self.progress!r}")


R2016 = RuleSet("R2016", False, False, False, False, False, GEOMETRIC)
R2022 = RuleSet("R2022", True, False, True, False, True, GEOMETRIC)
R2024 = RuleSet("R2024", True, True, True, True, False, GEOMETRIC)
DEFAULT_RULE_SETS: dict[str, RuleSet] = {"2016-2020": R2016, "2021-2025": R2022, "2026-2030": R2024}

CO2_PER_C = 44 / 12


@dataclass(frozen=True, slots=True)
class FactorSet:
    """Emission factors: fuels in tCO2/tce, grid in kgCO2/kWh by year (§6).

    ``grid`` holds the grid factors that apply to the region being computed: the national series
    by default, or the region's own regional grid series when one is assigned to it. The caller
    passes the FactorSet whose ``grid`` is the region's (e.g. ``CN_ERI.with_grid(central_china)``).
    """

    code: str
    coal: float
    oil: float
    gas: float
    grid: Mapping[int, float] = field(default_factory=dict)

    @classmethod
    def from_carbon_content(
        cls, code: str, coal: float, oil: float, gas: float, grid: Mapping[int, float]
    ) -> FactorSet:
        """Build from carbon content (tC/tce) as published: tCO2/tce = tC/tce × 44/12, unrounded."""
        return cls(
            code,
            float(coal) * 44 / 12,
            float(oil) * 44 / 12,
            float(gas) * 44 / 12,
            {int(y): float(v) for y, v in grid.items()},
        )

    def with_grid(self, grid: Mapping[int, float], code: str | None = None) -> FactorSet:
        """The same fuel factors with a region's own grid factors (regional grid assignment)."""
        return FactorSet(
            code or self.code, self.coal, self.oil, self.gas, {int(y): float(v) for y, v in grid.items()}
        )


#: Default factor set: the exact products carbon content × 44/12 (the spec's 2.741200, 2.135833,
#: 1.626167 are these rounded; only the exact products reproduce the worked example to 1e-9).
CN_ERI = FactorSet.from_carbon_content(
    "cn-eri", 0.7476, 0.5825, 0.4435, {2021: 0.5568, 2022: 0.5366, 2023: 0.5306}
)


def grid_factor_year(factor_set: FactorSet, year: int) -> int | None:
    """The published year whose grid factor applies to ``year``: the year itself, else the nearest
    published year (on a tie, the earlier one), because unpublished years must still be accounted
    (§6). None when the set has no grid factor at all."""
    grid = factor_set.grid
    if year in grid:
        return year
    if not grid:
        return None
    return min(grid, key=lambda y: (abs(y - year), y))


def grid_factor(factor_set: FactorSet, year: int) -> float | None:
    """Grid factor (kgCO2/kWh) that applies to ``year`` (see :func:`grid_factor_year`)."""
    published = grid_factor_year(factor_set, year)
    return None if published is None else factor_set.grid[published]


@dataclass(frozen=True, slots=True)
class Targets:
    """A region's targets for one period, in percent as given in the targets file (14 means 14 %);
    ``energy_total_cap`` in 10^4 tce. ``annual`` maps (annual metric, year) to a percent."""

    energy_intensity_reduction: float | None = None
    co2_intensity_reduction: float | None = None
    energy_total_cap: float | None = None
    nonfossil_share: float | None = None
    annual: Mapping[tuple[str, int], float] = field(default_factory=dict)


def targets_from_records(records: Iterable[tuple[str, str, float, int | None]]) -> dict[str, Targets]:
    """Group targets rows (period, metric, value, year) into one :class:`Targets` per period code,
    so the caller can pass the targets file/table rows as they come."""
    plain: dict[str, dict[str, float]] = {}
    annual: dict[str, dict[tuple[str, int], float]] = {}
    for period, metric, value, year in records:
        plain.setdefault(period, {})
        annual.setdefault(period, {})
        if metric in ANNUAL_TARGET_METRICS:
            if year is None:
                raise ValueError(f"{period} {metric}: annual target without a year")
            annual[period][(metric, int(year))] = float(value)
        elif metric in TARGET_METRICS:
            plain[period][metric] = float(value)
        else:
            raise ValueError(f"{period}: unknown target metric {metric!r}")
    return {p: Targets(**plain[p], annual=annual[p]) for p in plain}


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------

InputValue = float | str | int


@dataclass(slots=True)  # not frozen: a frozen dataclass is 4× slower to build, and a run builds a million
class Result:
    """One computed figure with the formula and the named inputs that produced it, so the UI can
    show how a value (or a warning colour) came about. Percent metrics are in percent."""

    year: int
    metric: str
    value: float | str
    formula: str
    inputs: dict[str, InputValue]


@dataclass(slots=True)
class Missing:
    """A metric that applies to a region-year but could not be computed, and why (never a zero)."""

    year: int
    metric: str
    reason: str


# --------------------------------------------------------------------------------------------------
# Single formulas (public so that tests and the UI can use them directly)
# --------------------------------------------------------------------------------------------------


def progress_required(target: float, k: int, n: int, method: str = GEOMETRIC) -> float:
    """Q_k, the cumulative reduction due by year k of n (fractions): geometric or linear (§5)."""
    if method == GEOMETRIC:
        return 1 - (1 - target) ** (k / n)
    if method == LINEAR:
        return target * k / n
    raise ValueError(f"unknown progress method {method!r}")


def annual_requirement_from_target(target: float, n: int) -> float:
    """a = 1 − (1 − T)^(1/n): the geometric-average yearly reduction that meets T in n years (§5)."""
    return 1 - (1 - target) ** (1 / n)


def target_share(cum_reduction: float, target: float) -> float:
    """S = ln(1 − R) / ln(1 − T): share of the five-year target achieved (1 = met) (§5)."""
    return math.log(1 - cum_reduction) / math.log(1 - target)


def annual_warning(reduction: float, requirement: float) -> str:
    """629号 annual warning: red if intensity rose, yellow if it fell less than required (§8)."""
    if reduction < 0:
        return RED
    if reduction < requirement:
        return YELLOW
    return GREEN


def progress_warning(cum_reduction: float, required: float) -> str:
    """901号 progress warning: green on track, yellow within 10 % of Q_k behind, else red (§8)."""
    if cum_reduction >= required:
        return GREEN
    if required - cum_reduction <= 0.10 * required:
        return YELLOW
    return RED


def total_warning(excess: float, allowed_increment: float) -> str:
    """901号 applied to the total: green within the allowance, yellow if the excess is at most 10 %
    of the allowed increment, red otherwise (so red whenever the increment is ≤ 0 and X > 0) (§8)."""
    if excess <= 0:
        return GREEN
    if allowed_increment > 0 and excess <= 0.10 * allowed_increment:
        return YELLOW
    return RED


_ANNUAL_RULES = {
    RED: "red: r_t < 0 (intensity rose)",
    YELLOW: "yellow: 0 ≤ r_t < annual requirement a",
    GREEN: "green: r_t ≥ annual requirement a",
}
_PROGRESS_RULES = {
    GREEN: "green: R_t ≥ Q_k",
    YELLOW: "yellow: R_t < Q_k and Q_k − R_t ≤ 0.10 × Q_k",
    RED: "red: R_t < Q_k and Q_k − R_t > 0.10 × Q_k",
}
_TOTAL_RULES = {
    GREEN: "green: X_t = E^T_t − A_k ≤ 0",
    YELLOW: "yellow: 0 < X_t ≤ 0.10 × (A_k − E^T_b)",
    RED: "red: X_t > 0.10 × (A_k − E^T_b)",
}
_TOTAL_RED_NO_INCREMENT = "red: X_t > 0 and allowed increment A_k − E^T_b ≤ 0"


# --------------------------------------------------------------------------------------------------
# compute_region
# --------------------------------------------------------------------------------------------------

F_GDP_BASE = "G_b = gdp_current_b"
F_GDP = "G_t = G_{t−1} × gdp_index_t / 100"
F_CO2 = "CO2_t = coal×EF_coal + oil×EF_oil + gas×EF_gas + electricity_net_import×EF_grid×10"
F_CI = "CI_t = CO2_t / G_t"
F_NONFOSSIL = "nonfossil_share_t = energy_nonfossil_t / energy_total_t"
F_YOY = "r_t = 1 − I_t / I_{t−1}"
F_CUM = "R_t = 1 − I_t / I_b"
F_Q = {GEOMETRIC: "Q_k = 1 − (1 − T)^(k/n)", LINEAR: "Q_k = T × k / n"}
F_COMPLETION = "C_t = R_t / Q_k"
F_SHARE = "S_t = ln(1 − R_t) / ln(1 − T)"
F_ALLOWED = "A_k = E^T_b + (cap − E^T_b) × k / n"


@lru_cache(maxsize=64)
def _energy_texts(rules: RuleSet) -> tuple[str, str]:
    """Formula texts for E^I and E^T under a rule set (cached: rule sets are few and immutable)."""
    ei = "energy_total"
    if rules.exclude_feedstock_from_intensity:
        ei += " − feedstock_energy"
    if rules.exclude_nonfossil_from_intensity:
        ei += " − energy_nonfossil"
    et = "energy_total"
    if rules.exclude_feedstock_from_total:
        et += " − feedstock_energy"
    if rules.exclude_nonfossil_from_total:
        et += " − energy_nonfossil"
    if rules.deduct_new_renewables_from_total:
        et += " − D_t (D_t = Σ_{i=b+1..t} max(0, renewable_power_i − renewable_power_{i−1}))"
    return f"I_t = E^I_t / G_t, E^I = {ei}", f"E^T_t = {et}"


class _Frame:
    """One period's series (GDP at the period's base-year prices, energies under its rule set),
    with the reason for each value that could not be computed."""

    __slots__ = ("CI", "CIw", "D", "ET", "ET_in", "ETw", "G", "G_in", "Gw", "I", "I_in", "Iw")

    def __init__(self) -> None:
        self.G: dict[int, float] = {}
        self.Gw: dict[int, str] = {}
        self.G_in: dict[int, dict[str, InputValue]] = {}
        self.I: dict[int, float] = {}
        self.Iw: dict[int, str] = {}
        self.I_in: dict[int, dict[str, InputValue]] = {}
        self.ET: dict[int, float] = {}
        self.ETw: dict[int, str] = {}
        self.ET_in: dict[int, dict[str, InputValue]] = {}
        self.CI: dict[int, float] = {}
        self.CIw: dict[int, str] = {}
        self.D: dict[int, float] = {}


def _require(row: Mapping[str, float] | None, codes: Sequence[str], year: int) -> str | None:
    """The reason if any of ``codes`` is missing from a year's inputs, else None."""
    if not row:
        return f"no input values for {year}"
    absent = [c for c in codes if c not in row]
    if absent:
        return f"{', '.join(absent)} missing for {year}"
    return None


def _build_frame(
    period: Period,
    rules: RuleSet,
    vals: Mapping[int, Mapping[str, float]],
    co2: _Co2,
) -> _Frame:
    """Compute a period's GDP, intensities and assessed totals for b … b+n (§3–§6)."""
    fr = _Frame()
    b, code = period.base_year, period.code
    intensity_codes = ["energy_total"]
    if rules.exclude_feedstock_from_intensity:
        intensity_codes.append("feedstock_energy")
    if rules.exclude_nonfossil_from_intensity:
        intensity_codes.append("energy_nonfossil")
    total_codes = ["energy_total"]
    if rules.exclude_feedstock_from_total:
        total_codes.append("feedstock_energy")
    if rules.exclude_nonfossil_from_total:
        total_codes.append("energy_nonfossil")
    deduct = rules.deduct_new_renewables_from_total
    d_reason: str | None = None
    for y in range(b, period.last_year + 1):
        row = vals.get(y)
        # §3 constant-price GDP at the base year's prices.
        if y == b:
            gc = row.get("gdp_current") if row else None
            if gc is None:
                fr.Gw[y] = f"gdp_current missing for {b} (base year of {code})"
            elif gc <= 0:
                fr.Gw[y] = f"gdp_current {gc} for {b} is not positive: refused"
            else:
                fr.G[y] = gc
                fr.G_in[y] = {"gdp_current": gc, "base_year": b, "period": code}
        else:
            prev = fr.G.get(y - 1)
            idx = row.get("gdp_index") if row else None
            if prev is None:
                fr.Gw[y] = fr.Gw[y - 1]
            elif idx is None:
                fr.Gw[y] = f"gdp_index missing for {y}"
            elif idx <= 0:
                fr.Gw[y] = f"gdp_index {idx} for {y} is not positive: refused"
            else:
                fr.G[y] = prev * idx / 100
                fr.G_in[y] = {"G_prev": prev, "gdp_index": idx, "base_year": b, "period": code}
        g = fr.G.get(y)
        # §4 energy for intensity, §5 intensity.
        why = _require(row, intensity_codes, y)
        if why is None:
            assert row is not None
            ei = row["energy_total"]
            ins: dict[str, InputValue] = {"energy_total": ei}
            if rules.exclude_feedstock_from_intensity:
                ins["feedstock_energy"] = row["feedstock_energy"]
                ei -= row["feedstock_energy"]
            if rules.exclude_nonfossil_from_intensity:
                ins["energy_nonfossil"] = row["energy_nonfossil"]
                ei -= row["energy_nonfossil"]
            if g is None:
                fr.Iw[y] = fr.Gw[y]
            elif ei <= 0:
                fr.Iw[y] = f"energy for intensity E^I = {ei} is not positive for {y}: refused"
            else:
                fr.I[y] = ei / g
                ins["E_I"] = ei
                ins["G_t"] = g
                ins["rule_set"] = rules.code
                ins["base_year"] = b
                fr.I_in[y] = ins
        else:
            fr.Iw[y] = why
        # §4 D_t: sum of the yearly increases of renewable power since the base.
        if deduct:
            if y == b:
                fr.D[y] = 0.0
            elif d_reason is None:
                rp_now = row.get("renewable_power") if row else None
                prev_row = vals.get(y - 1)
                rp_prev = prev_row.get("renewable_power") if prev_row else None
                if rp_now is None:
                    d_reason = f"renewable_power missing for {y} (needed for D_t)"
                elif rp_prev is None:
                    d_reason = f"renewable_power missing for {y - 1} (needed for D_t)"
                else:
                    fr.D[y] = fr.D[y - 1] + max(0.0, rp_now - rp_prev)
        # §4 energy for the total assessment.
        why = _require(row, total_codes, y)
        if why is None and deduct and y not in fr.D:
            why = d_reason
        if why is None:
            assert row is not None
            et = row["energy_total"]
            ins = {"energy_total": et}
            if rules.exclude_feedstock_from_total:
                ins["feedstock_energy"] = row["feedstock_energy"]
                et -= row["feedstock_energy"]
            if rules.exclude_nonfossil_from_total:
                ins["energy_nonfossil"] = row["energy_nonfossil"]
                et -= row["energy_nonfossil"]
            if deduct:
                ins["D_t"] = fr.D[y]
                et -= fr.D[y]
            ins["rule_set"] = rules.code
            fr.ET[y] = et
            fr.ET_in[y] = ins
        else:
            fr.ETw[y] = why
        # §6 carbon intensity.
        c = co2.value.get(y)
        if c is None:
            fr.CIw[y] = co2.why.get(y) or f"no input values for {y}"
        elif g is None:
            fr.CIw[y] = fr.Gw[y]
        elif c <= 0:
            fr.CIw[y] = f"CO2 emissions {c} are not positive for {y}: carbon intensity refused"
        else:
            fr.CI[y] = c / g
    return fr


@dataclass(slots=True)
class _Co2:
    """§6 CO2 per year (independent of the period), the reason where it is absent, and its inputs."""

    value: dict[int, float]
    why: dict[int, str]
    inputs: dict[int, dict[str, InputValue]]


def _co2(vals: Mapping[int, Mapping[str, float]], factor_set: FactorSet, years: Iterable[int]) -> _Co2:
    """CO2 per year (§6); independent of the period. A missing electricity_net_import is a missing
    input (the formula needs it; a region without trade reports 0), so CO2 is absent then."""
    out: dict[int, float] = {}
    why: dict[int, str] = {}
    ins: dict[int, dict[str, InputValue]] = {}
    codes = ("energy_coal", "energy_oil", "energy_gas", "electricity_net_import")
    for y in years:
        row = vals.get(y)
        reason = _require(row, codes, y)
        if reason is not None:
            why[y] = reason
            continue
        assert row is not None
        gf_year = grid_factor_year(factor_set, y)
        if gf_year is None:
            why[y] = f"factor set {factor_set.code} has no grid emission factor"
            continue
        coal, oil, gas, imp = (row[c] for c in codes)
        ef_grid = factor_set.grid[gf_year]
        out[y] = coal * factor_set.coal + oil * factor_set.oil + gas * factor_set.gas + imp * ef_grid * 10
        ins[y] = {
            "energy_coal": coal,
            "energy_oil": oil,
            "energy_gas": gas,
            "electricity_net_import": imp,
            "EF_coal": factor_set.coal,
            "EF_oil": factor_set.oil,
            "EF_gas": factor_set.gas,
            "EF_grid": ef_grid,
            "grid_factor_year": gf_year,
            "factor_set": factor_set.code,
        }
    return _Co2(out, why, ins)


def _target_fraction(value: float | None, name: str, period: Period) -> tuple[float | None, str | None]:
    """A percent target as a fraction, or the reason it cannot be used."""
    if value is None:
        return None, f"no {name} target for {period.code}"
    t = float(value) / 100
    if t >= 1:
        return None, f"{name} target {value} % for {period.code} is not below 100 %: refused"
    return t, None


@dataclass(slots=True)
class _Year:
    """One reported year t = b + k (§2) with what its steps read: the period, its rule set, the
    period's series (built once per period), the period's targets, the year's inputs and CO2."""

    t: int
    k: int
    period: Period
    rules: RuleSet
    frame: _Frame
    targets: Targets
    row: Mapping[str, float]
    co2: _Co2
    energy_texts: tuple[str, str]  # formula texts of E^I and E^T under the rule set
    region: _Region  # what steps across years read (CO2 peaks, r_t of earlier years, measures)


@dataclass(frozen=True, slots=True)
class _Intensity:
    """Which intensity a §5/§8 step works on: its metric codes and the names of its targets
    (spelled out once here, not formatted for every region-year)."""

    target: str  # the period's reduction target (a `Targets` field), also its name in reasons
    annual_key: str  # the annual target metric
    yoy: str
    cum: str
    required: str
    completion: str
    share: str
    warning_annual: str
    warning_progress: str

    @classmethod
    def named(cls, prefix: str) -> _Intensity:
        return cls(
            target=f"{prefix}_reduction",
            annual_key=f"{prefix}_reduction_annual",
            yoy=f"{prefix}_reduction_yoy",
            cum=f"{prefix}_reduction_cum",
            required=f"{prefix}_progress_required",
            completion=f"{prefix}_completion",
            share=f"{prefix}_target_share",
            warning_annual=f"{prefix}_warning_annual",
            warning_progress=f"{prefix}_warning_progress",
        )


ENERGY_INTENSITY = _Intensity.named("energy_intensity")
CO2_INTENSITY = _Intensity.named("co2_intensity")


@dataclass(slots=True)
class _Progress:
    """§5 figures of one intensity in one year, as the §8 warnings read them (None: not computable)."""

    r: float | None  # year-on-year reduction r_t
    R: float | None  # cumulative reduction R_t
    T: float | None  # the period's target as a fraction
    t_why: str | None  # why T is None
    t_pct: float  # the target in percent as given (NaN without one)
    Q: float | None  # required progress Q_k
    R_why: str  # why R is None


def _gdp_const(y: _Year, res: list[Result], miss: list[Missing]) -> None:
    """§3 constant-price GDP."""
    fr, t = y.frame, y.t
    if t in fr.G:
        res.append(Result(t, "gdp_const", fr.G[t], F_GDP_BASE if y.k == 0 else F_GDP, fr.G_in[t]))
    else:
        miss.append(Missing(t, "gdp_const", fr.Gw[t]))


def _energy_intensity(y: _Year, res: list[Result], miss: list[Missing]) -> None:
    """§5 energy intensity under the period's rule set (§4)."""
    fr, t = y.frame, y.t
    if t in fr.I:
        res.append(Result(t, "energy_intensity", fr.I[t], y.energy_texts[0], fr.I_in[t]))
    else:
        miss.append(Missing(t, "energy_intensity", fr.Iw[t]))


def _reductions(
    y: _Year,
    res: list[Result],
    miss: list[Missing],
    *,
    kind: _Intensity,
    series: Mapping[int, float],
    why: Mapping[int, str],
) -> _Progress:
    """§5 for one intensity in year t = b + k: r_t, R_t, Q_k, completion C_t and target share S_t."""
    t, k, period, rules = y.t, y.k, y.period, y.rules
    b, n = period.base_year, period.length
    cur = series.get(t)
    prev = series.get(t - 1)
    base = series.get(b)
    target_pct = getattr(y.targets, kind.target)
    T, t_why = _target_fraction(target_pct, kind.target, period)
    t_pct = float(target_pct) if target_pct is not None else math.nan  # shown as given; used only with T

    r: float | None = None
    if cur is not None and prev is not None:
        r = 1 - cur / prev
        res.append(Result(t, kind.yoy, r * 100, F_YOY, {"I_t": cur, "I_t_1": prev, "year_prev": t - 1}))
    else:
        miss.append(Missing(t, kind.yoy, why.get(t) or why.get(t - 1) or "no data"))
    R: float | None = None
    if cur is not None and base is not None:
        R = 1 - cur / base
        res.append(Result(t, kind.cum, R * 100, F_CUM, {"I_t": cur, "I_b": base, "base_year": b}))
    else:
        miss.append(Missing(t, kind.cum, why.get(t) or why.get(b) or "no data"))

    Q: float | None = None
    if T is not None:
        Q = progress_required(T, k, n, rules.progress)
        res.append(
            Result(
                t,
                kind.required,
                Q * 100,
                F_Q[rules.progress],
                {"T_pct": t_pct, "k": k, "n": n, "method": rules.progress, "rule_set": rules.code},
            )
        )
    else:
        miss.append(Missing(t, kind.required, t_why or ""))

    metric = kind.completion
    if R is None:
        miss.append(Missing(t, metric, why.get(t) or why.get(b) or "no data"))
    elif Q is None:
        miss.append(Missing(t, metric, t_why or ""))
    elif Q == 0:
        miss.append(Missing(t, metric, f"required progress Q_k is 0 for {period.code}: completion undefined"))
    else:
        res.append(Result(t, metric, R / Q * 100, F_COMPLETION, {"R_t_pct": R * 100, "Q_k_pct": Q * 100}))

    metric = kind.share
    if R is None:
        miss.append(Missing(t, metric, why.get(t) or why.get(b) or "no data"))
    elif T is None:
        miss.append(Missing(t, metric, t_why or ""))
    elif T == 0:
        miss.append(Missing(t, metric, f"target is 0 % for {period.code}: target share undefined"))
    else:
        res.append(Result(t, metric, target_share(R, T), F_SHARE, {"R_t_pct": R * 100, "T_pct": t_pct}))
    r_why = "" if R is not None else why.get(t) or why.get(b) or "no data"
    return _Progress(r, R, T, t_why, t_pct, Q, r_why)


def _intensity_warnings(
    y: _Year,
    res: list[Result],
    miss: list[Missing],
    *,
    kind: _Intensity,
    progress: _Progress,
    why: Mapping[int, str],
) -> None:
    """§8 annual and progress warnings of one intensity from its §5 figures."""
    t, k, n = y.t, y.k, y.period.length
    b = y.period.base_year
    r, R, T, Q, t_why = progress.r, progress.R, progress.T, progress.Q, progress.t_why

    metric = kind.warning_annual
    annual_pct = y.targets.annual.get((kind.annual_key, t))
    if annual_pct is not None:
        a: float | None = float(annual_pct) / 100
        a_source = f"annual target {kind.annual_key} for {t}"
        a_formula = "a = annual target"
    elif T is not None:
        a = annual_requirement_from_target(T, n)
        a_source = "geometric average of the five-year target"
        a_formula = "a = 1 − (1 − T)^(1/n)"
    else:
        a = None
    if r is None:
        miss.append(Missing(t, metric, why.get(t) or why.get(t - 1) or "no data"))
    elif a is None:
        miss.append(Missing(t, metric, f"{t_why}; no {kind.annual_key} target for {t}"))
    else:
        level = annual_warning(r, a)
        res.append(
            Result(
                t,
                metric,
                level,
                f"{_ANNUAL_RULES[level]}; {a_formula}",
                {"r_t_pct": r * 100, "a_pct": a * 100, "a_source": a_source},
            )
        )

    metric = kind.warning_progress
    if R is None:
        miss.append(Missing(t, metric, why.get(t) or why.get(b) or "no data"))
    elif Q is None:
        miss.append(Missing(t, metric, t_why or ""))
    else:
        level = progress_warning(R, Q)
        res.append(
            Result(
                t,
                metric,
                level,
                f"{_PROGRESS_RULES[level]}; {F_Q[y.rules.progress]}",
                {"R_t_pct": R * 100, "Q_k_pct": Q * 100, "k": k, "n": n},
            )
        )


def _intensity_metrics(
    y: _Year,
    res: list[Result],
    miss: list[Missing],
    *,
    kind: _Intensity,
    series: Mapping[int, float],
    why: Mapping[int, str],
) -> _Progress:
    """r, R, Q, C, S (§5) and both warnings (§8) for one intensity in year t = b + k."""
    progress = _reductions(y, res, miss, kind=kind, series=series, why=why)
    _intensity_warnings(y, res, miss, kind=kind, progress=progress, why=why)
    return progress


def _energy_total_assessed(y: _Year, res: list[Result], miss: list[Missing]) -> None:
    """§4 the energy that counts for the total assessment."""
    fr, t = y.frame, y.t
    if t in fr.ET:
        res.append(Result(t, "energy_total_assessed", fr.ET[t], y.energy_texts[1], fr.ET_in[t]))
    else:
        miss.append(Missing(t, "energy_total_assessed", fr.ETw[t]))


def _total_energy(y: _Year, res: list[Result], miss: list[Missing]) -> float | None:
    """§7 allowed total A_k and excess X_t, with the §8 total warning; X_t (None: not assessable)."""
    fr, t, k, period = y.frame, y.t, y.k, y.period
    b = period.base_year
    cap = None if y.targets.energy_total_cap is None else float(y.targets.energy_total_cap)
    cap_why = f"no energy_total_cap target for {period.code}"
    base_t = fr.ET.get(b)
    allowed: float | None = None
    if cap is None:
        miss.append(Missing(t, "energy_total_allowed", cap_why))
    elif base_t is None:
        miss.append(Missing(t, "energy_total_allowed", fr.ETw[b]))
    else:
        allowed = base_t + (cap - base_t) * k / period.length
        res.append(
            Result(
                t,
                "energy_total_allowed",
                allowed,
                F_ALLOWED,
                {"E_T_b": base_t, "cap": cap, "k": k, "n": period.length, "base_year": b},
            )
        )
    if allowed is None:
        miss.append(Missing(t, "energy_total_warning", cap_why if cap is None else fr.ETw[b]))
        return None
    if t not in fr.ET:
        miss.append(Missing(t, "energy_total_warning", fr.ETw[t]))
        return None
    assert base_t is not None
    excess = fr.ET[t] - allowed
    increment = allowed - base_t
    level = total_warning(excess, increment)
    rule = _TOTAL_RED_NO_INCREMENT if level == RED and increment <= 0 else _TOTAL_RULES[level]
    res.append(
        Result(
            t,
            "energy_total_warning",
            level,
            rule,
            {"E_T_t": fr.ET[t], "A_k": allowed, "X_t": excess, "E_T_b": base_t, "increment": increment},
        )
    )
    return excess


def _carbon(y: _Year, res: list[Result], miss: list[Missing]) -> None:
    """§6 CO2 emissions and carbon intensity."""
    fr, t, co2 = y.frame, y.t, y.co2
    if t in co2.value:
        res.append(Result(t, "co2_emissions", co2.value[t], F_CO2, co2.inputs[t]))
    else:
        miss.append(Missing(t, "co2_emissions", co2.why[t]))
    if t in fr.CI:
        res.append(
            Result(
                t,
                "co2_intensity",
                fr.CI[t],
                F_CI,
                {"CO2_t": co2.value[t], "G_t": fr.G[t], "base_year": y.period.base_year},
            )
        )
    else:
        miss.append(Missing(t, "co2_intensity", fr.CIw[t]))


def _share_of(row: Mapping[str, float] | None, t: int) -> tuple[float | None, str]:
    """§10 non-fossil share of a year in percent, or why it cannot be computed."""
    row = row or {}
    nf, tot = row.get("energy_nonfossil"), row.get("energy_total")
    if nf is None or tot is None:
        return None, _require(row, ("energy_nonfossil", "energy_total"), t) or ""
    if tot <= 0:
        return None, f"energy_total {tot} is not positive for {t}: refused"
    return nf / tot * 100, ""


def _nonfossil_share(y: _Year, res: list[Result], miss: list[Missing]) -> float | None:
    """§10 non-fossil share of the energy total (percent); the share, for the path step."""
    t, row = y.t, y.row
    share, why = _share_of(row, t)
    if share is None:
        miss.append(Missing(t, "nonfossil_share", why))
    else:
        res.append(
            Result(
                t,
                "nonfossil_share",
                share,
                F_NONFOSSIL,
                {"energy_nonfossil": row["energy_nonfossil"], "energy_total": row["energy_total"]},
            )
        )
    return share


F_NF_REQUIRED = "required_t = S_b + (T_NF − S_b) × k/n"
_NF_RULES = {
    GREEN: "green: share_t ≥ S_b + (T_NF − S_b) × k/n",
    YELLOW: "yellow: S_b + (T_NF − S_b) × (k−1)/n ≤ share_t < S_b + (T_NF − S_b) × k/n",
    RED: "red: share_t < S_b + (T_NF − S_b) × (k−1)/n",
}
F_PEAK_YEAR = "peak year = the year of the highest CO2 among t and earlier years with CO2"
F_PEAKED = "peaked = 1 if the peak year ≤ t − 2 and every later year is lower, else 0"
F_G = "g = (Π_{i=t−4..t} gdp_index_i / 100)^(1/5) − 1"
F_D = "d = 1 − (Π_{i=t−4..t} (1 − r_i))^(1/5), r_i = co2_intensity_reduction_yoy"
F_DSTAR = "d* = 1 − 1/(1 + g)"
_OUTLOOK_RULES = {
    OUTLOOK_PEAKED: "peaked: co2_peaked = 1",
    OUTLOOK_FALLING: "falling: not peaked and (1 + g)(1 − d) ≤ 1 (emissions would peak now)",
    OUTLOOK_RISING: "rising: not peaked and (1 + g)(1 − d) > 1",
}
F_LMDI = {
    "activity": "ΔC_act = L(CO2_t, CO2_s) × ln(G_t / G_s)",
    "intensity": "ΔC_int = L(CO2_t, CO2_s) × ln(I'_t / I'_s), I' = energy_total / G",
    "carbon_factor": "ΔC_fac = L(CO2_t, CO2_s) × ln(K_t / K_s), K = CO2 / energy_total",
}
F_SCORE_TARGET = "score_target = max(0, 40 × min(1, max(0, S × n / k)) − (10 if X_t > 0 else 0))"
F_SCORE_MEASURES = "score_measures: entered by a provincial reviewer (0–60)"
F_SCORE_TOTAL = "score_total = score_target + score_measures"
_GRADE_RULES = {
    "missed": "not_completed: the graded target is missed (k = n: R_n < T; k < n: progress warning red)",
    GRADE_PENDING: "pending_review: no measures score entered",
    GRADE_EXCEEDED: "exceeded: score_total ≥ 95",
    GRADE_COMPLETED: "completed: 80 ≤ score_total < 95",
    GRADE_BASIC: "basically_completed: 60 ≤ score_total < 80",
    GRADE_FAILED: "not_completed: score_total < 60",
}
PEAK_METRICS = (
    "co2_peak_year",
    "co2_peaked",
    "gdp_growth_avg",
    "co2_intensity_reduction_avg",
    "co2_intensity_decline_required",
    "co2_peak_outlook",
)


def _nonfossil_path(y: _Year, res: list[Result], miss: list[Missing], share: float | None) -> None:
    """§10 v1.1 required non-fossil share on the linear path from the base year and its warning."""
    t, k, period = y.t, y.k, y.period
    b, n = period.base_year, period.length
    target = y.targets.nonfossil_share
    if target is None:
        why = f"no nonfossil_share target for {period.code}"
        miss.append(Missing(t, "nonfossil_share_required", why))
        miss.append(Missing(t, "nonfossil_share_warning", why))
        return
    tnf = float(target)
    base, why = _share_of(y.region.vals.get(b), b)
    if base is None:
        miss.append(Missing(t, "nonfossil_share_required", why))
        miss.append(Missing(t, "nonfossil_share_warning", why))
        return
    required = nonfossil_required(base, tnf, k, n)
    ins: dict[str, InputValue] = {"S_b_pct": base, "T_NF_pct": tnf, "k": k, "n": n, "base_year": b}
    res.append(Result(t, "nonfossil_share_required", required, F_NF_REQUIRED, ins))
    if share is None:
        miss.append(Missing(t, "nonfossil_share_warning", _share_of(y.row, t)[1]))
        return
    level = nonfossil_warning(share, base, tnf, k, n)
    res.append(
        Result(
            t,
            "nonfossil_share_warning",
            level,
            _NF_RULES[level],
            {
                "share_pct": share,
                "required_pct": required,
                "required_prev_pct": nonfossil_required(base, tnf, k - 1, n),
            },
        )
    )


def _five_years_g(y: _Year) -> tuple[float | None, str]:
    """g from gdp_index of t−4 … t (fraction), or why it is absent."""
    t, vals = y.t, y.region.vals
    indices = []
    for i in range(t - 4, t + 1):
        idx = vals.get(i, {}).get("gdp_index")
        if idx is None:
            return None, f"gdp_index missing for {i} (five years t−4…t needed)"
        if idx <= 0:
            return None, f"gdp_index {idx} for {i} is not positive: refused"
        indices.append(idx)
    return average_growth_from_index(indices), ""


def _five_years_d(y: _Year) -> tuple[float | None, str]:
    """d from the exported r_i of CO2 intensity for t−4 … t (fraction), or why it is absent."""
    rates = []
    for i in range(y.t - 4, y.t + 1):
        r = y.region.ci_yoy.get(i)
        if r is None:
            return None, f"co2_intensity_reduction_yoy absent for {i} (five years t−4…t needed)"
        rates.append(r)
    return average_reduction(rates), ""


def _peak(y: _Year, res: list[Result], miss: list[Missing]) -> None:
    """§10 v1.1 observed peak, five-year averages g and d, required decline d* and the outlook."""
    t, co2 = y.t, y.co2
    if t not in co2.value:
        why = co2.why.get(t) or f"no input values for {t}"
        miss.extend(Missing(t, m, f"co2_emissions absent: {why}") for m in PEAK_METRICS)
        return
    peak_year, peak_value = y.region.peaks[t]
    peaked = peak_year <= t - 2  # every later year is lower: the peak is the latest maximum
    res.append(
        Result(
            t, "co2_peak_year", float(peak_year), F_PEAK_YEAR, {"peak_CO2": peak_value, "CO2_t": co2.value[t]}
        )
    )
    res.append(Result(t, "co2_peaked", 1.0 if peaked else 0.0, F_PEAKED, {"peak_year": peak_year, "t": t}))
    g, g_why = _five_years_g(y)
    d, d_why = _five_years_d(y)
    if g is None:
        miss.append(Missing(t, "gdp_growth_avg", g_why))
    else:
        res.append(Result(t, "gdp_growth_avg", g * 100, F_G, {"from": t - 4, "to": t}))
    if d is None:
        miss.append(Missing(t, "co2_intensity_reduction_avg", d_why))
    else:
        res.append(Result(t, "co2_intensity_reduction_avg", d * 100, F_D, {"from": t - 4, "to": t}))
    if g is None:
        miss.append(Missing(t, "co2_intensity_decline_required", g_why))
    else:
        res.append(
            Result(
                t, "co2_intensity_decline_required", required_decline(g) * 100, F_DSTAR, {"g_pct": g * 100}
            )
        )
    outlook = peak_outlook(peaked, g, d)
    if outlook is None:
        miss.append(Missing(t, "co2_peak_outlook", f"not peaked and {g_why or d_why}"))
    else:
        ins: dict[str, InputValue] = {"co2_peaked": int(peaked)}
        if g is not None and d is not None:
            ins |= {"g_pct": g * 100, "d_pct": d * 100, "factor": (1 + g) * (1 - d)}
        res.append(Result(t, "co2_peak_outlook", outlook, _OUTLOOK_RULES[outlook], ins))


def _lmdi(y: _Year, res: list[Result], miss: list[Missing]) -> None:
    """§11 v1.1 LMDI effects against the previous year and against the period's base year, with G
    at the prices of the period t is reported in and E = energy_total."""
    t, b, fr, co2, vals = y.t, y.period.base_year, y.frame, y.co2, y.region.vals
    for s, suffix in ((t - 1, ""), (b, "_cum")):
        names = [f"lmdi_{effect}{suffix}" for effect in ("activity", "intensity", "carbon_factor")]
        why = ""
        inputs: dict[str, float] = {}
        for year, tag in ((s, "s"), (t, "t")):
            for name, val, reason in (
                (f"CO2_{tag}", co2.value.get(year), co2.why.get(year)),
                (f"G_{tag}", fr.G.get(year), fr.Gw.get(year)),
                (f"E_{tag}", vals.get(year, {}).get("energy_total"), f"energy_total missing for {year}"),
            ):
                if val is None:
                    why = why or reason or f"no input values for {year}"
                elif not val > 0:
                    why = why or f"{name} = {val} for {year} is not positive: LMDI refused"
                else:
                    inputs[name] = val
        if why:
            miss.extend(Missing(t, m, why) for m in names)
            continue
        dec = lmdi(
            inputs["CO2_s"], inputs["CO2_t"], inputs["G_s"], inputs["G_t"], inputs["E_s"], inputs["E_t"]
        )
        ins: dict[str, InputValue] = {**inputs, "s": s, "price_base_year": b}
        res.append(Result(t, names[0], dec.activity, F_LMDI["activity"], ins))
        res.append(Result(t, names[1], dec.intensity, F_LMDI["intensity"], ins))
        res.append(Result(t, names[2], dec.carbon_factor, F_LMDI["carbon_factor"], ins))


def _score(
    y: _Year,
    res: list[Result],
    miss: list[Missing],
    *,
    energy: _Progress,
    carbon: _Progress,
    excess: float | None,
) -> None:
    """§9 v1.1 target part, measures part, total and grade of year t = b + k."""
    t, k, period = y.t, y.k, y.period
    n = period.length
    prefix = graded_metric(period)
    p = energy if prefix == "energy_intensity" else carbon
    measures: float | None = y.region.measures.get(t)
    m_why = f"no measures score entered for {t}"
    if measures is not None and not 0 <= measures <= MEASURES_MAX:
        m_why = f"measures score {measures} for {t} is outside 0–60: refused"
        measures = None
    why = ""
    if p.R is None:
        why = p.R_why
    elif p.T is None:
        why = p.t_why or ""
    elif p.T == 0:
        why = f"{prefix}_reduction target is 0 % for {period.code}: target share undefined"
    if why:
        miss.append(Missing(t, "score_target", why))
        if measures is None:
            miss.append(Missing(t, "score_measures", m_why))
        else:
            res.append(Result(t, "score_measures", measures, F_SCORE_MEASURES, {"year": t}))
        miss.append(Missing(t, "score_total", why))
        miss.append(Missing(t, "grade", why))
        return
    assert p.R is not None and p.T is not None and p.Q is not None
    share = target_share(p.R, p.T)
    level = progress_warning(p.R, p.Q)
    a = assess(
        k,
        n,
        share=share,
        cum_reduction=p.R,
        target=p.T,
        progress_level=level,
        excess=excess,
        measures=measures,
    )
    res.append(
        Result(
            t,
            "score_target",
            a.score_target,
            F_SCORE_TARGET,
            {
                "graded": prefix,
                "S": share,
                "k": k,
                "n": n,
                "X_t": "not assessable" if excess is None else excess,
            },
        )
    )
    if measures is None:
        miss.append(Missing(t, "score_measures", m_why))
        miss.append(Missing(t, "score_total", m_why))
    else:
        res.append(Result(t, "score_measures", measures, F_SCORE_MEASURES, {"year": t}))
        assert a.score_total is not None
        res.append(
            Result(
                t,
                "score_total",
                a.score_total,
                F_SCORE_TOTAL,
                {"score_target": a.score_target, "score_measures": measures},
            )
        )
    rule = _GRADE_RULES["missed"] if a.missed else _GRADE_RULES[a.grade]
    res.append(
        Result(
            t,
            "grade",
            a.grade,
            rule + ("; provisional (k < n)" if a.provisional else ""),
            {
                "graded": prefix,
                "R_t_pct": p.R * 100,
                "T_pct": p.t_pct,
                "progress_warning": level,
                "k": k,
                "n": n,
                "missed": int(a.missed),
                "score_total": "none" if a.score_total is None else a.score_total,
            },
        )
    )


def _year_metrics(y: _Year, res: list[Result], miss: list[Missing]) -> None:
    """Every metric of one reported year in ``METRICS`` order (a base year, k = 0, has levels and
    the §10 peak figures only)."""
    fr = y.frame
    _gdp_const(y, res, miss)
    _energy_intensity(y, res, miss)
    energy = carbon = None
    excess: float | None = None
    if y.k:
        energy = _intensity_metrics(y, res, miss, kind=ENERGY_INTENSITY, series=fr.I, why=fr.Iw)
    _energy_total_assessed(y, res, miss)
    if y.k:
        excess = _total_energy(y, res, miss)
    _carbon(y, res, miss)
    if y.k:
        carbon = _intensity_metrics(y, res, miss, kind=CO2_INTENSITY, series=fr.CI, why=fr.CIw)
        if carbon.r is not None:
            y.region.ci_yoy[y.t] = carbon.r
    share = _nonfossil_share(y, res, miss)
    if y.k:
        _nonfossil_path(y, res, miss, share)
    _peak(y, res, miss)
    if energy is not None and carbon is not None:
        _lmdi(y, res, miss)
        _score(y, res, miss, energy=energy, carbon=carbon, excess=excess)


def _has_data(row: Mapping[str, object] | None) -> bool:
    """Whether a year has at least one usable (non-None, finite) input value."""
    if not row:
        return False
    return any(v is not None and math.isfinite(float(v)) for v in row.values())


def reporting_period(
    year: int, periods: Sequence[Period], vals: Mapping[int, Mapping[str, object]]
) -> tuple[Period, int] | None:
    """The period a year is reported in, and k = t − b (§2): inside a period whose base year has
    data first (so 2020 ends the 13th FYP when 2015 has data), else as a base year, else inside a
    period whose base year has no data (then only base-independent levels can be computed).
    "Has data" means at least one finite input value for that year. Accepts raw or converted
    values, so callers can label stored results with the same period the engine used."""
    inside_no_base: tuple[Period, int] | None = None
    as_base: tuple[Period, int] | None = None
    for p in periods:
        k = year - p.base_year
        if 1 <= k <= p.length:
            if _has_data(vals.get(p.base_year)):
                return p, k
            if inside_no_base is None:
                inside_no_base = (p, k)
        elif k == 0 and as_base is None:
            as_base = (p, 0)
    return as_base or inside_no_base


#: Former private name, kept for callers that used it.
_choose_role = reporting_period


def _as_floats(values: Mapping[int, Mapping[str, object]]) -> dict[int, dict[str, float]]:
    """Inputs as floats (Decimal-safe). None and non-finite values (NaN, ±inf) count as missing, so
    no result can become non-finite through an input; years left empty are dropped."""
    out: dict[int, dict[str, float]] = {}
    isfinite = math.isfinite
    for y, row in values.items():
        conv: dict[str, float] = {}
        for k, v in row.items():
            if v is not None:
                f = float(v)  # type: ignore[arg-type]
                if isfinite(f):
                    conv[k] = f
        if conv:
            out[int(y)] = conv
    return out


@dataclass(slots=True)
class _Region:
    """One region's converted inputs and configuration; each period's series is built once, when
    its first reported year needs it."""

    vals: dict[int, dict[str, float]]
    periods: list[Period]
    targets: Mapping[str, Targets]
    rule_sets: Mapping[str, RuleSet]
    co2: _Co2
    measures: Mapping[int, float] = field(default_factory=dict)
    frames: dict[str, _Frame] = field(default_factory=dict)
    ci_yoy: dict[int, float] = field(default_factory=dict)  # r_t of CO2 intensity as exported
    peaks: dict[int, tuple[int, float]] = field(default_factory=dict)  # t → (peak year, its CO2)

    def __post_init__(self) -> None:
        """§10 observed peak for every year with CO2: the highest CO2 among it and earlier years
        (the latest of equal maxima, so every year after the peak is lower)."""
        top: tuple[int, float] | None = None
        for year in sorted(self.co2.value):
            c = self.co2.value[year]
            if top is None or c >= top[1]:
                top = (year, c)
            self.peaks[year] = top

    def year(self, t: int) -> _Year | None:
        """§2: the period year t is reported in, with its rule set, series and targets (None: no period)."""
        role = reporting_period(t, self.periods, self.vals)
        if role is None:
            return None
        period, k = role
        rules = self.rule_sets.get(period.code) or DEFAULT_RULE_SETS.get(period.code)
        if rules is None:
            raise ValueError(f"no rule set for period {period.code}")
        frame = self.frames.get(period.code)
        if frame is None:
            frame = self.frames[period.code] = _build_frame(period, rules, self.vals, self.co2)
        targets = self.targets.get(period.code) or Targets()
        return _Year(t, k, period, rules, frame, targets, self.vals[t], self.co2, _energy_texts(rules), self)


def compute_region(
    values: Mapping[int, Mapping[str, object]],
    periods: Sequence[Period] = DEFAULT_PERIODS,
    targets: Mapping[str, Targets] | None = None,
    rule_sets: Mapping[str, RuleSet] | None = None,
    factor_set: FactorSet = CN_ERI,
    measures: Mapping[int, object] | None = None,
) -> tuple[list[Result], list[Missing]]:
    """Every exchange metric of one region for every year that has data (spec §2–§11).

    ``values``: year → {indicator code: value} (approved values only). ``measures``: year → the
    §9 measures score (0–60) a provincial reviewer entered for the region, where entered; a
    year without one is graded "pending review" (unless its target is missed). ``targets`` and
    ``rule_sets`` are keyed by period code; a period without a rule set uses ``DEFAULT_RULE_SETS``.
    ``factor_set`` carries the grid factors that apply to this region (national or regional).
    Returns the results (ordered by year, then ``METRICS`` order) and the metrics that apply but
    could not be computed, with reasons. Years outside every period get one ``Missing(year, "*")``.
    """
    vals = _as_floats(values)
    years = sorted(vals)
    region = _Region(
        vals=vals,
        periods=sorted(periods, key=lambda p: p.base_year),
        targets=targets or {},
        rule_sets=rule_sets if rule_sets is not None else DEFAULT_RULE_SETS,
        co2=_co2(vals, factor_set, years),
        measures={int(y): float(v) for y, v in (measures or {}).items() if v is not None},  # type: ignore[arg-type]
    )
    res: list[Result] = []
    miss: list[Missing] = []
    for t in years:
        year = region.year(t)
        if year is None:
            miss.append(Missing(t, ANY_METRIC, "year is outside every configured period"))
        else:
            _year_metrics(year, res, miss)
    return res, miss


# --------------------------------------------------------------------------------------------------
# §9 Assessment score and grade
# --------------------------------------------------------------------------------------------------

#: Periods ending by this year grade the energy-intensity target, later ones the carbon-intensity one.
ENERGY_GRADED_UNTIL = 2025
TARGET_POINTS = 40.0
TOTAL_DEDUCTION = 10.0
MEASURES_MAX = 60.0


def graded_metric(period: Period) -> str:
    """The one intensity graded in a period (§9): energy intensity in periods ending by 2025,
    carbon intensity from the 2026–2030 period on. Its metric prefix."""
    return "energy_intensity" if period.last_year <= ENERGY_GRADED_UNTIL else "co2_intensity"


def target_part(share: float, k: int, n: int, excess: float | None) -> float:
    """score_target = max(0, 40 × min(1, max(0, S × n / k)) − (10 if X_t > 0 else 0)) (§9 v1.1).

    ``share`` is the graded metric's target share S; the share due by year k is k/n. ``excess``
    is X_t of §7, or None when the total cannot be assessed (then nothing is deducted)."""
    if not 1 <= k <= n:
        raise ValueError(f"k = {k} outside 1…{n}")
    part = TARGET_POINTS * min(1.0, max(0.0, share * n / k))
    if excess is not None and excess > 0:
        part -= TOTAL_DEDUCTION
    return max(0.0, part)


def grade_for_score(score: float) -> str:
    """Grade from the total score; each boundary belongs to the better grade (95 → exceeded, 80 →
    completed, 60 → basically completed), as the spec writes "≥ 95", "≥ 80", "≥ 60"."""
    if score >= 95:
        return GRADE_EXCEEDED
    if score >= 80:
        return GRADE_COMPLETED
    if score >= 60:
        return GRADE_BASIC
    return GRADE_FAILED


def target_missed(k: int, n: int, cum_reduction: float, target: float, progress_level: str) -> bool:
    """§9: at k = n the target is missed when R_n < T; before (provisionally) when the graded
    metric's progress warning (§8) is red."""
    if k == n:
        return cum_reduction < target
    return progress_level == RED


def grade(missed: bool, total: float | None) -> str:
    """§9: not completed when the target is missed (一票否决, whatever the scores); pending review
    without a measures score (``total`` None); else the grade of the total score."""
    if missed:
        return GRADE_FAILED
    if total is None:
        return GRADE_PENDING
    return grade_for_score(total)


@dataclass(frozen=True, slots=True)
class Assessment:
    """§9 for one year k of a period: the target part, the reviewers' measures part (None until
    entered), their total (None without it), whether the graded target is missed, and the grade."""

    score_target: float
    score_measures: float | None
    score_total: float | None
    missed: bool
    grade: str
    provisional: bool


def assess(
    k: int,
    n: int,
    *,
    share: float,
    cum_reduction: float,
    target: float,
    progress_level: str,
    excess: float | None,
    measures: float | None = None,
) -> Assessment:
    """Score and grade one year of a period (§9 v1.1) from the graded metric's S, R_t, T (fractions)
    and progress warning, the total's excess X_t (None: not assessable) and the measures score."""
    if measures is not None and not 0 <= measures <= MEASURES_MAX:
        raise ValueError(f"measures score {measures} outside 0–60")
    part = target_part(share, k, n, excess)
    total = None if measures is None else part + float(measures)
    missed = target_missed(k, n, cum_reduction, target, progress_level)
    return Assessment(part, measures, total, missed, grade(missed, total), k < n)


# --------------------------------------------------------------------------------------------------
# §10 Non-fossil path and carbon peak
# --------------------------------------------------------------------------------------------------

PEAK_HORIZON = 2060


def nonfossil_required(base_share: float, target: float, k: int, n: int) -> float:
    """S_b + (T_NF − S_b) × k/n: the share due by year k on the linear path (percent in, percent out)."""
    return base_share + (target - base_share) * k / n


def nonfossil_warning(share: float, base_share: float, target: float, k: int, n: int) -> str:
    """green if the share is on the path, yellow if less than a year behind it (≥ the share due
    by year k − 1), red otherwise (§10 v1.1)."""
    if share >= nonfossil_required(base_share, target, k, n):
        return GREEN
    if share >= nonfossil_required(base_share, target, k - 1, n):
        return YELLOW
    return RED


@dataclass(frozen=True, slots=True)
class ObservedPeak:
    """The highest CO2 so far and whether it counts as a peak (§10)."""

    peak_year: int
    peak_value: float
    latest_year: int
    peaked: bool


def observed_peak(co2_by_year: Mapping[int, float], latest_year: int | None = None) -> ObservedPeak | None:
    """Year of the highest CO2 among the years up to ``latest_year`` (default: the last one);
    ``peaked`` when it is at least two years before the latest year and every later year is lower.
    On equal maxima the latest such year is the peak (a plateau has not peaked until emissions
    fall below it). None without data. The latest year is the year assessed, t (§10 v1.1)."""
    series = {int(y): float(v) for y, v in co2_by_year.items()}
    if latest_year is not None:
        series = {y: v for y, v in series.items() if y <= latest_year}
    if not series:
        return None
    latest = max(series) if latest_year is None else latest_year
    top = max(series.values())
    peak_year = max(y for y, v in series.items() if v == top)
    later_lower = all(v < top for y, v in series.items() if y > peak_year)
    return ObservedPeak(peak_year, top, latest, peak_year <= latest - 2 and later_lower)


def required_decline(growth: float) -> float:
    """d* = 1 − 1/(1 + g): the carbon-intensity decline that keeps emissions flat at GDP growth g."""
    return 1 - 1 / (1 + growth)


def average_growth_from_index(indices: Sequence[float]) -> float:
    """g = (Π gdp_index_i / 100)^(1/m) − 1 over the m years given (five in §10)."""
    prod = 1.0
    for idx in indices:
        prod *= float(idx) / 100
    return prod ** (1 / len(indices)) - 1


def average_growth(rates: Sequence[float]) -> float:
    """Compound (geometric) average of yearly growth rates: (Π(1 + g_i))^(1/m) − 1 (年均增长)."""
    prod = 1.0
    for g in rates:
        prod *= 1 + float(g)
    return prod ** (1 / len(rates)) - 1


def average_reduction(rates: Sequence[float]) -> float:
    """d = 1 − (Π(1 − r_i))^(1/m): compound average of yearly reductions."""
    prod = 1.0
    for d in rates:
        prod *= 1 - float(d)
    return 1 - prod ** (1 / len(rates))


def peak_outlook(peaked: bool, growth: float | None, decline: float | None) -> str | None:
    """§10 v1.1: ``peaked`` when peaked (whatever g and d); else ``falling`` when (1+g)(1−d) ≤ 1
    (emissions would peak now), ``rising`` above 1; None when not peaked and g or d is absent."""
    if peaked:
        return OUTLOOK_PEAKED
    if growth is None or decline is None:
        return None
    return OUTLOOK_FALLING if (1 + growth) * (1 - decline) <= 1 else OUTLOOK_RISING


@dataclass(frozen=True, slots=True)
class PeakProjection:
    """Projected peak from the last five years' averages (§10). ``peak_year`` is the last year
    before emissions start to fall: the latest year when f = (1+g)(1−d) ≤ 1, else None (they
    never fall at a constant f > 1: "not before 2060"). ``outlook`` as :func:`peak_outlook`."""

    growth: float
    decline: float
    required_decline: float
    factor: float
    peak_year: int | None
    label: str
    outlook: str


def project_emissions(co2: float, growth: float, decline: float, h: int) -> float:
    """CO2_{t+h} = CO2_t × ((1 + g)(1 − d))^h."""
    return co2 * ((1 + growth) * (1 - decline)) ** h


def project_peak(
    latest_year: int,
    growth: float,
    decline: float,
    *,
    peaked: bool = False,
    horizon: int = PEAK_HORIZON,
) -> PeakProjection:
    """Projected peak year (§10) from the five-year averages g and d (fractions): emissions
    CO2_{t+h} = CO2_t × f^h with f = (1+g)(1−d) constant, so they either stop growing now (f ≤ 1:
    peak year = the latest year, "now") or grow every year up to the horizon ("not before 2060")."""
    f = (1 + growth) * (1 - decline)
    outlook = peak_outlook(peaked, growth, decline)
    assert outlook is not None
    if f <= 1:
        return PeakProjection(growth, decline, required_decline(growth), f, latest_year, "now", outlook)
    return PeakProjection(
        growth, decline, required_decline(growth), f, None, f"not before {horizon}", outlook
    )


# --------------------------------------------------------------------------------------------------
# §11 LMDI-I decomposition
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decomposition:
    """Additive LMDI-I effects of a CO2 change between two years (same price base) (§11)."""

    change: float
    activity: float
    intensity: float
    carbon_factor: float


def log_mean(x: float, y: float) -> float:
    """L(x, y) = (x − y)/(ln x − ln y), L(x, x) = x (logarithmic mean of positive numbers)."""
    if x == y:
        return x
    denominator = math.log(x) - math.log(y)
    if denominator == 0.0:  # x and y differ in the last bits only: ln cannot tell them apart
        return (x + y) / 2
    return (x - y) / denominator


def lmdi(
    co2_s: float, co2_t: float, gdp_s: float, gdp_t: float, energy_s: float, energy_t: float
) -> Decomposition:
    """Split CO2_t − CO2_s into activity (G), energy intensity (E/G) and carbon factor (CO2/E)
    effects; they add up to the change (Ang 2004). All inputs must be positive; GDP at one price base."""
    for name, v in (
        ("co2_s", co2_s),
        ("co2_t", co2_t),
        ("gdp_s", gdp_s),
        ("gdp_t", gdp_t),
        ("energy_s", energy_s),
        ("energy_t", energy_t),
    ):
        if not v > 0:
            raise ValueError(f"LMDI needs positive values: {name} = {v}")
    w = log_mean(co2_t, co2_s)
    activity = w * math.log(gdp_t / gdp_s)
    intensity = w * math.log((energy_t / gdp_t) / (energy_s / gdp_s))
    carbon = w * math.log((co2_t / energy_t) / (co2_s / energy_s))
    return Decomposition(co2_t - co2_s, activity, intensity, carbon)


# --------------------------------------------------------------------------------------------------
# §12 Hierarchy checks
# --------------------------------------------------------------------------------------------------

DISCREPANCY_THRESHOLD = 0.05


@dataclass(frozen=True, slots=True)
class HierarchyCheck:
    """A parent's own figure against its children's sum (§12). ``value`` is what to show: the own
    figure, or the children's sum when the parent has none (``derived_from_children``)."""

    own: float | None
    children_sum: float | None
    discrepancy: float | None
    flagged: bool
    derived_from_children: bool
    value: float | None


def hierarchy_check(
    own: float | None, children: Sequence[float | None], threshold: float = DISCREPANCY_THRESHOLD
) -> HierarchyCheck:
    """Compare a region's own figure (e.g. energy_total) with the sum of its children's.

    Each level's statistics are compiled separately, so the sums need not match; a relative gap
    |Σ − own| / own above 5 % is flagged. The check needs every child's figure; with no own figure
    and complete children, the children's sum is shown, marked derived. A non-positive own figure
    with a different sum is flagged (infinite discrepancy)."""
    own_f = None if own is None else float(own)
    if not children or any(c is None for c in children):
        return HierarchyCheck(own_f, None, None, False, False, own_f)
    total = math.fsum(float(c) for c in children)  # type: ignore[arg-type]
    if own_f is None:
        return HierarchyCheck(None, total, None, False, True, total)
    gap = abs(total - own_f) / own_f if own_f > 0 else 0.0 if total == own_f else math.inf
    return HierarchyCheck(own_f, total, gap, gap > threshold, False, own_f)
