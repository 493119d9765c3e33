"""Recompute: load approved inputs set-wise, run the pure engine, write results all-or-nothing per region.

The read side is a handful of set-based queries per chunk of regions. The write side either
replaces each chunk's rows inside one transaction (PostgreSQL: COPY), so a region's results are
never half old and half new and a natural key is never duplicated, or, for the nightly run over
everything, streams the results into fresh tables while computing and swaps them in at the end.
Two recomputes touching the same regions serialise on per-region advisory locks; every
region-scoped write waits while a whole-table rebuild runs.
"""

from __future__ import annotations

import io
import logging
import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from apps.indicators.models import EmissionFactorSet, FactorUnit, Grid, GridFactor
from apps.regions.models import Region
from apps.targets.models import PlanPeriod, RegionTarget

from . import engine, rebuild
from .inputs import WARNING_VALUES, FactorGroup, RegionInputs, TargetRecord
from .inputs import compute as compute_inputs
from .inputs import digest as input_digest
from .models import (
    Assessment,
    AssessmentTrace,
    HierarchyCheck,
    InputSnapshot,
    MissingFigure,
    RecomputeRun,
    RunStatus,
)

log = logging.getLogger(__name__)

CHUNK_REGIONS = 400
COPY_BLOCK = 1 << 18  # characters per COPY block: small enough to keep both cores busy
LOCK_NAMESPACE = 7301  # advisory-lock key space of the monitoring app: one key per region
TABLE_LOCK_NAMESPACE = 7302  # key (7302, 0): held exclusively by a whole-table rebuild
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
    "snapshot_id",
)
MISSING_COLUMNS = ("region_id", "year", "metric", "reason", "computed_at")
SNAPSHOT_COLUMNS = ("digest", "region_id", "data")
REBUILT_MODELS = (Assessment, AssessmentTrace, MissingFigure, InputSnapshot)


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

    _by_grid: dict[int, tuple[FactorGroup, ...]] = field(default_factory=dict, compare=False, repr=False)

    def groups(self, region_id: int) -> tuple[FactorGroup, ...]:
        """Distinct factor sets for this region (with its grid) and the periods each applies to.

        Built once per distinct grid series (a handful), not once per region."""
        grid = self.grid_by_region.get(region_id, self.default_grid)
        found = self._by_grid.get(id(grid))
        if found is None:
            groups: dict[str, tuple[engine.FactorSet, set[str]]] = {}
            for code, fuels in self.fuels_by_period.items():
                entry = groups.setdefault(fuels.code, (fuels.with_grid(grid), set()))
                entry[1].add(code)
            found = self._by_grid[id(grid)] = tuple(
                FactorGroup(fs, frozenset(codes)) for fs, codes in groups.values()
            )
        return found


@dataclass
class RecomputeSummary:
    regions: int = 0
    results: int = 0
    missing: int = 0
    errors: list[str] = field(default_factory=list)

    energy_totals: dict[tuple[int, int], float] = field(default_factory=dict)

    def add(self, batch, regions: int) -> None:
        self.regions += regions
        self.results += batch.results
        self.missing += batch.missing_count
        self.errors.extend(batch.errors)
        self.energy_totals.update(batch.energy_totals)


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


