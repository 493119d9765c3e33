"""Reads of plan periods and region targets shared by the UI, the API and exports.

Plan periods are reference data: everyone signed in reads them (`Action.READ_REFERENCE`).
Region targets are read with `Action.READ_TARGETS` (roles.md v1.1: region and department staff
read the targets of their subtree and of the regions above it, congress members their subtree,
provincial officials all); who may *set* them is `Action.SET_TARGETS`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core import history
from apps.regions.models import Region, RegionLevel
from apps.regions.selectors import by_code

from .models import ANNUAL_METRICS, PlanPeriod, RegionTarget, TargetMetric

# A child's target is weaker than its parent's when it asks for less: a smaller reduction
# or a smaller non-fossil share. Caps are compared as a sum (informational, see `Decomposition`).
AT_LEAST_PARENT = frozenset(
    {
        TargetMetric.ENERGY_INTENSITY_REDUCTION,
        TargetMetric.CO2_INTENSITY_REDUCTION,
        TargetMetric.NONFOSSIL_SHARE,
        TargetMetric.ENERGY_INTENSITY_REDUCTION_ANNUAL,
        TargetMetric.CO2_INTENSITY_REDUCTION_ANNUAL,
    }
)


def periods(user) -> QuerySet[PlanPeriod]:
    """Plan periods, each with `target_count`: the number of its targets `user` may read."""
    if scoping.scope_of(user, Action.READ_REFERENCE) is None:
        return PlanPeriod.objects.none()
    if scoping.is_admin(user):
        count = Count("targets")
    else:
        count = Count("targets", filter=Q(targets__region__in=readable_regions(user)))
    return PlanPeriod.objects.select_related("rule_set", "factor_set").annotate(target_count=count)


def readable_targets(user) -> QuerySet[RegionTarget]:
    """Every target `user` may read (`Action.READ_TARGETS`)."""
    return scoping.restrict(RegionTarget.objects.all(), user, Action.READ_TARGETS)


def readable_regions(user) -> QuerySet[Region]:
    """Regions whose targets `user` may read."""
    return scoping.regions_for(user, Action.READ_TARGETS)


def targets(
    user,
    *,
    region: str = "",
    within: str = "",
    period: str = "",
    metric: str = "",
    year: int | None = None,
) -> QuerySet[RegionTarget]:
    """Targets by region code (exact, or `within` a region's subtree), period code, metric and year."""
    qs = RegionTarget.objects.select_related("region", "period", "updated_by")
    if region:
        qs = qs.filter(region__code=region)
    if within:
        root = by_code(within)
        qs = qs.filter(region__path__startswith=root.path) if root else qs.none()
    if period:
        qs = qs.filter(period__code=period)
    if metric:
        qs = qs.filter(metric=metric)
    if year is not None:
        qs = qs.filter(year=year)
    qs = scoping.restrict(qs, user, Action.READ_TARGETS)
    return qs.order_by("region__path", "period__base_year", "metric", "year")


def settable_regions(user) -> QuerySet[Region]:
    """Regions whose targets `user` may set (province and cities for provincial officials, …)."""
    return scoping.regions_for(user, Action.SET_TARGETS).order_by("path")


def parent_regions(user) -> QuerySet[Region]:
    """Regions that have children, i.e. whose targets can be decomposed, among those whose
    targets `user` may read."""
    return readable_regions(user).filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]).order_by("path")


def default_parent(user) -> Region | None:
    """The user's own region, or a county user's city (when readable), else the first readable one."""
    parents = parent_regions(user)
    region = getattr(user, "region", None)
    if region is not None:
        own = region if region.level != RegionLevel.COUNTY else region.parent
        if own is not None and parents.filter(pk=own.pk).exists():
            return own
    return parents.first()


def default_period(region: Region | None) -> PlanPeriod | None:
    """The latest period with targets for `region`, else the period covering this year."""
    if region is not None:
        latest = PlanPeriod.objects.filter(targets__region=region).order_by("-base_year").first()
        if latest is not None:
            return latest
    year = timezone.localdate().year
    return (
        PlanPeriod.objects.filter(base_year__lt=year).order_by("-base_year").first()
        or PlanPeriod.objects.first()
    )


# --- decomposition -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    metric: str
    year: int | None

    @property
    def label(self) -> str:
        label = str(TargetMetric(self.metric).label)
        return f"{label} {self.year}" if self.year else label

    @property
    def compared(self) -> bool:
        return self.metric in AT_LEAST_PARENT


