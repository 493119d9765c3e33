"""Reference implementation of methodology spec v1.1 (§2–§11): the yardstick.

The most direct way to do the portal's recompute: pandas reads the approved inputs, the targets
and the configuration (periods, rule sets, factor sets, grids) from the same PostgreSQL with a
few set-based queries, numpy computes every exchange metric for all regions at once (arrays of
regions × years; the only Python loops run over the three periods and their five years, never
over regions), and the results go back with one COPY into ``bench_reference_assessment``.

It is written from ``shared/spec/methodology.md`` and ``exchange.md`` alone and does not import
the portal's engine, so that agreement between the two means something. Before it is trusted
at national scale it must reproduce ``shared/spec/examples/worked_assessments.csv`` and
``worked_assessments_v11.csv`` to 1e-9 (``python bench/reference.py --check-example``).

Readings of the spec made here (each one is what the text says, stated so a reviewer can check):
- §2 a year that ends one period and is the base of the next is the last year of the period it
  ends when that period "can be computed", i.e. the region has an approved report for that
  period's base year; otherwise it is the base (k = 0) of the next period.
- §3 GDP is chained from the period's own base year; a missing or non-positive link makes the
  rest of the period's GDP absent. Non-positive GDP, intensities and CO2 intensities are refused
  (absent).
- §6 a year without a published grid factor takes the nearest published year's (on a tie the
  earlier year's); a region assigned to a non-default grid uses that grid's series.
- §5 the annual requirement is the year's annual target if one is set, else 1 − (1 − T)^(1/n).
- exchange.md: percentages (reductions, progress required, completion, non-fossil share and its
  required path, g, d, d*) are in percent; intensities and the target share S are plain numbers;
  warnings, the grade and the peak outlook are levels (text).
- §9 v1.1: the graded intensity is energy intensity in periods ending by 2025, carbon intensity
  after; score_target = max(0, 40 × min(1, max(0, S × n/k)) − 10 if X_t > 0), no deduction when
  X_t cannot be computed; missed = (k = n and R_n < T) or (k < n and the graded progress warning is
  red); the measures score is an input (none stored yet: every grade is pending review unless
  missed); score_measures is shown for k ≥ 1 when entered (0–60), even without a target part.
- §10 v1.1: the observed peak of year t is the latest year among t and the earlier years with CO2
  whose CO2 is the highest (on equal maxima the later year, so every later year is lower); peaked
  when that year ≤ t − 2. CO2 of earlier years uses the fuel factors of the period t is reported
  in. g needs gdp_index of t−4…t (all positive); d needs the exported r_i of CO2 intensity of
  t−4…t (absent for base years, k = 0); the peak figures exist for years with CO2, base years
  included.
- §11 v1.1: G at the prices of the period t is reported in, E = energy_total, CO2 of that
  period's factors; every input must be positive.

Run: ``python bench/reference.py [--json]`` (against ``BENCH_DATABASE_URL``), or
``python bench/reference.py --check-example``.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
#: The worked example: the shared spec next to the checkout, else the project's copy of it.
EXAMPLES = next(
    (
        d
        for d in (ROOT.parent / "shared" / "spec" / "examples", ROOT / "tests" / "monitoring" / "data")
        if d.is_dir()
    ),
    ROOT.parent / "shared" / "spec" / "examples",
)
TABLE = "bench_reference_assessment"

#: Inputs the formulas use (methodology §1); the other indicators only show that a report exists.
INPUTS = (
    "gdp_current",
    "gdp_index",
    "energy_total",
    "energy_coal",
    "energy_oil",
    "energy_gas",
    "energy_nonfossil",
    "renewable_power",
    "feedstock_energy",
    "electricity_net_import",
)
#: Text figures: warning levels, then the §9 grades, then the §10 peak outlooks (codes = positions).
LEVELS = np.array(
    [
        "red",
        "yellow",
        "green",
        "exceeded",
        "completed",
        "basically_completed",
        "not_completed",
        "pending_review",
        "peaked",
        "falling",
        "rising",
    ],
    dtype=object,
)
RED, YELLOW, GREEN = 0, 1, 2
EXCEEDED, COMPLETED, BASIC, NOT_COMPLETED, PENDING = 3, 4, 5, 6, 7
PEAKED, FALLING, RISING = 8, 9, 10
#: Periods ending by this year grade energy intensity, later ones carbon intensity (§9 v1.1).
ENERGY_GRADED_UNTIL = 2025
C_PER_CO2 = 44 / 12


@dataclass(frozen=True)
class PeriodRules:
    """A plan period with its rule set (§4) and fuel factors in tCO2/tce (§6)."""

    code: str
    base: int
    length: int
    ei_minus_feedstock: bool
    ei_minus_nonfossil: bool
    et_minus_feedstock: bool
    et_minus_nonfossil: bool
    et_minus_new_renewables: bool
    progress: str  # "geometric" | "linear"
    coal: float
    oil: float
    gas: float


@dataclass(frozen=True)
class Config:
    periods: tuple[PeriodRules, ...]
    grids: dict[str, dict[int, float]]  # grid code -> {year: kgCO2/kWh}
    default_grid: str
    region_grid: dict[int, str] = field(default_factory=dict)  # regions assigned to another grid


def default_config() -> Config:
    """The spec's defaults: R2016/R2022/R2024, the cn-eri factor set, the national grid (§4, §6)."""
    coal, oil, gas = (c * 44 / 12 for c in (0.7476, 0.5825, 0.4435))
    rules = {
        "R2016": (False, False, False, False, False),
        "R2022": (True, False, True, False, True),
        "R2024": (True, True, True, True, False),
    }
    periods = tuple(
        PeriodRules(code, base, 5, *rules[rule], "geometric", coal, oil, gas)
        for code, base, rule in (
            ("2016-2020", 2015, "R2016"),
            ("2021-2025", 2020, "R2022"),
            ("2026-2030", 2025, "R2024"),
        )
    )
    return Config(periods, {"national": {2021: 0.5568, 2022: 0.5366, 2023: 0.5306}}, "national")


