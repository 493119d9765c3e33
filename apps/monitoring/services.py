"""Recompute: load approved inputs set-wise, run the pure engine, write results all-or-nothing per region.

The read side is a handful of set-based queries per chunk of regions; the write side
replaces each region's rows inside one transaction (PostgreSQL: COPY), so a region's
results are never half old and half new and a natural key is never duplicated. Two
recomputes touching the same regions serialise on per-region advisory locks.
"""

from __future__ import annotations

import io
import logging
import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import orjson
from django.db import connection, transaction
from django.utils import timezone

from apps.indicators.models import EmissionFactorSet, FactorUnit, Grid, GridFactor
from apps.regions.models import Region
from apps.targets.models import PlanPeriod, RegionTarget

from . import engine
from .models import Assessment, AssessmentTrace, HierarchyCheck, MissingFigure, RecomputeRun, RunStatus

log = logging.getLogger(__name__)

CHUNK_REGIONS = 400
LOCK_NAMESPACE = 7301  # advisory-lock key space of the monitoring app
CO2_PER_C = 44 / 12
ASSESSMENT_COLUMNS = ("region_id", "year", "metric", "value", "level")
TRACE_COLUMNS = (
    "region_id",
    "year",
    "period",
    "rule_set",
    "factor_set",
    "spec_version",
    "computed_at",
    "run_id",
    "figures",
)
MISSING_COLUMNS = ("region_id", "year", "metric", "reason", "computed_at")
WARNING_VALUES = frozenset({engine.RED, engine.YELLOW, engine.GREEN})


@dataclass(frozen=True)
class EngineConfig:
    """Everything the engine needs besides a region's own data, read once per run.

    Fuel factors come per period (a period may be assigned its own factor set, else the
    default set); grid factors per region (the default grid's series, or the series of
    the regional grid the region is assigned to).
    """

    periods: tuple[engine.Period, ...]
    rule_sets: dict[str, engine.RuleSet]
    fuels_by_period: dict[str, engine.FactorSet]
    default_grid: dict[int, float]
    grid_by_region: dict[int, dict[int, float]]

    def factor_groups(self, region_id: int) -> list[tuple[engine.FactorSet, frozenset[str]]]:
        """Distinct factor sets for this region and the periods each applies to."""
        grid = self.grid_by_region.get(region_id, self.default_grid)
        groups: dict[str, tuple[engine.FactorSet, set[str]]] = {}
        for code, fuels in self.fuels_by_period.items():
            entry = groups.setdefault(fuels.code, (fuels.with_grid(grid), set()))
            entry[1].add(code)
        return [(fs, frozenset(codes)) for fs, codes in groups.values()]


@dataclass
class RecomputeSummary:
    regions: int = 0
    results: int = 0
    missing: int = 0
    errors: list[str] = field(default_factory=list)


def _rule_set(model) -> engine.RuleSet:
    return engine.RuleSet(
        code=model.code,
        exclude_feedstock_from_intensity=model.intensity_excludes_feedstock,
        exclude_nonfossil_from_intensity=model.intensity_excludes_nonfossil,
        exclude_feedstock_from_total=model.total_excludes_feedstock,
        exclude_nonfossil_from_total=model.total_excludes_nonfossil,
        deduct_new_renewables_from_total=model.total_deducts_new_renewables,
        progress=model.progress_method,
    )


def _fuel_factor(factor) -> float:
    value = float(factor.value)
    return value * CO2_PER_C if factor.unit == FactorUnit.CARBON else value


def _fuels(factor_set: EmissionFactorSet) -> engine.FactorSet:
    fuels = {f.fuel: _fuel_factor(f) for f in factor_set.fuel_factors.all()}
    missing = {"coal", "oil", "gas"} - set(fuels)
    if missing:
        raise RuntimeError(f"factor set {factor_set.code} lacks {', '.join(sorted(missing))}")
    return engine.FactorSet(factor_set.code, fuels["coal"], fuels["oil"], fuels["gas"], {})


