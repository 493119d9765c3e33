"""One region's dashboard: the reads behind it and the charts built from them.

Every read takes the acting user and goes through `apps.accounts.scoping`; the page costs a
constant number of queries whatever the number of regions (one for the region's figures of all
years, one for the parent's and children's figures of the year, one each for the periods,
targets, measure counts and reports). Read paths never compute new figures: the charts draw
stored figures only (the required intensity level is the stored required progress applied to
the stored intensity, see `figures.required_intensity`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core.cache import cached_fragment
from apps.monitoring import metrics
from apps.monitoring.models import Assessment
from apps.plans.models import MeasureStatus
from apps.plans.selectors import readable_measures
from apps.regions.models import Region, RegionLevel
from apps.regions.selectors import ancestors
from apps.reports.models import Report
from apps.reports.selectors import readable_reports
from apps.targets.models import PlanPeriod, TargetMetric
from apps.targets.selectors import readable_targets

from . import figures
from .figures import PeriodTarget, ShareRow

PERIOD_TARGETS = (
    TargetMetric.ENERGY_INTENSITY_REDUCTION,
    TargetMetric.CO2_INTENSITY_REDUCTION,
    TargetMetric.ENERGY_TOTAL_CAP,
    TargetMetric.NONFOSSIL_SHARE,
)
SHARE_METRICS = ("energy_total_assessed", "co2_emissions")
REPORT_LIMIT = 12

#: The charts of a region dashboard, in page order (also the `<chart>` of the download URLs).
CHARTS = (
    "energy_intensity",
    "co2_intensity",
    "energy_total",
    "progress",
    "nonfossil",
    "co2_peak",
    "co2_decline",
    "lmdi",
    "lmdi_cum",
    "parent_share",
    "children",
)


@dataclass
class Figure:
    """A stored figure reduced to what the dashboard needs."""

    value: float | None
    level: str


Series = dict[str, dict[int, Figure]]  # metric → year → figure


def readable_region(user, level: str, code: str) -> Region | None:
    """The region of a dashboard URL if `user` may read its figures (None: unknown or outside scope).

    The region row comes from the page cache (regions change only with a new code list; the
    cache's timeout bounds a rename's staleness), the jurisdiction check from the rule table."""
    if level not in RegionLevel.values:
        return None
    region = cached_fragment(
        "region-by-level-code",
        (level, code),
        lambda: Region.objects.filter(level=level, code=code).select_related("parent").first(),
    )
    if region is None or not scoping.can(user, Action.READ_ASSESSMENTS, region=region):
        return None
    return region


def region_by_code(user, code: str) -> Region | None:
    """A region by code among those `user` may read; a code shared by a city and its only county
    names the higher level, as `regions.selectors.by_codes` does."""
    found = list(scoping.regions_for(user, Action.READ_ASSESSMENTS).filter(code=code))
    found.sort(key=lambda r: len(r.path))
    return found[0] if found else None


def region_series(region: Region, metric_codes=None) -> Series:
    """Every stored figure of the region for all years, by metric and year (one query)."""
    qs = Assessment.objects.filter(region=region)
    if metric_codes is not None:
        qs = qs.filter(metric__in=list(metric_codes))
    series: Series = defaultdict(dict)
    for year, metric, value, level in qs.values_list("year", "metric", "value", "level"):
        series[metric][year] = Figure(float(value) if value is not None else None, level)
    return series


def values(series: Series, metric: str) -> dict[int, float | None]:
    return {year: f.value for year, f in series.get(metric, {}).items()}


def all_periods() -> list[PlanPeriod]:
    return list(PlanPeriod.objects.order_by("base_year"))


def region_targets(user, region: Region) -> dict[int, dict[str, float]]:
    """The region's period targets `user` may read (READ_TARGETS), by period id and metric (one query)."""
    found: dict[int, dict[str, float]] = defaultdict(dict)
    rows = (
        readable_targets(user)
        .filter(region=region, year__isnull=True, metric__in=PERIOD_TARGETS)
        .values_list("period_id", "metric", "value")
    )
    for period_id, metric, value in rows:
        found[period_id][metric] = float(value)
    return found


def period_label(period: PlanPeriod) -> str:
    return f"{period.first_year}–{period.last_year}"


def period_targets(
    periods: list[PlanPeriod], targets: dict[int, dict[str, float]], metric: str
) -> list[PeriodTarget]:
    return [
        PeriodTarget(period_label(p), p.first_year, p.last_year, targets.get(p.pk, {}).get(metric))
        for p in periods
    ]