# --------------------------------------------------------------------------------------------------
# Reading (PostgreSQL)
# --------------------------------------------------------------------------------------------------

VALUES_SQL = """
SELECT r.region_id, r.year, i.code, v.value
FROM (SELECT DISTINCT ON (region_id, year) id, region_id, year
      FROM reports_report WHERE status = 'approved'
      ORDER BY region_id, year, revision DESC) r
JOIN regions_region g ON g.id = r.region_id
JOIN reports_reportvalue v ON v.report_id = r.id
JOIN indicators_indicator i ON i.id = v.indicator_id
WHERE v.value IS NOT NULL
"""
TARGETS_SQL = """
SELECT t.region_id, p.code AS period, t.metric, t.year, t.value
FROM targets_regiontarget t JOIN targets_planperiod p ON p.id = t.period_id
"""


def _copy_out(cur, sql: str, dtypes: dict) -> pd.DataFrame:
    buffer = io.BytesIO()
    cur.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
    buffer.seek(0)
    return pd.read_csv(buffer, dtype=dtypes)


def read_config(cur) -> Config:
    """Periods with their rule sets and factor sets, the grids and the regions assigned to them."""
    cur.execute(
        """SELECT p.code, p.base_year, p.length, r.intensity_excludes_feedstock,
                  r.intensity_excludes_nonfossil, r.total_excludes_feedstock, r.total_excludes_nonfossil,
                  r.total_deducts_new_renewables, r.progress_method,
                  COALESCE(p.factor_set_id, (SELECT id FROM indicators_emissionfactorset WHERE is_default))
           FROM targets_planperiod p JOIN indicators_ruleset r ON r.id = p.rule_set_id
           ORDER BY p.base_year"""
    )
    periods_rows = cur.fetchall()
    cur.execute("SELECT factor_set_id, fuel, value, unit FROM indicators_fuelfactor")
    fuels: dict[int, dict[str, float]] = {}
    for set_id, fuel, value, unit in cur.fetchall():
        v = float(value)
        fuels.setdefault(set_id, {})[fuel] = v * 44 / 12 if unit == "tC/tce" else v
    periods = tuple(
        PeriodRules(
            code, base, length, *flags, progress, fuels[fs]["coal"], fuels[fs]["oil"], fuels[fs]["gas"]
        )
        for code, base, length, *flags, progress, fs in periods_rows
    )
    cur.execute(
        "SELECT g.code, f.year, f.value_kg_per_kwh FROM indicators_grid g "
        "JOIN indicators_gridfactor f ON f.grid_id = g.id"
    )
    grids: dict[str, dict[int, float]] = {}
    for code, year, value in cur.fetchall():
        grids.setdefault(code, {})[year] = float(value)
    cur.execute("SELECT code FROM indicators_grid WHERE is_default")
    default = cur.fetchone()[0]
    grids.setdefault(default, {})
    cur.execute(
        "SELECT m.region_id, g.code FROM indicators_grid_regions m "
        "JOIN indicators_grid g ON g.id = m.grid_id WHERE NOT g.is_default"
    )
    return Config(periods, grids, default, dict(cur.fetchall()))