def load_config() -> EngineConfig:
    """Periods with their rule sets and factor sets, and each region's grid series (a few queries)."""
    periods = list(PlanPeriod.objects.select_related("rule_set").order_by("base_year"))
    sets = {fs.pk: fs for fs in EmissionFactorSet.objects.prefetch_related("fuel_factors")}
    default_set = next((fs for fs in sets.values() if fs.is_default), None)
    if default_set is None:
        raise RuntimeError("no default emission factor set is configured")
    fuels = {pk: _fuels(fs) for pk, fs in sets.items()}
    series: dict[int, dict[int, float]] = defaultdict(dict)
    for grid_id, year, value in GridFactor.objects.values_list("grid_id", "year", "value_kg_per_kwh"):
        series[grid_id][year] = float(value)
    default_grid = Grid.objects.filter(is_default=True).values_list("pk", flat=True).first()
    grid_by_region: dict[int, dict[int, float]] = {}
    for grid_id, region_id in Grid.regions.through.objects.values_list("grid_id", "region_id"):
        if grid_id != default_grid:
            grid_by_region[region_id] = series.get(grid_id, {})
    return EngineConfig(
        periods=tuple(engine.Period(p.code, p.base_year, p.length) for p in periods),
        rule_sets={p.code: _rule_set(p.rule_set) for p in periods},
        fuels_by_period={p.code: fuels[p.factor_set_id or default_set.pk] for p in periods},
        default_grid=series.get(default_grid, {}) if default_grid else {},
        grid_by_region=grid_by_region,
    )


