"""Computation engine of the monitoring portal: methodology spec v1, as pure functions.

Everything here works on plain data (floats, dicts, small frozen dataclasses): no ORM, no settings,
no I/O, so that the same code serves the Celery task, the tests and any acceptance check, and gives
the same figures every time. A Celery task loads one region's approved values, targets, rule sets
and factor set, calls :func:`compute_region` once, and stores the returned :class:`Result` rows
together with ``SPEC_VERSION``, the rule set codes and the factor set code.

Conventions (spec §13): inputs may arrive as ``float`` or ``Decimal`` and are converted with
``float()``; nothing is rounded. Rates are computed as fractions and exported in percent
(``*_reduction_*``, ``*_progress_required``, ``*_completion``, ``nonfossil_share``); the target share
``S`` is a plain ratio (1 = target met); intensities are plain ratios. A metric that cannot be
computed is never emitted as a value: it is reported as a :class:`Missing` record with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

SPEC_VERSION = "v1"

GEOMETRIC = "geometric"
LINEAR = "linear"
ProgressMethod = Literal["geometric", "linear"]

RED = "red"
YELLOW = "yellow"
GREEN = "green"
#: Warning levels from worst to best; the index is the level's rank (higher is better).
WARNING_ORDER: tuple[str, ...] = (RED, YELLOW, GREEN)

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
)
#: Metrics a period's base year carries (levels only, no reductions or warnings).
LEVEL_METRICS: frozenset[str] = frozenset(
    {
        "gdp_const",
        "energy_intensity",
        "energy_total_assessed",
        "co2_emissions",
        "co2_intensity",
        "nonfossil_share",
    }
)
#: Metrics exported in percent (the engine multiplies the fraction by 100).
PERCENT_METRICS: frozenset[str] = frozenset(
    m
    for m in METRICS
    if m.endswith(("_reduction_yoy", "_reduction_cum", "_progress_required", "_completion"))
    or m == "nonfossil_share"
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
    return _Progress(r, R, T, t_why, t_pct, Q)


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
) -> None:
    """r, R, Q, C, S (§5) and both warnings (§8) for one intensity in year t = b + k."""
    progress = _reductions(y, res, miss, kind=kind, series=series, why=why)
    _intensity_warnings(y, res, miss, kind=kind, progress=progress, why=why)


def _energy_total_assessed(y: _Year, res: list[Result], miss: list[Missing]) -> None:
    """§4 the energy that counts for the total assessment."""
    fr, t = y.frame, y.t
    if t in fr.ET:
        res.append(Result(t, "energy_total_assessed", fr.ET[t], y.energy_texts[1], fr.ET_in[t]))
    else:
        miss.append(Missing(t, "energy_total_assessed", fr.ETw[t]))


def _total_energy(y: _Year, res: list[Result], miss: list[Missing]) -> None:
    """§7 allowed total A_k and excess X_t, with the §8 total warning."""
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
    elif t not in fr.ET:
        miss.append(Missing(t, "energy_total_warning", fr.ETw[t]))
    else:
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


def _nonfossil_share(y: _Year, res: list[Result], miss: list[Missing]) -> None:
    """§10 non-fossil share of the energy total."""
    t, row = y.t, y.row
    nf, tot = row.get("energy_nonfossil"), row.get("energy_total")
    if nf is None or tot is None:
        miss.append(
            Missing(t, "nonfossil_share", _require(row, ("energy_nonfossil", "energy_total"), t) or "")
        )
    elif tot <= 0:
        miss.append(Missing(t, "nonfossil_share", f"energy_total {tot} is not positive for {t}: refused"))
    else:
        res.append(
            Result(
                t,
                "nonfossil_share",
                nf / tot * 100,
                F_NONFOSSIL,
                {"energy_nonfossil": nf, "energy_total": tot},
            )
        )


def _year_metrics(y: _Year, res: list[Result], miss: list[Missing]) -> None:
    """Every metric of one reported year in ``METRICS`` order (a base year, k = 0, has levels only)."""
    fr = y.frame
    _gdp_const(y, res, miss)
    _energy_intensity(y, res, miss)
    if y.k:
        _intensity_metrics(y, res, miss, kind=ENERGY_INTENSITY, series=fr.I, why=fr.Iw)
    _energy_total_assessed(y, res, miss)
    if y.k:
        _total_energy(y, res, miss)
    _carbon(y, res, miss)
    if y.k:
        _intensity_metrics(y, res, miss, kind=CO2_INTENSITY, series=fr.CI, why=fr.CIw)
    _nonfossil_share(y, res, miss)


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
    frames: dict[str, _Frame] = field(default_factory=dict)

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
        return _Year(t, k, period, rules, frame, targets, self.vals[t], self.co2, _energy_texts(rules))


def compute_region(
    values: Mapping[int, Mapping[str, object]],
    periods: Sequence[Period] = DEFAULT_PERIODS,
    targets: Mapping[str, Targets] | None = None,
    rule_sets: Mapping[str, RuleSet] | None = None,
    factor_set: FactorSet = CN_ERI,
) -> tuple[list[Result], list[Missing]]:
    """Every exchange metric of one region for every year that has data (spec §2–§8, §10 share).

    ``values``: year → {indicator code: value} (approved values only). ``targets`` and
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