def read_inputs(conn) -> tuple[pd.DataFrame, pd.DataFrame, Config]:
    with conn.cursor() as cur:
        values = _copy_out(cur, VALUES_SQL, {"region_id": "int64", "year": "int64", "code": "category"})
        targets = _copy_out(
            cur, TARGETS_SQL, {"region_id": "int64", "period": "str", "metric": "str", "year": "Int64"}
        )
        config = read_config(cur)
    return values, targets, config


# --------------------------------------------------------------------------------------------------
# Computation (vectorised over regions)
# --------------------------------------------------------------------------------------------------


def _grid_by_year(series: dict[int, float], years: np.ndarray) -> np.ndarray:
    """Factor per year: the published year's, else the nearest published year's (tie: earlier)."""
    if not series:
        return np.full(len(years), np.nan)
    published = np.array(sorted(series))
    factors = np.array([series[y] for y in published])
    distance = np.abs(years[:, None] - published[None, :])  # ties resolve to the earlier (first) year
    return factors[np.argmin(distance, axis=1)]


def _positive(a: np.ndarray) -> np.ndarray:
    """Non-positive GDP or intensity is refused: absent, never a number (issue 5, bad input)."""
    with np.errstate(invalid="ignore"):
        return np.where(a > 0, a, np.nan)


class _Out:
    """Collects result columns: (region positions, year, metric, values or warning codes)."""

    def __init__(self, region_ids: np.ndarray):
        self.region_ids = region_ids
        self.parts: list[tuple[np.ndarray, int, str, np.ndarray, bool]] = []

    def value(self, rows: np.ndarray, year: int, metric: str, values: np.ndarray) -> None:
        ok = np.isfinite(values)
        if ok.any():
            self.parts.append((rows[ok], year, metric, values[ok], False))

    def level(self, rows: np.ndarray, year: int, metric: str, codes: np.ndarray, ok: np.ndarray) -> None:
        if ok.any():
            self.parts.append((rows[ok], year, metric, codes[ok].astype(np.int8), True))

    def frame(self) -> pd.DataFrame:
        names = sorted({p[2] for p in self.parts})
        sizes = [len(p[0]) for p in self.parts]
        rows = np.concatenate([p[0] for p in self.parts]) if self.parts else np.zeros(0, dtype=int)
        is_level = np.repeat([p[4] for p in self.parts], sizes).astype(bool)
        raw = np.concatenate([p[3].astype(float) for p in self.parts]) if self.parts else np.zeros(0)
        level_code = np.where(is_level, raw, -1).astype(np.int8) + 1  # 0: a number, 1–3: red/yellow/green
        return pd.DataFrame(
            {
                "region_id": self.region_ids[rows],
                "year": np.repeat([p[1] for p in self.parts], sizes).astype(np.int64),
                "metric": pd.Categorical.from_codes(
                    np.repeat([names.index(p[2]) for p in self.parts], sizes).astype(np.int16), names
                ),
                "value": np.where(is_level, np.nan, raw),
                "level": pd.Categorical.from_codes(level_code, ["", *LEVELS]),
            }
        )


