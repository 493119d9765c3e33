"""The provincial barometer (issue 10 item 2): every region of a level with its six warnings.

For a chosen year, the regions of one level under one parent (by default the level below the
user's own region: a province's cities, a city's counties; a county sees itself), each with its six
warnings, reduction and completion figures and grade, last year's warnings and what changed, and
how many regions stand at each level. Read from stored `Assessment` rows only, in a constant
number of queries (regions: one; figures of the year and the year before: one; the anchor and
its ancestors: one or two), whatever the number of regions. Filtering and sorting happen in
Python over those rows, so the page, the tiles, the downloads and the API agree row for row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.monitoring import engine, metrics, years
from apps.monitoring.models import Assessment
from apps.regions.models import Region, RegionLevel

WARNINGS: tuple[str, ...] = metrics.WARNING_METRICS
#: The reduction and completion figures shown beside the warnings (numbers, full precision).
FIGURES: tuple[str, ...] = (
    "energy_intensity_reduction_cum",
    "energy_intensity_completion",
    "co2_intensity_reduction_cum",
    "co2_intensity_completion",
    "nonfossil_share",
    "energy_total_assessed",
    "energy_total_allowed",
)
GRADE = "grade"
#: Every column of the barometer, in the order the table shows them.
METRICS: tuple[str, ...] = (*WARNINGS, GRADE, *FIGURES)
LEVELS: tuple[str, ...] = metrics.LEVEL_ORDER  # red, yellow, green: worst first
#: Grades, worst first (for sorting); pending review last, it says nothing yet.
GRADE_ORDER: tuple[str, ...] = (
    engine.GRADE_FAILED,
    engine.GRADE_BASIC,
    engine.GRADE_COMPLETED,
    engine.GRADE_EXCEEDED,
    engine.GRADE_PENDING,
)
SORT_KEYS: tuple[str, ...] = ("region", "parent", *METRICS)
CHILD_LEVEL = {RegionLevel.PROVINCE: RegionLevel.CITY, RegionLevel.CITY: RegionLevel.COUNTY}
WORSENED, IMPROVED = "worsened", "improved"


@dataclass(frozen=True)
class RegionRef:
    id: int
    code: str
    name: str
    level: str
    path: str
    parent_code: str | None = None
    parent_name: str | None = None

    @classmethod
    def of(cls, region: Region) -> RegionRef:
        parent = region.parent if region.parent_id and Region.parent.is_cached(region) else None
        return cls(
            region.pk,
            region.code,
            region.name,
            region.level,
            region.path,
            parent.code if parent else None,
            parent.name if parent else None,
        )


@dataclass(frozen=True)
class Change:
    """One warning that moved between the previous year and this one."""

    region: RegionRef
    metric: str
    previous: str
    current: str

    @property
    def direction(self) -> str:
        return WORSENED if LEVELS.index(self.current) < LEVELS.index(self.previous) else IMPROVED

    @property
    def worsened(self) -> bool:
        return self.direction == WORSENED

    @property
    def sentence(self) -> str:
        """ "九江市 能耗强度进度预警 由黄色上升为红色", in the active language."""
        values = {
            "region": self.region.name,
            "metric": metrics.name(self.metric),
            "previous": metrics.text_label(self.previous),
            "current": metrics.text_label(self.current),
        }
        if self.worsened:
            return _("%(region)s: %(metric)s worsened from %(previous)s to %(current)s") % values
        return _("%(region)s: %(metric)s improved from %(previous)s to %(current)s") % values


@dataclass
class Row:
    region: RegionRef
    warnings: dict[str, str | None]
    figures: dict[str, Decimal | None]
    grade: str | None
    previous: dict[str, str | None]
    changes: list[Change] = field(default_factory=list)

    @property
    def worst(self) -> str | None:
        """The most severe of the six warnings (what a tile shows when no warning is chosen)."""
        present = [LEVELS.index(v) for v in self.warnings.values() if v in LEVELS]
        return LEVELS[min(present)] if present else None

    def level_of(self, metric: str | None) -> str | None:
        return self.warnings.get(metric) if metric else self.worst

    def value(self, metric: str):
        if metric in WARNINGS:
            return self.warnings.get(metric)
        if metric == GRADE:
            return self.grade
        return self.figures.get(metric)


@dataclass
class Barometer:
    year: int
    user_anchor: RegionRef | None  # the region the user's view starts from (None: the roots)
    anchor: RegionRef | None  # the parent whose regions are listed (None: the roots)
    anchor_row: Row | None  # the anchor's own figures, shown above its regions
    breadcrumb: list[RegionRef]  # from the user's anchor down to the anchor (scope only)
    region_level: str
    metric: str | None
    level: str | None
    sort: str | None
    selected: list[Row]  # every region of the selection (before the warning filter)
    rows: list[Row]  # the selection after the warning filter, sorted
    counts: dict[str, dict[str, int]]  # warning metric → level (and "none") → regions
    changes: list[Change]  # over the selection: worsened first
    found_any: bool = False  # any figure of the year for the regions read (else: maybe an unknown year)

    @property
    def previous_year(self) -> int:
        return self.year - 1

    @property
    def has_parent_column(self) -> bool:
        """Rows under more than one parent (e.g. all counties of a province) name their parent."""
        return len({r.region.parent_code for r in self.rows}) > 1


def years_for(user) -> list[int]:
    """Years with barometer figures the user may read, newest first (one query).

    Reads the coverage metric only (the one the default year counts), ordering cleared so that
    DISTINCT applies to the year alone: a few thousand index entries, not every figure.
    """
    qs = Assessment.objects.filter(
        metric=years.COVERAGE_METRIC, region__in=scoping.regions_for(user, Action.READ_ASSESSMENTS)
    )
    return sorted(qs.order_by().values_list("year", flat=True).distinct(), reverse=True)


def _invalid(name: str, message: str) -> ValidationError:
    return ValidationError({name: [message]})


def check_choice(name: str, value: str | None, choices) -> str | None:
    """An optional parameter from a fixed list: None when empty, 400 naming it when unknown."""
    if value in (None, ""):
        return None
    if value not in choices:
        raise _invalid(name, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
    return value


def check_sort(sort: str | None) -> str | None:
    if not sort:
        return None
    if sort.removeprefix("-") not in SORT_KEYS:
        keys = ", ".join(SORT_KEYS)
        raise _invalid("sort", _("Sort by one of: %(keys)s (a leading - reverses).") % {"keys": keys})
    return sort


def find_parent(user, code: str) -> Region:
    """The parent region named by `code`: 400 for a code no region has, 404 outside the user's scope.

    GB/T 2260 gives a prefecture and its only county the same code; the higher level is meant.
    """
    if not code.isdigit() or len(code) != 6:
        raise _invalid("parent", _("Give a six-digit region code."))
    found = list(Region.objects.filter(code=code).select_related("parent").order_by("path"))
    if not found:
        raise _invalid("parent", _("There is no region with the code %(code)s.") % {"code": code})
    found.sort(key=lambda r: r.depth)
    for region in found:
        if scoping.can(user, Action.READ_ASSESSMENTS, region=region):
            return region
    raise Http404("region outside the user's jurisdiction")


def user_anchor(user) -> Region | None:
    """Where a user's barometer starts: their own region, or the only root (None: several roots)."""
    if scoping.scope_of(user, Action.READ_ASSESSMENTS) is None:
        raise Http404("no assessments to read")
    region = getattr(user, "region", None)
    if region is not None and not scoping.is_admin(user):
        return region
    roots = list(Region.objects.filter(parent__isnull=True).order_by("path")[:2])
    return roots[0] if len(roots) == 1 else None


