"""Recompute runs: what a run covers, how it is queued, executed and recorded.

A run reads the inputs of a chunk of regions (`inputs.py`), computes them into rows and writes
them (`results.py`): each chunk replaced in its own transaction, so a region's results are never
half old and half new, or, for the nightly run over everything, streamed into fresh tables while
computing and swapped in at the end (`rebuild.py`). Runs are recorded as `RecomputeRun` rows,
queued by `dispatch.py` after the triggering transaction commits (approvals, target and catalog
changes, people) and executed here by the Celery task (`tasks.py`).
Two recomputes touching the same regions serialise on per-region advisory locks; every
region-scoped write waits while a whole-table rebuild runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from django.db import connection, transaction
from django.utils import timezone

from apps.regions.models import Region

from . import inputs, rebuild, results, selectors
from .inputs import EngineConfig
from .models import RecomputeRun, RunStatus
from .results import Batch

CHUNK_REGIONS = 400
T = TypeVar("T")


@dataclass
class RecomputeSummary:
    regions: int = 0
    results: int = 0
    missing: int = 0
    errors: list[str] = field(default_factory=list)

    energy_totals: dict[tuple[int, int], float] = field(default_factory=dict)

    def add(self, batch: Batch, regions: int) -> None:
        self.regions += regions
        self.results += batch.results
        self.missing += batch.missing_count
        self.errors.extend(batch.errors)
        self.energy_totals.update(batch.energy_totals)


def _apart(function: Callable[..., T], *args: object) -> T:
    """Call ``function`` on this (helper) thread's own database connection, closed afterwards."""
    try:
        return function(*args)
    finally:
        connection.close()


def load_inputs(region_ids: Sequence[int], config: EngineConfig) -> list[inputs.RegionInputs]:
    """A chunk's engine inputs with the §9 measures scores entered for its regions (set-based)."""
    return inputs.load_inputs(region_ids, config, measures=selectors.stored_measures(region_ids))


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
    config = inputs.load_config()
    whole_table = region_ids is None and year is None
    region_ids = inputs.region_ids_with_data() if region_ids is None else sorted(set(region_ids))
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
    for start in range(0, len(region_ids), CHUNK_REGIONS):
        chunk = region_ids[start : start + CHUNK_REGIONS]
        batch = Batch(now, run.pk if run else None)
        rows = [row for region in load_inputs(chunk, config) for row in batch.add(region, year)]
        with transaction.atomic():
            results.lock_regions(chunk)
            # A region whose computation failed keeps its previous results.
            results.replace_regions(batch.done_regions, year, rows, batch)
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
        rebuild.Rebuild(results.REBUILT_MODELS, lock=(results.TABLE_LOCK_NAMESPACE, 0)) as tables,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="recompute-helper") as helper,
    ):
        upcoming = helper.submit(_apart, load_inputs, chunks[0], config) if chunks else None
        for number, chunk in enumerate(chunks):
            assert upcoming is not None
            loaded = upcoming.result()
            if number + 1 < len(chunks):
                upcoming = helper.submit(_apart, load_inputs, chunks[number + 1], config)
            batch = Batch(now, run.pk if run else None)
            results.write_staged(tables, loaded, batch)
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
    parents, children = inputs.hierarchy(region_ids)
    if totals is None:
        totals = inputs.energy_totals([p.pk for p in parents] + [c for p in parents for c in children[p.pk]])
    checks = results.hierarchy_checks(parents, children, totals, now or timezone.now())
    results.replace_hierarchy_checks(parents, checks)
    return len(checks)


def run_create(
    *, user=None, region: Region | None = None, year: int | None = None, reason: str = ""
) -> RecomputeRun:
    """Record a queued run; its id is the handle people follow (UI progress, API status URL)."""
    return RecomputeRun.objects.create(
        scope_region=region, scope_year=year, reason=reason[:200], triggered_by=user
    )


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