def _load_inputs(region_ids: Sequence[int], config: EngineConfig) -> list[RegionInputs]:
    """Each region's engine inputs: two set-based queries for the whole chunk."""
    from apps.reports.selectors import approved_values

    values: dict[int, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for region_id, year, code, value in approved_values(region_ids=region_ids, as_float=True):
        values[region_id][year][code] = value
    records: dict[int, list[TargetRecord]] = defaultdict(list)
    for region_id, period, metric, value, year in RegionTarget.objects.filter(
        region_id__in=region_ids
    ).values_list("region_id", "period__code", "metric", "value", "year"):
        records[region_id].append((period, metric, float(value), year))
    return [
        RegionInputs(
            region_id=region_id,
            values={y: row for y, row in sorted(values[region_id].items())} if region_id in values else {},
            target_records=sorted(records.get(region_id, ()), key=lambda r: (r[0], r[1], r[3] or 0)),
            periods=config.periods,
            rule_sets=config.rule_sets,
            groups=config.groups(region_id),
        )
        for region_id in region_ids
    ]


def _apart(function, *args):
    """Call ``function`` on this (helper) thread's own database connection, closed afterwards."""
    try:
        return function(*args)
    finally:
        connection.close()


def _copy_text(value) -> str:
    """One field of COPY's text format (NULL is \\N; backslash, tab and newline escaped)."""
    if value is None:
        return "\\N"
    text = value if isinstance(value, str) else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _copy_line(values: Iterable) -> str:
    return "\t".join(_copy_text(v) for v in values) + "\n"


@dataclass
class _Batch:
    """What a set of regions writes besides its result rows: traces, missing figures, snapshots.

    Result rows go straight to the writer (COPY lines on PostgreSQL, model rows elsewhere);
    the rest is small (one trace per region-year, one snapshot per region) and follows.
    """

    now: datetime
    run_id: int | None
    as_text: bool
    traces: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    snapshots: dict[str, tuple[int, str]] = field(default_factory=dict)  # digest → (region, json)
    results: int = 0
    missing_count: int = 0
    errors: list[str] = field(default_factory=list)
    done_regions: list[int] = field(default_factory=list)
    energy_totals: dict[tuple[int, int], float] = field(default_factory=dict)  # for §12

    def __post_init__(self) -> None:
        self.stamp = self.now.isoformat()
        self._label_lines: dict[tuple[str, str, str], str] = {}

    def _labels(self, period: str, rule: str, factor: str) -> str:
        """The trace columns after (region, year) up to the snapshot, escaped once per run."""
        key = (period, rule, factor)
        text = self._label_lines.get(key)
        if text is None:
            fields = (period, rule, factor, engine.SPEC_VERSION, self.stamp, self.run_id)
            text = self._label_lines[key] = "\t".join(_copy_text(v) for v in fields)
        return text

    def add(self, inputs: RegionInputs, year: int | None) -> list:
        """Compute one region; its result rows (lines or models), or [] after logging an error."""
        try:
            results, missing, per_year = compute_inputs(inputs, year)
        except Exception as exc:  # one region's bad data must not stop the run
            log.exception("recompute of region %s failed", inputs.region_id)
            self.errors.append(f"region {inputs.region_id}: {exc}")
            return []
        region_id = inputs.region_id
        snapshot = inputs.to_json().decode()
        key = input_digest(snapshot.encode())
        self.snapshots[key] = (region_id, snapshot)
        self.done_regions.append(region_id)
        self.results += len(results)
        self.missing_count += len(missing)
        for y, row in sorted(inputs.values.items()):
            if "energy_total" in row:
                self.energy_totals[region_id, y] = row["energy_total"]
        result_years = {r.year for r in results}
        for y in sorted(result_years):
            period, rule, factor = per_year[y]
            if self.as_text:
                self.traces.append(f"{region_id}\t{y}\t{self._labels(period, rule, factor)}\t{key}\n")
            else:
                self.traces.append(
                    AssessmentTrace(
                        region_id=region_id,
                        year=y,
                        period=period,
                        rule_set=rule,
                        factor_set=factor,
                        spec_version=engine.SPEC_VERSION,
                        computed_at=self.now,
                        run_id=self.run_id,
                        snapshot_id=key,
                    )
                )
        for m in missing:
            if self.as_text:
                self.missing.append(_copy_line((region_id, m.year, m.metric, m.reason[:300], self.stamp)))
            else:
                self.missing.append(
                    MissingFigure(
                        region_id=region_id,
                        year=m.year,
                        metric=m.metric,
                        reason=m.reason[:300],
                        computed_at=self.now,
                    )
                )
        if self.as_text:
            prefix = f"{region_id}\t"
            return [
                f"{prefix}{r.year}\t{r.metric}\t\\N\t{r.value}\n"
                if r.value in WARNING_VALUES
                else f"{prefix}{r.year}\t{r.metric}\t{r.value!r}\t\n"
                for r in results
            ]
        return [
            Assessment(
                region_id=region_id,
                year=r.year,
                metric=r.metric,
                value=None
                if r.value in WARNING_VALUES
                else Decimal(repr(r.value)).quantize(Decimal("1e-15")),
                level=r.value if r.value in WARNING_VALUES else "",
            )
            for r in results
        ]

    def snapshot_lines(self, skip: Iterable[str] = ()) -> list[str]:
        skip = set(skip)
        return [
            _copy_line((key, region_id, data))
            for key, (region_id, data) in self.snapshots.items()
            if key not in skip
        ]


class _BlockReader(io.TextIOBase):
    """COPY source over blocks of lines, joined only up to psycopg2's read size.

    Blocks may be produced lazily: fed by the engine region by region, PostgreSQL parses and
    stores one block while Python computes the next (psycopg2 sends each block as soon as it
    is read, releasing the GIL while it waits), so both work at the same time on two cores.
    """

    def __init__(self, blocks: Iterable[list[str]]):
        self._blocks = iter(blocks)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        parts: list[str] = []
        total = 0
        for lines in self._blocks:
            parts.extend(lines)
            total += sum(map(len, lines))
            if 0 < size <= total:
                break
        return "".join(parts)

    readline = read


def _copy(cursor, table: str, columns: Sequence[str], source) -> None:
    if isinstance(source, list):
        if not source:
            return
        lines = source
        source = _BlockReader(lines[i : i + 2000] for i in range(0, len(lines), 2000))
    cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", source, size=COPY_BLOCK)


def _lock_regions(region_ids: Iterable[int]) -> None:
    """Serialise writers of the same regions, and wait for a whole-table rebuild to finish."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers itself
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [TABLE_LOCK_NAMESPACE])
        for region_id in sorted(set(region_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, region_id])


def _write_regions(region_ids: Sequence[int], year: int | None, rows: list, batch: _Batch) -> None:
    """Replace the regions' results (for one year, or all years) in the current transaction."""
    if connection.vendor != "postgresql":
        scope = {"region_id__in": region_ids} | ({"year": year} if year is not None else {})
        for model in (Assessment, AssessmentTrace, MissingFigure):
            model.objects.filter(**scope).delete()
        existing = set(InputSnapshot.objects.filter(pk__in=batch.snapshots).values_list("pk", flat=True))
        InputSnapshot.objects.bulk_create(
            [
                InputSnapshot(digest=key, region_id=region_id, data=data)
                for key, (region_id, data) in batch.snapshots.items()
                if key not in existing
            ]
        )
        Assessment.objects.bulk_create(rows, batch_size=2000)
        AssessmentTrace.objects.bulk_create(batch.traces, batch_size=2000)
        MissingFigure.objects.bulk_create(batch.missing, batch_size=2000)
        InputSnapshot.objects.filter(region_id__in=region_ids).exclude(
            pk__in=AssessmentTrace.objects.filter(region_id__in=region_ids).values("snapshot_id")
        ).delete()
        return
    where, params = "region_id = ANY(%s)", [list(region_ids)]
    if year is not None:
        where, params = where + " AND year = %s", [*params, year]
    snapshots, traces = InputSnapshot._meta.db_table, AssessmentTrace._meta.db_table
    with connection.cursor() as cursor:
        for model in (Assessment, AssessmentTrace, MissingFigure):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", params)
        cursor.execute(f"SELECT digest FROM {snapshots} WHERE digest = ANY(%s)", [list(batch.snapshots)])
        existing = [key for (key,) in cursor.fetchall()]
        _copy(cursor, snapshots, SNAPSHOT_COLUMNS, batch.snapshot_lines(skip=existing))
        _copy(cursor, Assessment._meta.db_table, ASSESSMENT_COLUMNS, rows)
        _copy(cursor, traces, TRACE_COLUMNS, batch.traces)
        _copy(cursor, MissingFigure._meta.db_table, MISSING_COLUMNS, batch.missing)
        cursor.execute(
            f"""DELETE FROM {snapshots} s WHERE s.region_id = ANY(%s) AND NOT EXISTS (
                    SELECT 1 FROM {traces} t WHERE t.region_id = s.region_id AND t.snapshot_id = s.digest)""",
            [list(region_ids)],
        )


def _all_region_ids() -> list[int]:
    from apps.reports.selectors import in_force_reports

    return sorted(set(in_force_reports().values_list("region_id", flat=True)))


def _progress(run: RecomputeRun | None, **counts: int) -> None:
    if run is not None:
        RecomputeRun.objects.filter(pk=run.pk).update(**counts)


def recompute(
    *, region_ids: Sequence[int] | None = None, year: int | None = None, run: RecomputeRun | None = None
) -> RecomputeSummary:
    """Recompute the given regions (default: every region with approved data) and their hierarchy checks.

    Everything, all years, on PostgreSQL outside a transaction (the nightly run): the result
    tables are rebuilt beside the live ones and swapped in at the end (`rebuild.py`), so
    readers see the old results until the new ones are complete. Otherwise each chunk of
    regions is computed, then replaced in its own transaction, so a crash leaves every
    region either fully old or fully new. Rerunning is idempotent either way.
    """
    config = load_config()
    whole_table = region_ids is None and year is None
    region_ids = _all_region_ids() if region_ids is None else sorted(set(region_ids))
    _progress(run, regions_total=len(region_ids))
    now = timezone.now()
    if whole_table and rebuild.available():
        return _recompute_whole_table(region_ids, config, now, run)
    summary = _recompute_chunks(region_ids, year, config, now, run)
    hierarchy_recompute(region_ids=region_ids, now=now)
    return summary


def _recompute_chunks(
    region_ids: Sequence[int], year: int | None, config: EngineConfig, now: datetime, run: RecomputeRun | None
) -> RecomputeSummary:
    summary = RecomputeSummary()
    as_text = connection.vendor == "postgresql"
    for start in range(0, len(region_ids), CHUNK_REGIONS):
        chunk = region_ids[start : start + CHUNK_REGIONS]
        batch = _Batch(now, run.pk if run else None, as_text)
        rows = [row for inputs in _load_inputs(chunk, config) for row in batch.add(inputs, year)]
        with transaction.atomic():
            _lock_regions(chunk)
            # A region whose computation failed keeps its previous results.
            _write_regions(batch.done_regions, year, rows, batch)
            _progress(
                run,
                regions_done=start + len(chunk),
                results_written=summary.results + batch.results,
                missing_count=summary.missing + batch.missing_count,
            )
        summary.add(batch, len(chunk))
    return summary


def _recompute_whole_table(
    region_ids: Sequence[int], config: EngineConfig, now: datetime, run: RecomputeRun | None
) -> RecomputeSummary:
    """Compute every region and stream its results into fresh tables, then swap them in.

    The work overlaps on the machine's cores: a helper thread reads the next chunk's inputs
    (on its own connection) and PostgreSQL stores each block of rows while Python computes
    the next.
    """
    summary = RecomputeSummary()
    chunks = [region_ids[i : i + CHUNK_REGIONS] for i in range(0, len(region_ids), CHUNK_REGIONS)]
    with (
        rebuild.Rebuild(REBUILT_MODELS, lock=(TABLE_LOCK_NAMESPACE, 0)) as tables,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="recompute-helper") as helper,
    ):
        upcoming = helper.submit(_apart, _load_inputs, chunks[0], config) if chunks else None
        for number, chunk in enumerate(chunks):
            assert upcoming is not None
            loaded = upcoming.result()
            if number + 1 < len(chunks):
                upcoming = helper.submit(_apart, _load_inputs, chunks[number + 1], config)
            batch = _Batch(now, run.pk if run else None, as_text=True)
            with connection.cursor() as cursor:
                _copy(
                    cursor,
                    tables[Assessment],
                    ASSESSMENT_COLUMNS,
                    _BlockReader(batch.add(inputs, None) for inputs in loaded),
                )
                _copy(cursor, tables[InputSnapshot], SNAPSHOT_COLUMNS, batch.snapshot_lines())
                _copy(cursor, tables[AssessmentTrace], TRACE_COLUMNS, batch.traces)
                _copy(cursor, tables[MissingFigure], MISSING_COLUMNS, batch.missing)
            summary.add(batch, len(chunk))
            _progress(
                run,
                regions_done=summary.regions,
                results_written=summary.results,
                missing_count=summary.missing,
            )
        # PostgreSQL indexes the new tables while Python does §12 (every energy_total in force
        # has just been read: no need to read them again); then the swap.
        indexing = helper.submit(_apart, tables.build_indexes)
        hierarchy_recompute(region_ids=region_ids, now=now, totals=summary.energy_totals)
        indexing.result()
        tables.swap()
    return summary


def hierarchy_recompute(
    *,
    region_ids: Sequence[int],
    now: datetime | None = None,
    totals: dict[tuple[int, int], float] | None = None,
) -> int:
    """Methodology §12 for the parents of the given regions (and the regions themselves).

    ``totals``: every approved energy_total in force by (region, year), when the caller has
    them all already (a run over every region); otherwise they are read.
    """
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
    if totals is None:
        totals = {}
        reports = in_force_reports().filter(region_id__in=involved).values("pk")
        for region_id, year, value in ReportValue.objects.filter(
            report__in=reports, indicator__code="energy_total", value__isnull=False
        ).values_list("report__region_id", "report__year", "value"):
            totals[region_id, year] = float(value)
    involved_ids = set(involved)
    years = {year for region_id, year in totals if region_id in involved_ids}
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