def barometer(
    user,
    *,
    year: int,
    parent: str | None = None,
    region_level: str | None = None,
    metric: str | None = None,
    level: str | None = None,
    sort: str | None = None,
) -> Barometer:
    """The barometer of `year` for `user` (see the module docstring).

    Raises ValidationError naming the parameter for an unknown region level, metric, warning
    level, sort key or parent code, and Http404 for a parent outside the user's jurisdiction.
    """
    region_level = check_choice("region_level", region_level, RegionLevel.values)
    metric = check_choice("metric", metric, WARNINGS)
    level = check_choice("level", level, LEVELS)
    sort = check_sort(sort)
    start = user_anchor(user)
    anchor = find_parent(user, parent) if parent else start
    scope = scoping.regions_for(user, Action.READ_ASSESSMENTS)

    if region_level is None:
        region_level = CHILD_LEVEL.get(anchor.level, anchor.level) if anchor else RegionLevel.PROVINCE
    if anchor is None:
        wanted = Q(level=region_level)
    else:  # the anchor's regions of that level, and the anchor itself (its own row)
        wanted = (Q(level=region_level, path__startswith=anchor.path) & ~Q(pk=anchor.pk)) | Q(pk=anchor.pk)
    regions = list(scope.filter(wanted).select_related("parent").order_by("path"))
    refs = {r.pk: RegionRef.of(r) for r in regions}

    figures = _figures(scope.filter(wanted), year)
    rows_by_id = {pk: _row(ref, figures.get(pk, {}), year) for pk, ref in refs.items()}
    anchor_row = rows_by_id.pop(anchor.pk, None) if anchor is not None else None
    if anchor_row is not None and anchor.level == region_level and not rows_by_id:
        rows_by_id[anchor.pk], anchor_row = anchor_row, None  # a county: the region itself is the selection
    selected = list(rows_by_id.values())

    shown = [r for r in selected if level is None or r.level_of(metric) == level]
    rows = sort_rows(shown, sort)
    return Barometer(
        year=year,
        user_anchor=RegionRef.of(start) if start else None,
        anchor=RegionRef.of(anchor) if anchor else None,
        anchor_row=anchor_row,
        breadcrumb=_breadcrumb(scope, start, anchor),
        region_level=region_level,
        metric=metric,
        level=level,
        sort=sort,
        selected=selected,
        rows=rows,
        counts=count_levels(selected),
        found_any=any(y == year for found in figures.values() for y, _m in found),
        changes=sorted(
            (c for r in selected for c in r.changes),
            key=lambda c: (not c.worsened, c.region.path, WARNINGS.index(c.metric)),
        ),
    )


