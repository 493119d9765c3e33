"""Queueing recompute runs: after the triggering transaction commits, one Celery task per run.

Triggers (approvals, target and catalog changes, a person's "recompute") call `run_queue` or
`run_start`; bulk writers (an approving import, demo seeding) wrap their work in
`recompute_batched()` so that their many triggers make one run. Kept apart from `services.py`
(what a run does), which the task imports, so that no module cycle joins them.

A write never fails because of the broker: a task that cannot be published (broker down or
unreachable) is logged with its run id and the run stays `queued`; the sweep (`tasks.sweep`,
every minute from beat and at every worker start) publishes it again, and also re-dispatches
runs left `running` by a dead worker (`services.runs_claim_for_dispatch`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from apps.accounts import scoping
from apps.regions.models import Region

from . import services
from .models import RecomputeRun
from .tasks import publish, sweep

__all__ = ["publish", "recompute_batched", "run_queue", "run_start", "sweep"]


def run_start(
    *, user, region: Region | None = None, year: int | None = None, reason: str = ""
) -> RecomputeRun:
    """A person starts a recompute: permission-checked, queued after commit."""
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
    run = services.run_create(user=user, region=region, year=year, reason=reason)
    transaction.on_commit(lambda: publish(run.pk))
    return run
