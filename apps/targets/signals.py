"""Signals of the targets app, sent after the change has been committed.

``targets_changed`` is sent from ``transaction.on_commit`` by every write service of
region targets (`target_set`, `target_delete`, `targets_import`), once per plan period
touched, with keyword arguments:

- ``region_ids``: sorted list of the primary keys of the regions whose targets changed;
- ``period_code``: the plan period's code, e.g. ``"2021-2025"``.

``sender`` is ``RegionTarget``. The monitoring app connects a recompute of those
regions' assessments for that period. Receivers are called with ``send_robust``: a
failing receiver is logged and does not turn a committed change into an error.

A period's rule-set or factor-set assignment is a catalog change: it sends
``apps.indicators.signals.catalog_changed`` with ``kind="period"``.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

targets_changed = Signal()


def send_targets_changed_on_commit(sender: type, *, region_ids, period_code: str) -> None:
    """Queue ``targets_changed`` for when the current transaction commits."""
    region_ids = sorted(set(region_ids))

    def send() -> None:
        for receiver, result in targets_changed.send_robust(
            sender=sender, region_ids=region_ids, period_code=period_code
        ):
            if isinstance(result, Exception):
                logger.error(
                    "targets_changed receiver %r failed for %s",
                    receiver,
                    period_code,
                    exc_info=(type(result), result, result.__traceback__),
                )

    transaction.on_commit(send)