GRADE_EXCEEDED = "超额完成"
GRADE_COMPLETED = "完成"
GRADE_BASIC = "基本完成"
GRADE_FAILED = "未完成"
STATUS_GRADED = "graded"
STATUS_PENDING = "pending review"
#: Periods starting in or after this year also veto on a missed carbon-intensity target.
CARBON_VETO_FROM = 2026


@dataclass(frozen=True, slots=True)
class Assessment:
    """A period assessment: the target part (0–40 less 10), the reviewers' measures part, and the
    grade — or ``grade=None`` with status "pending review" while the measures part is not scored."""

    target_part: float
    measures_part: float | None
    score: float | None
    grade: str | None
    status: str
    vetoed: bool
    reasons: tuple[str, ...]


def target_part(intensity_share: float, total_exceeds_cap: bool) -> float:
    """40 × min(1, S), less 10 if the assessed total exceeds its cap (§9). Not floored at zero:
    the spec gives no floor, and a negative S (intensity rose) is vetoed anyway."""
    part = 40 * min(1.0, intensity_share)
    return part - 10 if total_exceeds_cap else part


def grade_for_score(score: float) -> str:
    """Grade from the score; each boundary belongs to the better grade (95 → 超额完成, 80 → 完成,
    60 → 基本完成), because the spec writes "≥ 95" and "< 60" and the ranges as "80–95", "60–80"."""
    if score >= 95:
        return GRADE_EXCEEDED
    if score >= 80:
        return GRADE_COMPLETED
    if score >= 60:
        return GRADE_BASIC
    return GRADE_FAILED


def target_missed(cum_reduction: float, target: float) -> bool:
    """An intensity target is missed when the cumulative reduction falls short of it (R < T, i.e. S < 1)."""
    return cum_reduction < target


def assess(
    period: Period,
    intensity_share: float,
    total_exceeds_cap: bool,
    measures_score: float | None,
    *,
    energy_target_missed: bool,
    carbon_target_missed: bool = False,
) -> Assessment:
    """Score and grade a region's period (§9), applying 一票否决.

    ``intensity_share`` is S of the intensity target being scored (the energy-intensity S; the
    caller may pass the carbon-intensity S for periods where that is the binding target). The
    veto applies when the energy-intensity target is missed, and for periods starting in 2026 or
    later also when the carbon-intensity target is missed. Without a measures score the result is
    the target part with status "pending review" and no grade (even when vetoed; ``vetoed`` says so).
    """
    if measures_score is not None and not 0 <= measures_score <= 60:
        raise ValueError(f"measures score {measures_score} outside 0–60")
    part = target_part(intensity_share, total_exceeds_cap)
    reasons: list[str] = []
    if energy_target_missed:
        reasons.append("energy-intensity target missed (一票否决)")
    if carbon_target_missed and period.first_year >= CARBON_VETO_FROM:
        reasons.append("carbon-intensity target missed (一票否决)")
    vetoed = bool(reasons)
    if measures_score is None:
        return Assessment(part, None, None, None, STATUS_PENDING, vetoed, tuple(reasons))
    score = part + float(measures_score)
    grade = GRADE_FAILED if vetoed else grade_for_score(score)
    return Assessment(part, float(measures_score), score, grade, STATUS_GRADED, vetoed, tuple(reasons))


