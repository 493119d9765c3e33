"""The ledger follows monitoring through its signal (monitoring never imports accountability)."""

from __future__ import annotations

import logging

from . import tasks

logger = logging.getLogger(__name__)


def on_run_finished(sender, *, run_id: int, region_ids=None, year=None, **kwargs) -> None:
    """A recompute run is done: refresh the candidates of its scope (a task of its own)."""
    ids = list(region_ids) if region_ids is not None else None
    try:
        tasks.candidates_refresh.apply_async((run_id, ids, year), ignore_result=True)
    except Exception:  # the broker is down: the next run refreshes everything it covers
        logger.exception("run %s: candidates refresh could not be queued", run_id)