def period_of(periods: list[PlanPeriod], year: int) -> PlanPeriod | None:
    """The period in which `year` is reported (a year ending one period belongs to that period)."""
    for period in periods:
        if period.first_year <= year <= period.last_year:
            return period
    return None


@dataclass
class Relatives:
    """The parent (when the user may read it) and the children the user may read, with their
    energy use and emissions of one year."""

    parent: Region | None
    children: list[Region]
    figures: dict[int, dict[str, float]] = field(default_factory=dict)  # region id → metric → value


def relatives(user, region: Region, year: int) -> Relatives:
    """Parent and children of `region` with their share figures of `year` (two queries)."""
    readable = scoping.regions_for(user, Action.READ_ASSESSMENTS)
    kin = list(
        readable.filter(Q(parent=region) | Q(pk=region.parent_id or 0))
        .order_by("path")
        .only("pk", "code", "name", "level", "path", "parent_id")
    )
    parent = next((r for r in kin if r.pk == region.parent_id), None)
    children = [r for r in kin if r.parent_id == region.pk]
    ids = [r.pk for r in kin] + [region.pk]
    found: dict[int, dict[str, float]] = defaultdict(dict)
    rows = Assessment.objects.filter(region_id__in=ids, year=year, metric__in=SHARE_METRICS).values_list(
        "region_id", "metric", "value"
    )
    for region_id, metric, value in rows:
        if value is not None:
            found[region_id][metric] = float(value)
    return Relatives(parent, children, found)


def measure_counts(user, region: Region) -> dict[str, int]:
    """Measures of the region's sector plans by status, among those `user` may read (READ_PLANS)."""
    counts = {status: 0 for status in MeasureStatus.values}
    rows = readable_measures(user).filter(plan__region=region).values_list("status").annotate(n=Count("pk"))
    for status, n in rows:
        counts[status] = n
    return counts


def region_reports(user, region: Region) -> QuerySet[Report]:
    """The region's reports `user` may read, newest first."""
    return readable_reports(user).filter(region=region).order_by("-year", "-revision")[:REPORT_LIMIT]


def breadcrumb(user, region: Region) -> list[tuple[Region, bool]]:
    """Province → city → county down to `region`, each with whether the user may open its dashboard."""
    chain = list(ancestors(region, include_self=True))
    return [(r, scoping.can(user, Action.READ_ASSESSMENTS, region=r)) for r in chain]


def latest_year(series: Series) -> int | None:
    years = {y for by_year in series.values() for y in by_year}
    return max(years) if years else None


# ---- charts ------------------------------------------------------------------------------------


@dataclass
class Chart:
    code: str
    title: str
    figure: dict | None
    note: str = ""

    @property
    def table(self) -> figures.FigureTable | None:
        return figures.figure_table(self.figure) if self.figure else None

    def display_table(self) -> dict | None:
        """The data table for people: headers with units, numbers rounded per column."""
        table = self.table
        if table is None:
            return None
        chinese = (get_language() or "").startswith("zh")
        headers = [
            (f"{c.name}（{c.unit}）" if chinese else f"{c.name} ({c.unit})") if c.unit else c.name
            for c in table.columns
        ]
        rows = [
            (
                label,
                [
                    metrics.format_number(v, c.precision) if v is not None else "—"
                    for v, c in zip(cells, table.columns, strict=True)
                ],
            )
            for _key, label, cells in table.rows
        ]
        return {"x_label": table.x_label, "headers": headers, "rows": rows}


