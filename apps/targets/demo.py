"""Demo targets of every Jiangxi region for the three plan periods (2016–2020, 2021–2025, 2026–2030).

Only two figures are published ones: the province's energy-intensity reduction of 14 % and its
non-fossil share of 18.3 % in 2025 (Jiangxi 14th FYP outline). Everything else is made up for
the demo and says so in its note. Each region's targets are set near what its own simulated
trajectory (apps/regions/demo_figures.py, the figures the reports demo approves) achieves over
the period: some regions a little ahead of their targets, some a little behind, so the warnings
spread over green, yellow and red. Targets are decomposed top-down as a province does: a city
asks at least as much as the province, a county at least as much as its city — except Xinyu
(360500) in 2021–2025, deliberately weaker than the province, so the decomposition page shows
its flag. Caps sit above the base year's assessed total by about the increase the region used.
Idempotent: unchanged targets are kept.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from apps.regions import demo_figures as sim
from apps.regions.models import Region, RegionLevel

from .models import PlanPeriod, RegionTarget, TargetMetric

PUBLISHED = "江西省“十四五”规划纲要公布目标 / published in Jiangxi's 14th FYP outline"
DEMO = "演示数据（虚构） / demo figure, made up"
REASON = "demo data (seed_demo)"

EI, CI, CAP, NF = (
    TargetMetric.ENERGY_INTENSITY_REDUCTION,
    TargetMetric.CO2_INTENSITY_REDUCTION,
    TargetMetric.ENERGY_TOTAL_CAP,
    TargetMetric.NONFOSSIL_SHARE,
)
EI_ANNUAL = TargetMetric.ENERGY_INTENSITY_REDUCTION_ANNUAL
PUBLISHED_TARGETS = {("360000", 2020, EI): Decimal("14"), ("360000", 2020, NF): Decimal("18.3")}


def demo_nodes() -> list[sim.Node]:
    """The Jiangxi regions as the simulator's nodes."""
    rows = Region.objects.filter(path__startswith="360000/").values_list("code", "level", "parent__code")
    return [
        sim.Node(code, level, parent if level != RegionLevel.PROVINCE else None)
        for code, level, parent in rows
    ]


def _own(code: str, base: int, series) -> dict[str, Decimal]:
    """A region's cap and non-fossil target from its own trajectory: near what it achieves,
    scattered either side (the intensity targets come from the decomposition, see the simulator)."""
    f = lambda salt, lo, hi: sim.between(code, f"{salt}{base}", lo, hi)  # noqa: E731
    if base + 5 <= max(series):  # a period whose figures exist
        done = sim.achieved(series, base)
        nf_base, nf_gain = done.nonfossil_base, done.nonfossil_last - done.nonfossil_base
        t_base, t_gain = done.total_base, done.total_last - done.total_base
    else:  # the period ahead: as the one before went
        done = sim.achieved(series, base - 5)
        nf_base, nf_gain = done.nonfossil_last, done.nonfossil_last - done.nonfossil_base
        t_base = sim.assessed_total(series, base, base)
        t_gain = t_base * f("growth", 0.05, 0.15)
    cap = t_base + t_gain * f("cap", 0.88, 1.38) if t_gain > 0 else t_base * f("cap", 1.0, 1.03)
    nf = nf_base + max(0.5, nf_gain * f("nf", 0.55, 1.15))
    return {
        CAP: Decimal(str(cap)).quantize(Decimal(1), rounding=ROUND_HALF_UP),
        NF: Decimal(str(nf)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
    }


def demo_targets(nodes: list[sim.Node], last_year: int) -> dict[tuple[str, str, str, int | None], Decimal]:
    """{(region code, period code, metric, year): value} for every region and period (pure)."""
    figures = sim.figures(nodes, last_year)
    intensity = sim.intensity_targets(nodes)
    parents = {n.code: n.parent for n in nodes}
    targets: dict[tuple[str, str, str, int | None], Decimal] = {}
    for base in sim.PROVINCE_TARGET:
        period = f"{base + 1}-{base + 5}"
        for node in sorted(nodes, key=lambda n: len(n.code.rstrip("0"))):  # parents first
            code = node.code
            values = _own(code, base, figures[code])
            values[EI] = Decimal(str(intensity[(code, base)]))
            values[CI] = values[EI] + Decimal(str(sim.CO2_MARGIN[base]))
            if (code, base, NF) in PUBLISHED_TARGETS:
                values[NF] = PUBLISHED_TARGETS[(code, base, NF)]
            elif node.parent is not None:  # a sub-region asks at least as much as its parent
                values[NF] = max(values[NF], targets[(parents[code], period, NF, None)])
            for metric, value in values.items():
                targets[(code, period, metric, None)] = value
        # The province's cap below the sum of its cities' (informational on the decomposition page).
        cities = sum(targets[(n.code, period, CAP, None)] for n in nodes if n.level == RegionLevel.CITY)
        key = ("360000", period, CAP, None)
        if key in targets and cities:
            targets[key] = min(targets[key], (cities * Decimal("0.97")).quantize(Decimal(1)))
    if ("360100", "2021-2025", EI, None) in targets:
        targets[("360100", "2021-2025", EI_ANNUAL, 2022)] = Decimal("3.2")  # one annual target
    return targets


def seed(stdout) -> None:
    nodes = demo_nodes()
    if not nodes:
        return
    wanted = demo_targets(nodes, timezone.localdate().year - 1)
    periods = {p.code: p for p in PlanPeriod.objects.all()}
    regions = {r.code: r for r in Region.objects.filter(path__startswith="360000/")}
    existing = {
        (t.region.code, t.period.code, t.metric, t.year): t
        for t in RegionTarget.objects.select_related("region", "period").filter(region__in=regions.values())
    }
    new, updated, kept = [], 0, 0
    for key, value in wanted.items():
        code, period_code, metric, year = key
        if period_code not in periods:
            continue
        note = PUBLISHED if (code, periods[period_code].base_year, metric) in PUBLISHED_TARGETS else DEMO
        target = existing.get(key)
        if target is not None and target.value == value and target.note == note:
            kept += 1
            continue
        if target is None:
            target = RegionTarget(region=regions[code], period=periods[period_code], metric=metric, year=year)
        target.value, target.note = value, note
        # The foreign keys are the rows just read: no need to query them again per target.
        target.full_clean(
            exclude=["region", "period", "updated_by"], validate_unique=False, validate_constraints=False
        )
        if target.pk is None:
            new.append(target)
        else:
            target._change_reason = REASON
            target.save()
            updated += 1
    bulk_create_with_history(new, RegionTarget, batch_size=500, default_change_reason=REASON)
    stdout.write(f"  demo targets: {len(new)} created, {updated} updated, {kept} kept")
