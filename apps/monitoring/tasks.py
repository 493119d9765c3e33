"""Thin Celery tasks: they take ids and call services (idempotent, acks_late, retried on connection loss).

No task stores a result (CELERY_TASK_IGNORE_RESULT): a run's outcome is its RecomputeRun row.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError

from . import services

RETRY_ON = (OperationalError, InterfaceError, ConnectionError)
logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=RETRY_ON,
    retry_backoff=5,
    retry_kwargs={"max_retries": 5},
)
def recompute_run(self, run_id: int) -> dict:
    run = services.run_execute(run_id)
    return {"run": run.pk, "status": run.status, "results": run.results_written}


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=RETRY_ON,
    retry_backoff=5,
    retry_kwargs={"max_retries": 5},
)
def recompute_nightly() -> dict:
    """Beat's nightly full recompute, recorded as a run like any other."""
    run = services.run_create(reason="nightly full recompute")
    run = services.run_execute(run.pk)
    return {"run": run.pk, "status": run.status, "results": run.results_written}


def publish(run_id: int) -> bool:
    """Hand a run's task to the broker; whether that worked. Never raises: the caller's write
    has committed already, and a run whose task could not be sent is published by the sweep."""
    if recompute_run.app.conf.task_always_eager:  # no broker (SQLite, tests): the run is done here
        recompute_run.apply_async((run_id,), ignore_result=True)
        return True
    try:
        result = recompute_run.apply_async((run_id,), ignore_result=True)
    except Exception:  # kombu/redis raise many kinds (OperationalError, ConnectionError, timeouts)
        logger.exception("run %s: could not be dispatched (broker unreachable); the sweep will retry", run_id)
        return False
    try:
        services.run_mark_dispatched(run_id, result.id or "")
    except Exception:  # the database is gone right after the commit: the sweep copes either way
        logger.exception("run %s: dispatched, but not recorded as dispatched", run_id)
    return True


def sweep() -> list[int]:
    """Dispatch again every run whose dispatch failed or whose worker died (the ids claimed).

    Safe to run any time and concurrently: claims skip rows another sweep holds, a run alive in
    a worker is never claimed (its advisory lock), and the task ignores a run done already or
    being executed. A run whose new dispatch fails too is found again by the next sweep.
    """
    claimed = services.runs_claim_for_dispatch()
    for run_id in claimed:
        if not publish(run_id):
            services.run_mark_undispatched(run_id)
    return claimed


@shared_task(ignore_result=True, autoretry_for=RETRY_ON, retry_backoff=5, retry_kwargs={"max_retries": 3})
def sweep_runs() -> list[int]:
    """Beat (every minute) and every worker start: `sweep`."""
    return sweep()


@worker_ready.connect
def _sweep_when_a_worker_starts(sender=None, **kwargs) -> None:
    """A worker that starts (perhaps replacing a killed one) sweeps at once, not at the next minute."""
    try:
        sweep_runs.apply_async(ignore_result=True)
    except Exception:
        logger.exception("sweep at worker start: could not be queued; beat's sweep follows")