# --------------------------------------------------------------------------------------------------
# §10 Carbon peak
# --------------------------------------------------------------------------------------------------

PEAK_HORIZON = 2060


@dataclass(frozen=True, slots=True)
class ObservedPeak:
    """The highest CO2 so far and whether it counts as a peak (§10)."""

    peak_year: int
    peak_value: float
    latest_year: int
    peaked: bool


def observed_peak(co2_by_year: Mapping[int, float]) -> ObservedPeak | None:
    """Year of the highest CO2 so far; ``peaked`` when it is at least two years before the latest
    year and every later year is lower. On equal maxima the latest such year is the peak (a
    plateau has not peaked until emissions fall below it). None without data."""
    if not co2_by_year:
        return None
    series = {int(y): float(v) for y, v in co2_by_year.items()}
    latest = max(series)
    top = max(series.values())
    peak_year = max(y for y, v in series.items() if v == top)
    later_lower = all(v < top for y, v in series.items() if y > peak_year)
    return ObservedPeak(peak_year, top, latest, peak_year <= latest - 2 and later_lower)


def required_decline(growth: float) -> float:
    """d* = 1 − 1/(1 + g): the carbon-intensity decline that keeps emissions flat at GDP growth g."""
    return 1 - 1 / (1 + growth)


def average_growth(rates: Sequence[float]) -> float:
    """Compound (geometric) average of yearly growth rates: (Π(1 + g_i))^(1/m) − 1 (年均增长)."""
    prod = 1.0
    for g in rates:
        prod *= 1 + float(g)
    return prod ** (1 / len(rates)) - 1


def average_reduction(rates: Sequence[float]) -> float:
    """Compound average of yearly reductions: 1 − (Π(1 − d_i))^(1/m)."""
    prod = 1.0
    for d in rates:
        prod *= 1 - float(d)
    return 1 - prod ** (1 / len(rates))


@dataclass(frozen=True, slots=True)
class PeakProjection:
    """Projected peak from the last five years' averages (§10). ``peak_year`` is None when
    emissions do not fall before the horizon; ``label`` is "now", the year, or "not before 2060"."""

    growth: float
    decline: float
    required_decline: float
    factor: float
    peak_year: int | None
    label: str


def project_emissions(co2: float, growth: float, decline: float, h: int) -> float:
    """CO2_{t+h} = CO2_t × ((1 + g)(1 − d))^h."""
    return co2 * ((1 + growth) * (1 - decline)) ** h


def project_peak(
    latest_year: int,
    gdp_growth: Sequence[float],
    intensity_reduction: Sequence[float],
    horizon: int = PEAK_HORIZON,
) -> PeakProjection:
    """Projected peak year (§10) from yearly real GDP growth rates (gdp_index/100 − 1) and yearly
    carbon-intensity reductions r_t (fractions); the last five of each are averaged
    geometrically. The yearly factor f = (1+g)(1−d) is constant, so emissions either stop
    growing now (f ≤ 1: "now") or grow every year up to the horizon ("not before 2060")."""
    if len(gdp_growth) < 5 or len(intensity_reduction) < 5:
        raise ValueError("the projection needs the last five years of growth and reductions")
    g = average_growth(gdp_growth[-5:])
    d = average_reduction(intensity_reduction[-5:])
    f = (1 + g) * (1 - d)
    if f <= 1:
        return PeakProjection(g, d, required_decline(g), f, latest_year, "now")
    # Emissions rise each year while f > 1: the last year before they fall lies beyond the horizon.
    return PeakProjection(g, d, required_decline(g), f, None, f"not before {horizon}")


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