def _figures(regions, year: int) -> dict[int, dict[tuple[int, str], tuple]]:
    """region id → (year, metric) → (value, level): this year's columns and last year's warnings."""
    found: dict[int, dict[tuple[int, str], tuple]] = {}
    rows = Assessment.objects.filter(
        Q(year=year, metric__in=METRICS) | Q(year=year - 1, metric__in=WARNINGS),
        region__in=regions.values("pk"),
    ).values_list("region_id", "year", "metric", "value", "level")
    for region_id, y, metric, value, text in rows:
        found.setdefault(region_id, {})[(y, metric)] = (value, text)
    return found


def _row(ref: RegionRef, figures: dict[tuple[int, str], tuple], year: int) -> Row:
    def text(y: int, metric: str) -> str | None:
        found = figures.get((y, metric))
        return (found[1] or None) if found else None

    warnings = {m: text(year, m) for m in WARNINGS}
    previous = {m: text(year - 1, m) for m in WARNINGS}
    row = Row(
        region=ref,
        warnings=warnings,
        figures={m: figures[(year, m)][0] if (year, m) in figures else None for m in FIGURES},
        grade=text(year, GRADE),
        previous=previous,
    )
    row.changes = [
        Change(ref, m, previous[m], warnings[m])
        for m in WARNINGS
        if warnings[m] in LEVELS and previous[m] in LEVELS and warnings[m] != previous[m]
    ]
    return row


def build_row(ref: RegionRef, figures: dict[tuple[int, str], tuple], year: int) -> Row:
    """A barometer row from figures given as data: (year, metric) → (value, level) of `year` and
    the year before. The barometer reads them from `Assessment`; the public pages pass the frozen
    copy of a publication instead, so both show the same columns from the same rules."""
    return _row(ref, figures, year)


def _breadcrumb(scope, start: Region | None, anchor: Region | None) -> list[RegionRef]:
    """The anchor's ancestors the user may read, from the top down, then the anchor (one query)."""
    if anchor is None:
        return []
    if start is not None and anchor.pk == start.pk:
        return [RegionRef.of(anchor)]
    above = scope.filter(path__in=anchor.ancestor_paths).order_by("path")
    return [*(RegionRef.of(r) for r in above), RegionRef.of(anchor)]


def count_levels(rows: list[Row]) -> dict[str, dict[str, int]]:
    """Per warning: how many regions are red, yellow, green, and without the warning ("none")."""
    counts = {m: dict.fromkeys((*LEVELS, "none"), 0) for m in WARNINGS}
    for row in rows:
        for m in WARNINGS:
            counts[m][row.warnings[m] if row.warnings[m] in LEVELS else "none"] += 1
    return counts


def _rank(metric: str, value) -> float | Decimal | str | None:
    """A sortable key: warnings and grades worst first, numbers ascending, names by code."""
    if value is None:
        return None
    if metric in WARNINGS:
        return LEVELS.index(value) if value in LEVELS else len(LEVELS)
    if metric == GRADE:
        return GRADE_ORDER.index(value) if value in GRADE_ORDER else len(GRADE_ORDER)
    return value


def sort_rows(rows: list[Row], sort: str | None) -> list[Row]:
    """Rows in code order, then stably by the sort column ("-" reverses); absent values always last."""
    ordered = sorted(rows, key=lambda r: r.region.path)
    if not sort:
        return ordered
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key == "region":
        return list(reversed(ordered)) if descending else ordered
    if key == "parent":
        values = {id(r): r.region.parent_code or "" for r in ordered}
    else:
        values = {id(r): _rank(key, r.value(key)) for r in ordered}
    present = [r for r in ordered if values[id(r)] is not None]
    absent = [r for r in ordered if values[id(r)] is None]
    present.sort(key=lambda r: values[id(r)], reverse=descending)  # stable, also reversed
    return present + absent


def sort_direction(current: str | None, column: str) -> str | None:
    """ "ascending" / "descending" when the table is sorted by `column` (for aria-sort)."""
    if current == column:
        return "ascending"
    if current == f"-{column}":
        return "descending"
    return None


def next_sort(current: str | None, column: str) -> str:
    """The sort a column header links to: ascending first, then descending."""
    return f"-{column}" if current == column else column
