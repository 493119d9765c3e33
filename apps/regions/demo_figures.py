"""Made-up annual figures of every Jiangxi region, 2015 to last year, for the demo data only.

Pure (no database): the reports demo stores these values as approved reports, and the targets
demo derives each region's targets from the same simulated trajectories, so that the warnings
of the dashboards spread over green, yellow and red instead of being nearly all red.

How the figures are made (deterministic: every random number is a hash of the region code):
- each county gets a size, an energy intensity, a fuel mix, a feedstock share, a net
  electricity import and a growth path; its intensity falls each plan period by a cumulative
  reduction around the province's, with shocks shared by the province (a bad year), its city
  and its own, so some years rise;
- a city's and the province's figures are the sums of their children's (the real GDP index
  chained from the children's GDP), so the hierarchy checks (§12) find no discrepancy;
- the values respect the report validation rules: fuels add up to the total, renewable power
  within non-fossil energy, feedstock within fossil energy, every year-on-year change within the
  catalog's default bounds (apps/indicators/catalog.py CHANGE_BOUNDS: a county's GDP growth
  near its city's, forest stock +2.5 % a year with coverage rising, …).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

D = Decimal
FIRST_YEAR = 2015

# Province-wide real GDP growth (percent) and the shock to the intensity reduction (percentage
# points, negative: a bad year) of each year; roughly Jiangxi's record (2020: the pandemic).
GDP_GROWTH = {
    2016: 9.0, 2017: 8.9, 2018: 8.7, 2019: 8.0, 2020: 3.8, 2021: 8.8,
    2022: 4.7, 2023: 4.1, 2024: 5.1, 2025: 5.3, 2026: 5.0, 2027: 5.0,
}  # fmt: skip
INFLATION = {2016: 2.0, 2017: 2.5, 2018: 3.0, 2019: 2.4, 2020: 1.5, 2021: 3.5, 2022: 1.2, 2023: 0.3}
INTENSITY_SHOCK = {
    2016: 0.8, 2017: 0.5, 2018: -0.5, 2019: 0.6, 2020: -2.5, 2021: -2.0,
    2022: 1.5, 2023: -0.5, 2024: 0.5, 2025: 0.5, 2026: 0.0, 2027: 0.0,
}  # fmt: skip
# The province's energy-intensity reduction target per period (percent; 14 % is the published
# 2021–2025 one) and the CO2-intensity target's margin above it (percentage points).
PROVINCE_TARGET = {2015: 16.0, 2020: 14.0, 2025: 13.5}
CO2_MARGIN = {2015: 4.0, 2020: 5.0, 2025: 4.5}
WEAKER = {("360500", 2020)}  # Xinyu 2021–2025: one point below the province (a decomposition flag)

# Emission factors of the default factor set (methodology §6) to derive CO2-intensity targets.
EF = {"energy_coal": 2.7412, "energy_oil": 2.135833, "energy_gas": 1.626167}
GRID = {2021: 0.5568, 2022: 0.5366, 2023: 0.5306}


def fraction(code: str, salt: str) -> float:
    """A stable pseudo-random number in [0, 1) from a region code (the same demo every run)."""
    digest = hashlib.sha256(f"{code}:{salt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def between(code: str, salt: str, low: float, high: float) -> float:
    return low + (high - low) * fraction(code, salt)


def q(value: float | Decimal, places: str = "0.01") -> Decimal:
    return D(str(value)).quantize(D(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Node:
    code: str
    level: str  # province / city / county
    parent: str | None


def _half(value: float) -> float:
    return round(value * 2) / 2


def intensity_targets(nodes: Iterable[Node]) -> dict[tuple[str, int], float]:
    """{(region code, base year): energy-intensity reduction target (percent)}, decomposed top
    down as a province does: a city asks at least as much as the province, a county at least as
    much as its city (except the WEAKER ones)."""
    parents = {n.code: n.parent for n in nodes}
    targets: dict[tuple[str, int], float] = {}

    def target(code: str, base: int) -> float:
        if (code, base) not in targets:
            parent = parents.get(code)
            if parent is None:
                value = PROVINCE_TARGET[base]
            elif (code, base) in WEAKER:
                value = target(parent, base) - 1
            else:
                value = target(parent, base) + _half(between(code, f"target{base}", 0.0, 1.6))
            targets[(code, base)] = value
        return targets[(code, base)]

    for node in nodes:
        for base in PROVINCE_TARGET:
            target(node.code, base)
    return targets


def _reductions(code: str, city: str, years: list[int], base: int, target: float) -> dict[int, float]:
    """Annual intensity reductions (fractions) of a county over a period's years: their product
    is the county's cumulative reduction — its target times a performance that puts some
    counties (and, through a factor shared by a city's counties, some cities) ahead of their
    target and some behind; the year shocks move the path, not where the period ends."""
    performance = between(city, f"performance{base}", 0.84, 1.08) * between(
        code, f"performance{base}", 0.86, 1.18
    )
    total = target / 100 * performance
    mean = 1 - (1 - total) ** (1 / 5)
    noise = {
        y: INTENSITY_SHOCK.get(y, 0.0) / 100
        + between(city, f"shock{y}", -0.035, 0.035)
        + between(code, f"noise{y}", -0.045, 0.045)
        for y in years
    }
    # Centre the noise over the whole period (also the years not yet reported), so the
    # period's cumulative reduction is the county's whatever the shocks.
    offset = sum(noise.values()) / len(noise)
    return {y: mean + noise[y] - offset for y in years}


def _county_series(
    code: str, city: str, last_year: int, targets: dict[tuple[str, int], float]
) -> dict[int, dict[str, Decimal]]:
    years = range(FIRST_YEAR, last_year + 1)
    size = math.exp(between(code, "size", -1.1, 1.0))  # GDP 2015 ≈ 60–450 (10^8 yuan)
    gdp = 140 * size * between(city, "city-size", 0.7, 1.4)
    intensity = 0.55 * math.exp(between(code, "intensity", -0.55, 0.6))  # tce per 10^4 yuan
    growth_offset = between(code, "growth", -1.5, 1.5) + between(city, "growth", -0.8, 0.8)
    nonfossil = between(city, "nf", 0.08, 0.16) + between(code, "nf", -0.025, 0.025)
    nonfossil_step = between(city, "nf-step", 0.005, 0.01) + between(code, "nf-step", -0.002, 0.002)
    gas = between(code, "gas", 0.015, 0.05)
    gas_step = between(code, "gas-step", 0.0015, 0.005)
    oil = between(code, "oil", 0.10, 0.20)
    feedstock = between(code, "feedstock", 0.005, 0.07)
    renewable = between(code, "renewable", 0.55, 0.8)
    net_import = between(code, "import", -0.03, 0.06)  # 10^8 kWh per 10^4 tce
    forest = between(code, "forest", 45, 78)
    stock = 60 * size * between(code, "stock", 0.5, 2.5)
    nev = between(code, "nev", -4, 4)
    reductions: dict[int, float] = {}
    for base in PROVINCE_TARGET:
        years_of = list(range(base + 1, base + 6))
        reductions |= _reductions(code, city, years_of, base, targets[(code, base)])

    series: dict[int, dict[str, Decimal]] = {}
    gdp_current = q(gdp)
    const = float(gdp_current)  # GDP at 2015 prices (the intensity path ignores price bases)
    for year in years:
        k = year - FIRST_YEAR
        if year > FIRST_YEAR:
            real = GDP_GROWTH[year] + growth_offset + between(code, f"g{year}", -1.0, 1.0)
            index = q(100 + real, "0.1")
            const *= float(index) / 100
            deflator = 1 + (INFLATION.get(year, 0.5) + between(code, f"p{year}", -0.8, 0.8)) / 100
            gdp_current = q(float(gdp_current) * float(index) / 100 * deflator)
            intensity *= 1 - reductions[year]
        else:
            index = q(100 + 8.5 + growth_offset, "0.1")
        total = q(intensity * const)
        nf = q(
            float(total)
            * min(0.6, nonfossil + nonfossil_step * k + between(code, f"nf{year}", -0.004, 0.004))
        )
        gas_v = q(float(total) * (gas + gas_step * k))
        oil_v = q(float(total) * (oil + 0.001 * k))
        coal = total - nf - gas_v - oil_v
        series[year] = {
            "gdp_current": gdp_current,
            "gdp_index": index,
            "energy_total": total,
            "energy_coal": coal,
            "energy_oil": oil_v,
            "energy_gas": gas_v,
            "energy_nonfossil": nf,
            "renewable_power": q(float(nf) * min(0.95, renewable + 0.012 * k)),
            "feedstock_energy": q(float(total) * feedstock),
            "electricity_net_import": q(float(total) * net_import * (1 + 0.03 * k)),
            "forest_coverage": q(min(85.0, forest + 0.15 * k), "0.1"),
            "forest_stock": q(stock * 1.025**k, "0.1"),  # tenths: whole units of a small stock jump > 5 %
            "nev_share": q(max(0.1, _nev(year) + nev * min(1, k / 6)), "0.1"),
        }
    return series


def _nev(year: int) -> float:
    """New-energy vehicles' share of new-car sales (percent), the province's path."""
    return {2015: 0.6, 2016: 1.0, 2017: 1.8, 2018: 3.0, 2019: 3.5, 2020: 5.5, 2021: 13, 2022: 24}.get(
        year, 24 + 6 * (year - 2022)
    )


SUMMED = (
    "gdp_current", "energy_total", "energy_coal", "energy_oil", "energy_gas", "energy_nonfossil",
    "renewable_power", "feedstock_energy", "electricity_net_import", "forest_stock",
)  # fmt: skip


def _aggregate(children: list[dict[int, dict[str, Decimal]]]) -> dict[int, dict[str, Decimal]]:
    """A parent's figures: its children's sums; the real GDP index chained from theirs."""
    series: dict[int, dict[str, Decimal]] = {}
    for year in children[0]:
        row = {f: sum((c[year][f] for c in children), D(0)) for f in SUMMED}
        if year - 1 in children[0]:
            before = sum(c[year - 1]["gdp_current"] for c in children)
            real = sum(c[year - 1]["gdp_current"] * c[year]["gdp_index"] / 100 for c in children)
            row["gdp_index"] = q(100 * real / before, "0.1")
        else:
            weights = sum(c[year]["gdp_current"] for c in children)
            row["gdp_index"] = q(
                sum(c[year]["gdp_current"] * c[year]["gdp_index"] for c in children) / weights, "0.1"
            )
        for f in ("forest_coverage", "nev_share"):
            row[f] = q(sum(c[year][f] for c in children) / len(children), "0.1")
        series[year] = row
    return series


@lru_cache(maxsize=4)
def _figures(nodes: tuple[Node, ...], last_year: int) -> dict[str, dict[int, dict[str, Decimal]]]:
    by_parent: dict[str | None, list[Node]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent, []).append(node)
    figures: dict[str, dict[int, dict[str, Decimal]]] = {}
    targets = intensity_targets(nodes)

    def build(node: Node) -> dict[int, dict[str, Decimal]]:
        kids = by_parent.get(node.code, [])
        if kids:
            figures[node.code] = _aggregate([build(k) for k in kids])
        else:
            figures[node.code] = _county_series(node.code, node.parent or node.code, last_year, targets)
        return figures[node.code]

    for root in by_parent.get(None, []):
        build(root)
    return figures


def figures(nodes: Iterable[Node], last_year: int) -> dict[str, dict[int, dict[str, Decimal]]]:
    """{region code: {year: {indicator code: value}}} for FIRST_YEAR…last_year (cached)."""
    return _figures(tuple(sorted(nodes, key=lambda n: n.code)), last_year)


# ---- what a period achieved (to set targets near each region's own trajectory) ---------------


def co2(row: dict[str, Decimal], year: int) -> float:
    """Emissions (10^4 t) by methodology §6 with the default factors."""
    grid = GRID.get(year, GRID[min(GRID, key=lambda y: abs(y - year))])
    fossil = sum(float(row[f]) * ef for f, ef in EF.items())
    return fossil + float(row["electricity_net_import"]) * grid * 10


def energy_for_intensity(row: dict[str, Decimal], base: int) -> float:
    """E^I of the period's default rule set (§4): R2016, R2022, R2024."""
    total = float(row["energy_total"])
    if base == 2015:
        return total
    if base == 2020:
        return total - float(row["feedstock_energy"])
    return total - float(row["feedstock_energy"]) - float(row["energy_nonfossil"])


def assessed_total(series: dict[int, dict[str, Decimal]], base: int, year: int) -> float:
    """E^T of the period's default rule set (§4), with R2022's renewable-power deduction."""
    row = series[year]
    if base == 2015:
        return float(row["energy_total"])
    if base == 2020:
        deduction = sum(
            max(0.0, float(series[i]["renewable_power"] - series[i - 1]["renewable_power"]))
            for i in range(base + 1, year + 1)
        )
        return float(row["energy_total"] - row["feedstock_energy"]) - deduction
    return energy_for_intensity(row, base)


def real_gdp(series: dict[int, dict[str, Decimal]], base: int, year: int) -> float:
    """GDP of `year` at the prices of `base` (§3)."""
    value = float(series[base]["gdp_current"])
    for i in range(base + 1, year + 1):
        value *= float(series[i]["gdp_index"]) / 100
    return value


@dataclass(frozen=True)
class Achieved:
    """What a region's trajectory achieved over a period (up to its last year with figures)."""

    energy_reduction: float  # percent, cumulative since the base year
    co2_reduction: float
    years: int  # k of the last year with figures (0: only the base year)
    nonfossil_base: float  # percent
    nonfossil_last: float
    total_base: float  # E^T_b
    total_last: float


def achieved(series: dict[int, dict[str, Decimal]], base: int) -> Achieved:
    last = max(y for y in series if y <= base + 5)
    g_b, g_t = real_gdp(series, base, base), real_gdp(series, base, last)
    b, t = series[base], series[last]
    energy = 1 - (energy_for_intensity(t, base) / g_t) / (energy_for_intensity(b, base) / g_b)
    carbon = 1 - (co2(t, last) / g_t) / (co2(b, base) / g_b)

    def share(row):
        return 100 * float(row["energy_nonfossil"]) / float(row["energy_total"])

    return Achieved(
        100 * energy,
        100 * carbon,
        last - base,
        share(b),
        share(t),
        assessed_total(series, base, base),
        assessed_total(series, base, last),
    )