@dataclass
class Cell:
    target: RegionTarget | None
    weaker: bool = False

    @property
    def value(self) -> Decimal | None:
        return self.target.value if self.target else None


@dataclass
class Row:
    region: Region
    cells: list[Cell]

    @property
    def weaker_count(self) -> int:
        return sum(c.weaker for c in self.cells)


@dataclass
class Decomposition:
    """A parent region's targets for a period beside its children's.

    `weaker` flags a child's reduction or non-fossil-share target below the parent's.
    `cap_sum_exceeds` is informational only: each level's statistics are compiled
    separately, so the children's energy totals need not add up to the parent's.
    """

    parent: Region
    period: PlanPeriod
    columns: list[Column]
    parent_row: Row
    rows: list[Row]
    cap_parent: Decimal | None = None
    cap_sum: Decimal | None = None
    cap_children_missing: list[Region] = field(default_factory=list)
    hidden_children: int = 0  # sub-regions whose targets the user may not read: no row, no cap sum

    @property
    def cap_sum_exceeds(self) -> bool:
        return self.cap_parent is not None and self.cap_sum is not None and self.cap_sum > self.cap_parent

    @property
    def weaker_count(self) -> int:
        return sum(r.weaker_count for r in self.rows)


def decomposition(user, parent: Region, period: PlanPeriod) -> Decomposition:
    """Compare the children's targets with the parent's (three queries).

    Only sub-regions whose targets `user` may read get a row; when some may not be read, the
    sum of the children's caps is left out too (it would disclose their targets).
    """
    all_children = list(Region.objects.filter(parent=parent).order_by("path"))
    readable = set(readable_regions(user).filter(parent=parent).values_list("pk", flat=True))
    children = [c for c in all_children if c.pk in readable]
    by_region: dict[int, dict[tuple[str, int | None], RegionTarget]] = defaultdict(dict)
    for t in (
        readable_targets(user)
        .filter(period=period, region__in=[parent, *children])
        .select_related("updated_by")
    ):
        by_region[t.region_id][(t.metric, t.year)] = t
    annual_years: dict[str, set[int]] = defaultdict(set)
    for targets_of_region in by_region.values():
        for metric, year in targets_of_region:
            if metric in ANNUAL_METRICS and year is not None:
                annual_years[metric].add(year)
    columns = []
    for metric in TargetMetric:
        if metric in ANNUAL_METRICS:
            columns.extend(Column(metric.value, y) for y in sorted(annual_years[metric]))
        else:
            columns.append(Column(metric.value, None))
    own = by_region.get(parent.pk, {})
    parent_row = Row(parent, [Cell(own.get((c.metric, c.year))) for c in columns])
    rows = []
    for child in children:
        mine = by_region.get(child.pk, {})
        cells = []
        for column, parent_cell in zip(columns, parent_row.cells, strict=True):
            target = mine.get((column.metric, column.year))
            weaker = bool(
                column.compared
                and target is not None
                and parent_cell.target is not None
                and target.value < parent_cell.target.value
            )
            cells.append(Cell(target, weaker))
        rows.append(Row(child, cells))
    cap = TargetMetric.ENERGY_TOTAL_CAP.value
    caps = [by_region.get(c.pk, {}).get((cap, None)) for c in children]
    result = Decomposition(parent=parent, period=period, columns=columns, parent_row=parent_row, rows=rows)
    result.hidden_children = len(all_children) - len(children)
    parent_cap = own.get((cap, None))
    result.cap_parent = parent_cap.value if parent_cap else None
    present = [t.value for t in caps if t is not None]
    result.cap_sum = sum(present, Decimal(0)) if present and not result.hidden_children else None
    result.cap_children_missing = [c for c, t in zip(children, caps, strict=True) if t is None]
    return result


# --- history -------------------------------------------------------------------------------------


def target_history(target: RegionTarget) -> list[history.HistoryEntry]:
    return history.timeline(
        RegionTarget.history.filter(id=target.pk),
        subject=lambda r: f"{TargetMetric(r.metric).label}{f' {r.year}' if r.year else ''}",
    )


def period_history(period: PlanPeriod) -> list[history.HistoryEntry]:
    return history.timeline(PlanPeriod.history.filter(id=period.pk), subject=lambda r: r.code)


def region_period_history(region: Region, period: PlanPeriod) -> list[history.HistoryEntry]:
    """Every change to a region's targets in a period, deleted targets included."""
    return history.timeline(
        RegionTarget.history.filter(region_id=region.pk, period_id=period.pk),
        subject=lambda r: f"{TargetMetric(r.metric).label}{f' {r.year}' if r.year else ''}",
    )