def build_charts(
    series: Series,
    *,
    region: Region,
    year: int,
    periods: list[PlanPeriod],
    targets: dict[int, dict[str, float]],
    kin: Relatives,
) -> dict[str, Chart]:
    """Every chart of the dashboard for `year` (trends run up to `year`), keyed by chart code."""

    def upto(metric: str) -> dict[int, float | None]:
        return {y: v for y, v in values(series, metric).items() if y <= year}

    charts: dict[str, Chart] = {}
    for prefix in ("energy_intensity", "co2_intensity"):
        target = (
            TargetMetric.ENERGY_INTENSITY_REDUCTION
            if prefix == "energy_intensity"
            else TargetMetric.CO2_INTENSITY_REDUCTION
        )
        charts[prefix] = Chart(
            prefix,
            metrics.name(prefix),
            figures.intensity_trend(
                prefix,
                upto(prefix),
                upto(f"{prefix}_reduction_cum"),
                upto(f"{prefix}_progress_required"),
                period_targets(periods, targets, target),
            ),
        )
    charts["energy_total"] = Chart(
        "energy_total",
        _("Total energy use against its allowance"),
        figures.energy_total(
            upto("energy_total_assessed"),
            upto("energy_total_allowed"),
            period_targets(periods, targets, TargetMetric.ENERGY_TOTAL_CAP),
        ),
    )
    period = period_of(periods, year)
    progress = None
    if period is not None:
        own = targets.get(period.pk, {})
        progress = figures.progress(
            PeriodTarget(period_label(period), period.first_year, period.last_year, None),
            upto("energy_intensity_reduction_cum"),
            upto("energy_intensity_progress_required"),
            upto("co2_intensity_reduction_cum"),
            upto("co2_intensity_progress_required"),
            own.get(TargetMetric.ENERGY_INTENSITY_REDUCTION),
            own.get(TargetMetric.CO2_INTENSITY_REDUCTION),
        )
    charts["progress"] = Chart("progress", _("Cumulative reduction against required progress"), progress)
    charts["nonfossil"] = Chart(
        "nonfossil",
        metrics.name("nonfossil_share"),
        figures.nonfossil(
            upto("nonfossil_share"),
            upto("nonfossil_share_required"),
            period_targets(periods, targets, TargetMetric.NONFOSSIL_SHARE),
        ),
    )
    outlook = series.get("co2_peak_outlook", {}).get(year)
    charts["co2_peak"] = Chart(
        "co2_peak",
        _("Carbon peak outlook"),
        figures.co2_peak(
            values(series, "co2_emissions"),
            year=year,
            outlook=metrics.text_label(outlook.level) if outlook and outlook.level else "",
        ),
    )
    charts["co2_decline"] = Chart(
        "co2_decline",
        _("Average CO₂ intensity decline against the decline needed"),
        figures.intensity_decline(
            upto("co2_intensity_reduction_avg"), upto("co2_intensity_decline_required")
        ),
    )
    co2 = values(series, "co2_emissions")
    for cumulative in (False, True):
        suffix = "_cum" if cumulative else ""
        effects = {e: values(series, f"lmdi_{e}{suffix}").get(year) for e in figures.LMDI_EFFECTS}
        base = (period.base_year if period is not None else None) if cumulative else year - 1
        if base is None:  # a year outside every plan period has no base year to compare with
            continue
        title = _("Emission change %(from)s→%(to)s by cause (LMDI)") % {"from": base, "to": year}
        total = co2[year] - co2[base] if co2.get(year) is not None and co2.get(base) is not None else None
        code = f"lmdi{suffix}"
        charts[code] = Chart(
            code, title, figures.lmdi_waterfall(effects, total, title=title, cumulative=cumulative)
        )
    charts.update(share_charts(region, kin))
    return charts


def share_charts(region: Region, kin: Relatives) -> dict[str, Chart]:
    """The region's share of its parent (when the user may read the parent) and its children's
    shares of the region (only children the user may read)."""
    own = kin.figures.get(region.pk, {})
    charts: dict[str, Chart] = {}
    parent_figure = None
    note = ""
    if kin.parent is not None:
        theirs = kin.figures.get(kin.parent.pk, {})
        parent_figure = figures.share_bars(
            [
                ShareRow(
                    region.code,
                    region.name,
                    figures.share(own.get("energy_total_assessed"), theirs.get("energy_total_assessed")),
                    figures.share(own.get("co2_emissions"), theirs.get("co2_emissions")),
                )
            ],
            chart="parent_share",
            title=_("Share of %(parent)s") % {"parent": kin.parent.name},
            x_label=_("Region"),
        )
    elif region.parent_id:
        note = _("The region above is outside your jurisdiction.")
    if region.parent_id:  # the province has no region above it: no chart at all
        charts["parent_share"] = Chart("parent_share", _("Share of the region above"), parent_figure, note)
    children = figures.share_bars(
        [
            ShareRow(
                child.code,
                child.name,
                figures.share(
                    kin.figures.get(child.pk, {}).get("energy_total_assessed"),
                    own.get("energy_total_assessed"),
                ),
                figures.share(kin.figures.get(child.pk, {}).get("co2_emissions"), own.get("co2_emissions")),
            )
            for child in kin.children
        ],
        chart="children",
        title=_("Contributions of the regions below (share of %(region)s)") % {"region": region.name},
        x_label=_("Region"),
    )
    charts["children"] = Chart(
        "children",
        _("Contributions of the regions below"),
        children,
        _("Each level compiles its own statistics: the shares need not add up to 100 %.") if children else "",
    )
    return charts
