"""Recompute runs: what a run covers, how it is queued, executed and recorded.

A run reads the inputs of a chunk of regions (`inputs.py`), computes them into rows and writes
them (`results.py`): each chunk replaced in its own transaction, so a region's results are never
half old and half new, or, for the nightly run over everything, streamed into fresh tables while
computing and swapped in at the end (`rebuild.py`). Runs are recorded as `RecomputeRun` rows,
queued by `dispatch.py` after the triggering transaction commits (approvals, target and catalog
changes, people) and executed here by the Celery task (`tasks.py`).
Two recomputes touching the same regions serialise on per-region advisory locks; every
region-scoped write waits while a whole-table rebuild runs. A run itself is executed under its
own advisory lock (`run_lock`), held for as long as a worker executes it: a second delivery of
the same run (Redis's redelivery, the sweep) does nothing while the first is alive, and a run
`running` whose lock nobody holds was left by a dead worker (`runs_claim_for_dispatch`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.regions.models import Region

from . import inputs, rebuild, results, selectors
from .inputs import EngineConfig
from .models import RecomputeRun, RunStatus
from .results import Batch
from .signals import run_finished

CHUNK_REGIONS = 400
RUN_LOCK_NAMESPACE = 7303  # advisory-lock keys (7303, run id): held while a worker executes the run
logger = logging.getLogger(__name__)
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
    """Record a run's progress; also its heartbeat, which tells the sweep the worker lives."""
    if run is not None:
        RecomputeRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now(), **counts)


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


@contextmanager
def run_lock(run_id: int) -> Iterator[bool]:
    """Whether this process may execute the run: True once it holds the run's advisory lock.

    A session lock on PostgreSQL, released on leaving (or by PostgreSQL when the worker's
    connection dies with it: a SIGKILLed worker's runs become free at once). Elsewhere
    (SQLite: tasks run in-process) always True.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_NAMESPACE, run_id])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_NAMESPACE, run_id])
            except DatabaseError:  # the connection is gone, and the lock with it
                logger.warning("run %s: lock not released (connection lost); ended with it", run_id)


def run_execute(run_id: int) -> RecomputeRun:
    """Body of the task: mark running, recompute its scope, mark done (or failed with the error).

    Idempotent: a run done already, or being executed by another worker right now (its lock
    is held), is left alone, so redelivered and re-dispatched tasks never run it twice at once.
    """
    with run_lock(run_id) as mine:
        run = RecomputeRun.objects.get(pk=run_id)
        if run.status == RunStatus.DONE:
            return run  # a redelivered task finds the work already done
        if not mine:
            logger.info("run %s is being executed by another worker; this delivery does nothing", run_id)
            return run
        return _execute(run)


def _execute(run: RecomputeRun) -> RecomputeRun:
    now = timezone.now()
    RecomputeRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=run.attempts + 1
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
        heartbeat_at=timezone.now(),
        regions_done=summary.regions,
        results_written=summary.results,
        missing_count=summary.missing,
        errors=summary.errors,
    )
    run.refresh_from_db()
    _announce(run, region_ids)
    return run


def _announce(run: RecomputeRun, region_ids: Sequence[int] | None) -> None:
    """Tell the apps above (`signals.run_finished`) that the run's results are stored."""
    answers = run_finished.send_robust(
        sender=RecomputeRun, run_id=run.pk, region_ids=region_ids, year=run.scope_year
    )
    for receiver, answer in answers:
        if isinstance(answer, Exception):
            logger.error("run %s: receiver %r of run_finished failed: %r", run.pk, receiver, answer)


def run_mark_dispatched(run_id: int, task_id: str) -> None:
    """The run's task is with the broker (dispatch.py): the sweep leaves it to the workers."""
    RecomputeRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        dispatched_at=timezone.now(), task_id=task_id[:64]
    )


def run_mark_undispatched(run_id: int) -> None:
    """Its task could not be published after all: the next sweep tries again."""
    RecomputeRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(dispatched_at=None)


def _visibility_timeout() -> int:
    return int(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600))


def _nobody_runs(run_id: int) -> bool:
    """Whether no live worker holds the run's lock (PostgreSQL; elsewhere the timeout decides)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objid = %s AND objsubid = 2)",
            [RUN_LOCK_NAMESPACE, run_id],
        )
        return bool(cursor.fetchone()[0])


def runs_claim_for_dispatch(now: datetime | None = None) -> list[int]:
    """The runs the sweep dispatches again (ids), claimed so that a concurrent sweep skips them.

    - queued, and no task published for RECOMPUTE_REDISPATCH_AFTER seconds (the broker was
      down when it was queued), or published longer ago than the broker's visibility timeout
      (the message is lost, e.g. a Redis restarted without its data);
    - running, without progress for RECOMPUTE_STALE_AFTER seconds and, on PostgreSQL, with
      nobody holding its lock: its worker died (SIGKILL, out of memory, a lost machine). Without
      advisory locks only a run silent for longer than the hard task time limit counts as dead.
    Each claimed run is put back to queued with `dispatched_at` set now; the caller publishes it.
    Repeating the sweep is harmless: the tasks are idempotent (`run_execute`).
    """
    now = now or timezone.now()
    not_sent = now - timedelta(seconds=settings.RECOMPUTE_REDISPATCH_AFTER)
    lost = now - timedelta(seconds=_visibility_timeout())
    if connection.vendor == "postgresql":
        stale = now - timedelta(seconds=settings.RECOMPUTE_STALE_AFTER)
    else:
        stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimed: list[int] = []
    with transaction.atomic():
        candidates = (
            RecomputeRun.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=RunStatus.QUEUED, dispatched_at__isnull=True, created_at__lte=not_sent)
                | Q(status=RunStatus.QUEUED, dispatched_at__lte=lost)
                | Q(status=RunStatus.RUNNING, heartbeat_at__lte=stale)
                | Q(status=RunStatus.RUNNING, heartbeat_at__isnull=True, started_at__lte=stale)
            )
            .order_by("pk")
            .only("pk", "status")
        )
        for run in candidates:
            if run.status == RunStatus.RUNNING and not _nobody_runs(run.pk):
                continue  # its worker is alive, only quiet
            claimed.append(run.pk)
        RecomputeRun.objects.filter(pk__in=claimed).update(status=RunStatus.QUEUED, dispatched_at=now)
    for run_id in claimed:
        logger.warning("run %s: dispatched again by the sweep (dispatch failed or its worker died)", run_id)
    return claimed