def _load_values(region_ids: Sequence[int]) -> dict[int, dict[int, dict[str, float]]]:
    from apps.reports.selectors import approved_values

    values: dict[int, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for region_id, year, code, value in approved_values(region_ids=region_ids):
        values[region_id][year][code] = float(value)
    return values


def _load_targets(region_ids: Sequence[int]) -> dict[int, dict[str, engine.Targets]]:
    rows: dict[int, list[tuple[str, str, float, int | None]]] = defaultdict(list)
    for region_id, period, metric, value, year in RegionTarget.objects.filter(
        region_id__in=region_ids
    ).values_list("region_id", "period__code", "metric", "value", "year"):
        rows[region_id].append((period, metric, float(value), year))
    return {region_id: engine.targets_from_records(records) for region_id, records in rows.items()}


@dataclass
class _Output:
    """What a chunk writes: COPY-ready text lines (PostgreSQL) or tuples (other databases)."""

    assessments: list = field(default_factory=list)
    traces: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    results: int = 0


def _copy_text(value) -> str:
    """One field of COPY's text format (NULL is \\N; backslash, tab and newline escaped)."""
    if value is None:
        return "\\N"
    text = value if isinstance(value, str) else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _compute_region(
    region_id: int,
    values: dict[int, dict[str, float]],
    targets: dict[str, engine.Targets],
    config: EngineConfig,
    year: int | None,
) -> tuple[list[engine.Result], list[engine.Missing], dict[int, tuple[str, str, str]]]:
    """The engine's results for one region, and per year its (period, rule set, factor set).

    A period may have its own factor set: the engine then runs once per distinct set and
    each year keeps the results of the set of the period it is reported in.
    """
    groups = config.factor_groups(region_id)
    per_year: dict[int, tuple[str, str, str]] = {}
    results: list[engine.Result] = []
    missing: list[engine.Missing] = []
    for factors, period_codes in groups:
        group_results, group_missing = engine.compute_region(
            values, config.periods, targets, config.rule_sets, factors
        )
        for item in (*group_results, *group_missing):
            if year is not None and item.year != year:
                continue
            if item.year not in per_year:
                role = engine.reporting_period(item.year, config.periods, values)
                code = role[0].code if role else ""
                rule = config.rule_sets[code].code if code else ""
                per_year[item.year] = (code, rule, "")
            code = per_year[item.year][0]
            if len(groups) > 1 and code and code not in period_codes:
                continue  # another factor set applies to this year's period
            if isinstance(item, engine.Result):
                if not per_year[item.year][2]:
                    per_year[item.year] = (*per_year[item.year][:2], factors.code)
                if item.value not in WARNING_VALUES and not (
                    math.isfinite(item.value) and abs(item.value) < 1e16
                ):
                    missing.append(
                        engine.Missing(
                            item.year,
                            item.metric,
                            f"result {item.value!r} is not finite or out of range: refused",
                        )
                    )
                else:
                    results.append(item)
            else:
                missing.append(item)
    return results, missing, per_year


def _collect(
    out: _Output,
    region_id: int,
    computed: tuple[list[engine.Result], list[engine.Missing], dict[int, tuple[str, str, str]]],
    now: datetime,
    run_id: int | None,
    as_text: bool,
) -> None:
    results, missing, per_year = computed
    figures: dict[int, dict[str, dict]] = defaultdict(dict)
    stamp = now.isoformat()
    for r in results:
        is_level = r.value in WARNING_VALUES
        figures[r.year][r.metric] = {"f": r.formula, "in": r.inputs}
        if as_text:
            value = "\\N" if is_level else repr(r.value)
            out.assessments.append(
                f"{region_id}\t{r.year}\t{r.metric}\t{value}\t{r.value if is_level else ''}\n"
            )
        else:
            out.assessments.append(
                Assessment(
                    region_id=region_id,
                    year=r.year,
                    metric=r.metric,
                    value=None if is_level else Decimal(repr(r.value)).quantize(Decimal("1e-15")),
                    level=r.value if is_level else "",
                )
            )
    out.results += len(results)
    for y, by_metric in figures.items():
        period, rule, factor = per_year[y]
        if as_text:
            blob = orjson.dumps(by_metric).decode()
            out.traces.append(
                "\t".join(
                    _copy_text(v)
                    for v in (region_id, y, period, rule, factor, engine.SPEC_VERSION, stamp, run_id, blob)
                )
                + "\n"
            )
        else:
            out.traces.append(
                AssessmentTrace(
                    region_id=region_id,
                    year=y,
                    period=period,
                    rule_set=rule,
                    factor_set=factor,
                    spec_version=engine.SPEC_VERSION,
                    computed_at=now,
                    run_id=run_id,
                    figures=orjson.loads(orjson.dumps(by_metric)),
                )
            )
    for m in missing:
        row = (region_id, m.year, m.metric, m.reason[:300], stamp)
        if as_text:
            out.missing.append("\t".join(_copy_text(v) for v in row) + "\n")
        else:
            out.missing.append(
                MissingFigure(
                    region_id=region_id, year=m.year, metric=m.metric, reason=m.reason[:300], computed_at=now
                )
            )


def _lock_regions(region_ids: Iterable[int]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers itself
    with connection.cursor() as cursor:
        for region_id in sorted(set(region_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, region_id])


def _write(region_ids: Sequence[int], year: int | None, out: _Output) -> None:
    """Replace the regions' results (for one year, or all years) in the current transaction."""
    models = (Assessment, AssessmentTrace, MissingFigure)
    if connection.vendor == "postgresql":
        where, params = "region_id = ANY(%s)", [list(region_ids)]
        if year is not None:
            where, params = where + " AND year = %s", [*params, year]
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", params)
            _copy(cursor, Assessment._meta.db_table, ASSESSMENT_COLUMNS, out.assessments)
            _copy(cursor, AssessmentTrace._meta.db_table, TRACE_COLUMNS, out.traces)
            _copy(cursor, MissingFigure._meta.db_table, MISSING_COLUMNS, out.missing)
        return
    scope = {"region_id__in": region_ids} | ({"year": year} if year is not None else {})
    for model in models:
        model.objects.filter(**scope).delete()
    Assessment.objects.bulk_create(out.assessments, batch_size=2000)
    AssessmentTrace.objects.bulk_create(out.traces, batch_size=500)
    MissingFigure.objects.bulk_create(out.missing, batch_size=2000)


class _LineReader(io.TextIOBase):
    """Feeds prepared COPY lines to psycopg2 without joining them into one huge string."""

    def __init__(self, lines: list[str]):
        self._lines = iter(lines)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        parts, total = [], 0
        for line in self._lines:
            parts.append(line)
            total += len(line)
            if 0 < size <= total:
                break
        return "".join(parts)

    readline = read


def _copy(cursor, table: str, columns: Sequence[str], lines: list[str]) -> None:
    if lines:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN", _LineReader(lines), size=1 << 20
        )


def recompute(
    *, region_ids: Sequence[int] | None = None, year: int | None = None, run: RecomputeRun | None = None
) -> RecomputeSummary:
    """Recompute the given regions (default: every region with approved data) and their hierarchy checks.

    Each chunk of regions is loaded, computed and written in its own transaction, so a crash
    leaves every region either fully old or fully new; rerunning is idempotent.
    """
    config = load_config()
    if region_ids is None:
        from apps.reports.selectors import in_force_reports

        region_ids = sorted(set(in_force_reports().values_list("region_id", flat=True)))
    else:
        region_ids = sorted(set(region_ids))
    summary = RecomputeSummary()
    if run is not None:
        RecomputeRun.objects.filter(pk=run.pk).update(regions_total=len(region_ids))
    now = timezone.now()
    for start in range(0, len(region_ids), CHUNK_REGIONS):
        chunk = region_ids[start : start + CHUNK_REGIONS]
        values = _load_values(chunk)
        targets = _load_targets(chunk)
        out = _Output()
        as_text = connection.vendor == "postgresql"
        for region_id in chunk:
            try:
                computed = _compute_region(
                    region_id, values.get(region_id, {}), targets.get(region_id, {}), config, year
                )
            except Exception as exc:  # one region's bad data must not stop the run
                log.exception("recompute of region %s failed", region_id)
                summary.errors.append(f"region {region_id}: {exc}")
                continue
            _collect(out, region_id, computed, now, run.pk if run else None, as_text)
        with transaction.atomic():
            _lock_regions(chunk)
            _write(chunk, year, out)
            if run is not None:
                RecomputeRun.objects.filter(pk=run.pk).update(
                    regions_done=start + len(chunk),
                    results_written=summary.results + out.results,
                    missing_count=summary.missing + len(out.missing),
                )
        summary.results += out.results
        summary.missing += len(out.missing)
        summary.regions += len(chunk)
    hierarchy_recompute(region_ids=region_ids, now=now)
    return summary


def hierarchy_recompute(*, region_ids: Sequence[int], now: datetime | None = None) -> int:
    """Methodology §12 for the parents of the given regions (and the regions themselves)."""
    from apps.reports.models import ReportValue
    from apps.reports.selectors import in_force_reports

    now = now or timezone.now()
    regions = Region.objects.filter(pk__in=region_ids)
    parent_paths: set[str] = set()
    for region in regions.only("path"):
        parent_paths.update(region.ancestor_paths)
        parent_paths.add(region.path)
    parents = list(Region.objects.filter(path__in=parent_paths).only("pk", "path"))
    children = defaultdict(list)
    for child_id, parent_id in Region.objects.filter(parent__in=parents).values_list("pk", "parent_id"):
        children[parent_id].append(child_id)
    parents = [p for p in parents if children.get(p.pk)]
    involved = [p.pk for p in parents] + [c for p in parents for c in children[p.pk]]
    totals: dict[tuple[int, int], float] = {}
    years: set[int] = set()
    reports = in_force_reports().filter(region_id__in=involved).values("pk")
    for region_id, year, value in ReportValue.objects.filter(
        report__in=reports, indicator__code="energy_total", value__isnull=False
    ).values_list("report__region_id", "report__year", "value"):
        totals[region_id, year] = float(value)
        years.add(year)
    checks = []
    for parent in parents:
        for year in sorted(years):
            kids = [totals.get((c, year)) for c in children[parent.pk]]
            if all(k is None for k in kids):
                continue
            check = engine.hierarchy_check(totals.get((parent.pk, year)), kids)
            if check.children_sum is None:
                continue
            checks.append(
                HierarchyCheck(
                    region_id=parent.pk,
                    year=year,
                    own_value=None if check.own is None else Decimal(repr(check.own)),
                    children_sum=Decimal(repr(check.children_sum)),
                    children_count=len(kids),
                    discrepancy=None
                    if check.discrepancy is None or not math.isfinite(check.discrepancy)
                    else Decimal(repr(check.discrepancy * 100)).quantize(Decimal("1e-6")),
                    flagged=check.flagged,
                    derived_from_children=check.derived_from_children,
                    computed_at=now,
                )
            )
    with transaction.atomic():
        _lock_regions([p.pk for p in parents])
        HierarchyCheck.objects.filter(region__in=parents).delete()
        HierarchyCheck.objects.bulk_create(checks, batch_size=2000)
    return len(checks)


def run_create(
    *, user=None, region: Region | None = None, year: int | None = None, reason: str = ""
) -> RecomputeRun:
    """Record a queued run; its id is the handle people follow (UI progress, API status URL)."""
    return RecomputeRun.objects.create(
        scope_region=region, scope_year=year, reason=reason[:200], triggered_by=user
    )


def run_start(
    *, user, region: Region | None = None, year: int | None = None, reason: str = ""
) -> RecomputeRun:
    """A person starts a recompute: permission-checked, queued after commit."""
    from apps.accounts import scoping

    scoping.require(user, scoping.Action.START_RECOMPUTE, region=region)
    return _queue(user=user, region=region, year=year, reason=reason or "started by hand")


_batch = threading.local()


@contextmanager
def recompute_batched(reason: str) -> Iterator[None]:
    """Bulk writers (demo seeding): one full recompute at the end instead of one per trigger."""
    if getattr(_batch, "active", False):
        yield
        return
    _batch.active, _batch.triggered = True, False
    try:
        yield
    finally:
        triggered = _batch.triggered
        _batch.active = _batch.triggered = False
    if triggered:
        _queue(user=None, region=None, year=None, reason=reason)


def run_queue(
    *, user=None, region: Region | None = None, year: int | None = None, reason: str = ""
) -> RecomputeRun | None:
    """Queue a run after the surrounding transaction commits (approval, target or catalog change).

    Inside `recompute_batched()` the trigger is only noted (None is returned): one run follows.
    """
    if getattr(_batch, "active", False):
        _batch.triggered = True
        return None
    return _queue(user=user, region=region, year=year, reason=reason)


def _queue(*, user, region: Region | None, year: int | None, reason: str) -> RecomputeRun:
    from .tasks import recompute_run

    run = run_create(user=user, region=region, year=year, reason=reason)
    transaction.on_commit(lambda: recompute_run.delay(run.pk))
    return run


def run_execute(run_id: int) -> RecomputeRun:
    """Body of the task: mark running, recompute its scope, mark done (or failed with the error)."""
    run = RecomputeRun.objects.get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run  # a redelivered task finds the work already done
    RecomputeRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), attempts=run.attempts + 1
    )
    region_ids = [run.scope_region_id] if run.scope_region_id else None
    try:
        summary = recompute(region_ids=region_ids, year=run.scope_year, run=run)
    except Exception as exc:
        RecomputeRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), errors=[*run.errors, str(exc)]
        )
        raise
    RecomputeRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        finished_at=timezone.now(),
        regions_done=summary.regions,
        results_written=summary.results,
        missing_count=summary.missing,
        errors=summary.errors,
    )
    run.refresh_from_db()
    return run