def _annual_warning(r: np.ndarray, requirement: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """629号: red if the intensity rose, yellow below the annual requirement, else green (§8)."""
    ok = np.isfinite(r) & np.isfinite(requirement)
    with np.errstate(invalid="ignore"):
        codes = np.where(r < 0, RED, np.where(r < requirement, YELLOW, GREEN))
    return codes, ok


def _progress_warning(cum: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """901号: green on track, yellow within 10 % of Q_k behind, else red (§8)."""
    ok = np.isfinite(cum) & np.isfinite(q)
    with np.errstate(invalid="ignore"):
        codes = np.where(cum >= q, GREEN, np.where(q - cum <= 0.10 * q, YELLOW, RED))
    return codes, ok


def _total_warning(excess: np.ndarray, increment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """901号 on the increment: green within the allowance, yellow up to 10 % of the allowed increment
    over it, red beyond — and red whenever the increment is not positive and X > 0 (§8)."""
    ok = np.isfinite(excess) & np.isfinite(increment)
    with np.errstate(invalid="ignore"):
        yellow = (increment > 0) & (excess <= 0.10 * increment)
        codes = np.where(excess <= 0, GREEN, np.where(yellow, YELLOW, RED))
    return codes, ok


def _log_mean(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """L(x, y) = (x − y)/(ln x − ln y), L(x, x) = x (and the mean where ln cannot tell them apart)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        denominator = np.log(x) - np.log(y)
        return np.where(x == y, x, np.where(denominator == 0, (x + y) / 2, (x - y) / denominator))


def _grade(missed: np.ndarray, total: np.ndarray) -> np.ndarray:
    """§9: not completed when missed; pending review without a total; else the total's band."""
    with np.errstate(invalid="ignore"):
        band = np.where(
            total >= 95,
            EXCEEDED,
            np.where(total >= 80, COMPLETED, np.where(total >= 60, BASIC, NOT_COMPLETED)),
        )
    return np.where(missed, NOT_COMPLETED, np.where(np.isnan(total), PENDING, band))


def compute(
    values: pd.DataFrame, targets: pd.DataFrame, config: Config, measures: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every exchange metric (exchange.md "Assessments") for every region and year with data.

    ``values``: region_id, year, code, value (approved values in force); ``targets``: region_id,
    period, metric, year, value; ``measures`` (optional): region_id, year, value — the §9 measures
    scores entered. Returns region_id, year, metric, value (NaN for text figures), level ('' for
    numbers); a figure that cannot be computed is absent.
    """
    region_ids = np.unique(values["region_id"].to_numpy())
    n_regions = len(region_ids)
    periods = config.periods
    y0 = min(int(values["year"].min()), min(p.base for p in periods))
    y1 = max(int(values["year"].max()), max(p.base + p.length for p in periods))
    years = np.arange(y0, y1 + 1)
    ri = np.searchsorted(region_ids, values["region_id"].to_numpy())
    yi = values["year"].to_numpy() - y0

    has_report = np.zeros((n_regions, len(years)), dtype=bool)
    has_report[ri, yi] = True
    x: dict[str, np.ndarray] = {}
    codes = values["code"].astype(str).to_numpy()
    raw = values["value"].to_numpy(dtype=float)
    for code in INPUTS:
        grid = np.full((n_regions, len(years)), np.nan)
        sel = codes == code
        grid[ri[sel], yi[sel]] = raw[sel]
        x[code] = grid

    # Grid factor per region and year (§6).
    grid_codes = sorted(config.grids)
    factors = np.stack([_grid_by_year(config.grids[g], years) for g in grid_codes])
    region_grid = np.full(n_regions, grid_codes.index(config.default_grid))
    if config.region_grid:
        assigned = pd.Series(config.region_grid)
        pos = np.searchsorted(region_ids, assigned.index.to_numpy())
        found = (pos < n_regions) & (region_ids[np.minimum(pos, n_regions - 1)] == assigned.index.to_numpy())
        region_grid[pos[found]] = [grid_codes.index(g) for g in assigned.to_numpy()[found]]
    ef_grid = factors[region_grid]  # regions × years

    # §9 measures scores per region-year (NaN: not entered; outside 0–60: refused).
    score_measures = np.full((n_regions, len(years)), np.nan)
    if measures is not None and len(measures):
        m_region = np.searchsorted(region_ids, measures["region_id"].to_numpy())
        m_year = measures["year"].to_numpy().astype(int) - y0
        m_ok = (
            (m_region < n_regions)
            & (region_ids[np.minimum(m_region, n_regions - 1)] == measures["region_id"].to_numpy())
            & (m_year >= 0)
            & (m_year < len(years))
        )
        score_measures[m_region[m_ok], m_year[m_ok]] = measures["value"].to_numpy(dtype=float)[m_ok]
    with np.errstate(invalid="ignore"):
        score_measures[~((score_measures >= 0) & (score_measures <= 60))] = np.nan

    # Targets as arrays per period: fractions for percentages, the cap in 10^4 tce.
    t_region = np.searchsorted(region_ids, targets["region_id"].to_numpy())
    t_known = (t_region < n_regions) & (
        region_ids[np.minimum(t_region, n_regions - 1)] == targets["region_id"].to_numpy()
    )
    tg = targets[t_known].assign(pos=t_region[t_known])
    tg_value = tg["value"].astype(float).to_numpy()

    def target(period: str, metric: str) -> np.ndarray:
        out = np.full(n_regions, np.nan)
        sel = ((tg["period"] == period) & (tg["metric"] == metric) & tg["year"].isna()).to_numpy()
        out[tg["pos"].to_numpy()[sel]] = tg_value[sel]
        return out

    def annual_target(period: str, metric: str) -> np.ndarray:
        out = np.full((n_regions, len(years)), np.nan)
        sel = ((tg["period"] == period) & (tg["metric"] == metric) & tg["year"].notna()).to_numpy()
        ty = tg["year"].to_numpy(dtype=float, na_value=np.nan)[sel].astype(int) - y0
        inside = (ty >= 0) & (ty < len(years))
        out[tg["pos"].to_numpy()[sel][inside], ty[inside]] = tg_value[sel][inside]
        return out

    # §2: the role of each region-year — (period index, k). Years inside a period are its year k;
    # a year that ends a period and starts the next is the ending period's year n when that period
    # can be computed (an approved report for its base year), else the next period's base.
    role_p = np.full((n_regions, len(years)), -1)
    role_k = np.full((n_regions, len(years)), -1)
    for pi, p in enumerate(periods):
        for k in range(1, p.length + 1):
            role_p[:, p.base + k - y0], role_k[:, p.base + k - y0] = pi, k
    for pi, p in enumerate(periods):
        j = p.base - y0
        unset = role_p[:, j] < 0
        ending = [qi for qi, q in enumerate(periods) if q.base + q.length == p.base]
        if ending:
            q = periods[ending[0]]
            unset |= ~has_report[:, q.base - y0]
        role_p[unset, j], role_k[unset, j] = pi, 0

    out = _Out(region_ids)
    # §10 non-fossil share: the same whatever the period, for every year with a role.
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(x["energy_total"] > 0, x["energy_nonfossil"] / x["energy_total"] * 100, np.nan)
    # §10 v1.1: each period's CO2 over every year (for the observed peak of the years it reports)
    # and the exported r_t of CO2 intensity (for d), filled as the periods are computed.
    co2_all = [
        x["energy_coal"] * p.coal
        + x["energy_oil"] * p.oil
        + x["energy_gas"] * p.gas
        + x["electricity_net_import"] * ef_grid * 10
        for p in periods
    ]
    ci_yoy = np.full((n_regions, len(years)), np.nan)

    for pi, p in enumerate(periods):
        n = p.length
        cols = p.base - y0 + np.arange(n + 1)
        v = {code: x[code][:, cols] for code in INPUTS}
        # §3 constant-price GDP at the base year's prices.
        gdp = np.empty((n_regions, n + 1))
        gdp[:, 0] = _positive(v["gdp_current"][:, 0])
        for k in range(1, n + 1):
            gdp[:, k] = _positive(gdp[:, k - 1] * v["gdp_index"][:, k] / 100)
        # §4 energy for intensity and for the total.
        e_int = v["energy_total"]
        if p.ei_minus_feedstock:
            e_int = e_int - v["feedstock_energy"]
        if p.ei_minus_nonfossil:
            e_int = e_int - v["energy_nonfossil"]
        e_tot = v["energy_total"]
        if p.et_minus_feedstock:
            e_tot = e_tot - v["feedstock_energy"]
        if p.et_minus_nonfossil:
            e_tot = e_tot - v["energy_nonfossil"]
        if p.et_minus_new_renewables:
            rp = v["renewable_power"]
            steps = np.maximum(0.0, rp[:, 1:] - rp[:, :-1])  # NaN propagates: a gap breaks D_t
            d = np.concatenate([np.zeros((n_regions, 1)), np.cumsum(steps, axis=1)], axis=1)
            e_tot = e_tot - d
        with np.errstate(invalid="ignore", divide="ignore"):
            intensity = _positive(e_int / gdp)
            # §6 CO2 (10^4 t) and carbon intensity.
            co2 = (
                v["energy_coal"] * p.coal
                + v["energy_oil"] * p.oil
                + v["energy_gas"] * p.gas
                + v["electricity_net_import"] * ef_grid[:, cols] * 10
            )
            carbon = _positive(co2 / gdp)
        t_e = target(p.code, "energy_intensity_reduction") / 100
        t_c = target(p.code, "co2_intensity_reduction") / 100
        t_e[~((t_e > 0) & (t_e < 1))] = np.nan
        t_c[~((t_c > 0) & (t_c < 1))] = np.nan
        cap = target(p.code, "energy_total_cap")
        annual_e = annual_target(p.code, "energy_intensity_reduction_annual")
        annual_c = annual_target(p.code, "co2_intensity_reduction_annual")
        t_nf = target(p.code, "nonfossil_share")
        graded = "energy_intensity" if p.base + p.length <= ENERGY_GRADED_UNTIL else "co2_intensity"

        for k in range(n + 1):
            t = p.base + k
            # A region-year without an approved report has no figures at all.
            here = (role_p[:, t - y0] == pi) & (role_k[:, t - y0] == k) & has_report[:, t - y0]
            rows = np.flatnonzero(here)
            if not len(rows):
                continue
            out.value(rows, t, "gdp_const", gdp[rows, k])
            out.value(rows, t, "energy_intensity", intensity[rows, k])
            out.value(rows, t, "energy_total_assessed", e_tot[rows, k])
            out.value(rows, t, "co2_emissions", co2[rows, k])
            out.value(rows, t, "co2_intensity", carbon[rows, k])
            out.value(rows, t, "nonfossil_share", share[rows, t - y0])
            if k == 0:
                continue  # the base year has levels only (exchange.md)
            with np.errstate(invalid="ignore", divide="ignore"):
                progress: dict[str, tuple[np.ndarray, ...]] = {}
                for name, series, goal, annual in (
                    ("energy_intensity", intensity, t_e, annual_e),
                    ("co2_intensity", carbon, t_c, annual_c),
                ):
                    s, goal_r = series[rows], goal[rows]
                    yoy = 1 - s[:, k] / s[:, k - 1]  # §5 r_t
                    cum = 1 - s[:, k] / s[:, 0]  # §5 R_t
                    q = goal_r * k / n if p.progress == "linear" else 1 - (1 - goal_r) ** (k / n)
                    completion = cum / q
                    target_share = np.log(1 - cum) / np.log(1 - goal_r)
                    annual_r = annual[rows, t - y0] / 100
                    requirement = np.where(np.isfinite(annual_r), annual_r, 1 - (1 - goal_r) ** (1 / n))
                    out.value(rows, t, f"{name}_reduction_yoy", yoy * 100)
                    out.value(rows, t, f"{name}_reduction_cum", cum * 100)
                    out.value(rows, t, f"{name}_progress_required", q * 100)
                    out.value(rows, t, f"{name}_completion", completion * 100)
                    out.value(rows, t, f"{name}_target_share", target_share)
                    out.level(rows, t, f"{name}_warning_annual", *_annual_warning(yoy, requirement))
                    out.level(rows, t, f"{name}_warning_progress", *_progress_warning(cum, q))
                    progress[name] = (cum, q, goal_r, target_share)
                    if name == "co2_intensity":
                        ci_yoy[rows, t - y0] = yoy
                # §7 total energy allowance and §8 its warning.
                base_total = e_tot[rows, 0]
                allowed = base_total + (cap[rows] - base_total) * k / n
                out.value(rows, t, "energy_total_allowed", allowed)
                out.level(
                    rows,
                    t,
                    "energy_total_warning",
                    *_total_warning(e_tot[rows, k] - allowed, allowed - base_total),
                )
                excess = e_tot[rows, k] - allowed  # NaN: the total cannot be assessed

                # §10 v1.1 non-fossil path from the base year's share to the period's target.
                s_b, goal_nf, s_t = share[rows, p.base - y0], t_nf[rows], share[rows, t - y0]
                required = s_b + (goal_nf - s_b) * k / n
                required_prev = s_b + (goal_nf - s_b) * (k - 1) / n
                out.value(rows, t, "nonfossil_share_required", required)
                out.level(
                    rows,
                    t,
                    "nonfossil_share_warning",
                    np.where(s_t >= required, GREEN, np.where(s_t >= required_prev, YELLOW, RED)),
                    np.isfinite(required) & np.isfinite(s_t),
                )

                # §11 v1.1 LMDI against the previous year and against the base year.
                c_all, g_all, e_all = _positive(co2[rows]), gdp[rows], _positive(v["energy_total"][rows])
                for s_k, suffix in ((k - 1, ""), (0, "_cum")):
                    c_s, c_t, g_s, g_t, e_s, e_t = (
                        c_all[:, s_k],
                        c_all[:, k],
                        g_all[:, s_k],
                        g_all[:, k],
                        e_all[:, s_k],
                        e_all[:, k],
                    )
                    # Absent, all three, when any of the six inputs is missing or not positive.
                    w = _log_mean(c_t, c_s)
                    inputs_ok = np.isfinite(g_s) & np.isfinite(g_t) & np.isfinite(e_s) & np.isfinite(e_t)
                    w = np.where(inputs_ok, w, np.nan)
                    out.value(rows, t, f"lmdi_activity{suffix}", w * np.log(g_t / g_s))
                    out.value(rows, t, f"lmdi_intensity{suffix}", w * np.log((e_t / g_t) / (e_s / g_s)))
                    out.value(rows, t, f"lmdi_carbon_factor{suffix}", w * np.log((c_t / e_t) / (c_s / e_s)))

                # §9 v1.1 score and grade of the graded intensity.
                cum, q, goal_r, s_share = progress[graded]
                part = 40.0 * np.minimum(1.0, np.maximum(0.0, s_share * n / k))
                part = np.maximum(0.0, np.where(excess > 0, part - 10.0, part))
                assessable = np.isfinite(s_share)
                out.value(rows, t, "score_target", np.where(assessable, part, np.nan))
                m = score_measures[rows, t - y0]
                out.value(rows, t, "score_measures", m)
                total = part + m
                out.value(rows, t, "score_total", np.where(assessable, total, np.nan))
                p_red = _progress_warning(cum, q)[0] == RED
                missed = (cum < goal_r) if k == n else p_red
                out.level(rows, t, "grade", _grade(missed, total), assessable)

    # §10 v1.1 observed peak, five-year averages g and d, d* and the outlook: every year with a
    # role and CO2 (base years included), once the r_t of every period are known.
    index = x["gdp_index"]
    for j, t in enumerate(years):
        t = int(t)
        for pi in range(len(periods)):
            c = co2_all[pi]
            rows = np.flatnonzero((role_p[:, j] == pi) & has_report[:, j] & np.isfinite(c[:, j]))
            if not len(rows):
                continue
            upto = c[rows, : j + 1]
            top = np.where(np.isnan(upto), -np.inf, upto).max(axis=1)
            last = j - np.argmax((upto == top[:, None])[:, ::-1], axis=1)  # the latest maximum
            peak_year = (y0 + last).astype(float)
            peaked = peak_year <= t - 2
            out.value(rows, t, "co2_peak_year", peak_year)
            out.value(rows, t, "co2_peaked", peaked.astype(float))
            with np.errstate(invalid="ignore", divide="ignore"):
                if j >= 4:
                    idx = index[rows, j - 4 : j + 1]
                    ok = np.all(idx > 0, axis=1)
                    g = np.where(ok, np.prod(idx / 100, axis=1) ** (1 / 5) - 1, np.nan)
                    d = 1 - np.prod(1 - ci_yoy[rows, j - 4 : j + 1], axis=1) ** (1 / 5)
                else:
                    g = d = np.full(len(rows), np.nan)
                d_star = 1 - 1 / (1 + g)
                outlook = np.where(peaked, PEAKED, np.where((1 + g) * (1 - d) <= 1, FALLING, RISING))
            out.value(rows, t, "gdp_growth_avg", g * 100)
            out.value(rows, t, "co2_intensity_reduction_avg", d * 100)
            out.value(rows, t, "co2_intensity_decline_required", d_star * 100)
            out.level(rows, t, "co2_peak_outlook", outlook, peaked | (np.isfinite(g) & np.isfinite(d)))
    return out.frame()


# --------------------------------------------------------------------------------------------------
# Writing (COPY) and the whole run
# --------------------------------------------------------------------------------------------------


def write(conn, results: pd.DataFrame) -> None:
    """Replace the reference table's content with one COPY (full precision: floats as repr)."""
    buffer = io.StringIO()
    results.to_csv(
        buffer,
        index=False,
        header=False,
        na_rep="\\N",
        columns=["region_id", "year", "metric", "value", "level"],
    )
    buffer.seek(0)
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cur.execute(
            f"""CREATE TABLE {TABLE} (
                    region_id bigint NOT NULL, year smallint NOT NULL, metric text NOT NULL,
                    value numeric, level text NOT NULL DEFAULT '')"""
        )
        cur.copy_expert(
            f"COPY {TABLE} (region_id, year, metric, value, level) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )
        # The natural key, built once after the load (a bulk load's usual order; it also proves
        # that no (region, year, metric) was produced twice).
        cur.execute(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (region_id, year, metric)")
    conn.commit()


def run(conn) -> dict:
    """Read, compute, write; the timings of each step and of the whole (seconds)."""
    t0 = time.perf_counter()
    values, targets, config = read_inputs(conn)
    t1 = time.perf_counter()
    results = compute(values, targets, config)
    t2 = time.perf_counter()
    write(conn, results)
    t3 = time.perf_counter()
    return {
        "read_s": t1 - t0,
        "compute_s": t2 - t1,
        "write_s": t3 - t2,
        "seconds": t3 - t0,
        "inputs": len(values),
        "results": len(results),
    }


# --------------------------------------------------------------------------------------------------
# The worked example (spec §14)
# --------------------------------------------------------------------------------------------------


def worked_example(directory: Path = EXAMPLES) -> tuple[int, list[str]]:
    """Compute the worked example and compare it with worked_assessments.csv (1e-9 relative).

    Returns the number of figures compared and the list of disagreements (empty when it matches).
    """
    raw = pd.read_csv(directory / "worked_values.csv", dtype={"region_code": str})
    values = pd.DataFrame(
        {
            "region_id": raw["region_code"].astype(int),
            "year": raw["year"],
            "code": raw["indicator"],
            "value": raw["value"],
        }
    )
    tgt = pd.read_csv(directory / "worked_targets.csv", dtype={"region_code": str, "year": "Int64"})
    targets = pd.DataFrame(
        {
            "region_id": tgt["region_code"].astype(int),
            "period": tgt["period"],
            "metric": tgt["metric"],
            "year": tgt["year"],
            "value": tgt["value"],
        }
    )
    got = compute(values, targets, default_config())
    want = pd.concat(
        [
            pd.read_csv(directory / name, dtype={"region_code": str, "value": str})
            for name in ("worked_assessments.csv", "worked_assessments_v11.csv")
        ]
    )
    got_map = {
        (int(r.region_id), int(r.year), str(r.metric)): (r.level or float(r.value)) for r in got.itertuples()
    }
    problems = []
    want_map = {(int(r.region_code), int(r.year), r.metric): r.value for r in want.itertuples()}
    for key in sorted(set(got_map) - set(want_map)):
        problems.append(f"{key}: computed {got_map[key]!r} but not in the example")
    for key, expected in sorted(want_map.items()):
        if key not in got_map:
            problems.append(f"{key}: expected {expected} but not computed")
            continue
        value = got_map[key]
        if isinstance(value, str) or expected in set(LEVELS):
            if value != expected:
                problems.append(f"{key}: {value!r} != {expected!r}")
        elif not math.isclose(value, float(expected), rel_tol=1e-9, abs_tol=0.0):
            problems.append(f"{key}: {value!r} != {expected} (rel {abs(value / float(expected) - 1):.2e})")
    return len(want_map), problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-example", action="store_true", help="only check the worked example")
    parser.add_argument("--json", action="store_true", help="print the timings as JSON")
    args = parser.parse_args(argv)
    if args.check_example:
        count, problems = worked_example()
        print(f"worked example ({EXAMPLES}): {count} figures, {len(problems)} disagreement(s)")
        for line in problems:
            print("  " + line)
        return 1 if problems else 0
    import psycopg2

    from bench.common import dsn

    with psycopg2.connect(dsn()) as conn:
        timings = run(conn)
    timings["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(timings) if args.json else timings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
