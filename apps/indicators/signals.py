"""Signals sent after a change to the catalog has been committed.

``catalog_changed`` is sent by every write service of the indicators app (and by the
targets app's plan-period assignment) from ``transaction.on_commit``, so a receiver
only ever sees committed data and nothing is sent when the change rolls back.

Keyword arguments:

- ``kind``: what changed, one of
  ``"factor_set"`` (a set's name, a fuel factor, or which set is the default),
  ``"grid"`` (a grid, one of its yearly factors, its assigned regions, or which grid is the default),
  ``"rule_set"`` (a rule set's flags or progress method),
  ``"indicator"`` (an indicator's definition in the catalog),
  ``"period"`` (a plan period's rule set or factor set assignment);
- ``object_id``: the primary key of the changed EmissionFactorSet, Grid, RuleSet,
  Indicator or PlanPeriod.

``sender`` is the model class of that object. The monitoring app connects a recompute
of the affected assessments to it, e.g.::

    from apps.indicators.signals import catalog_changed

    @receiver(catalog_changed)
    def recompute_after_catalog_change(sender, *, kind, object_id, **kwargs): ...

Receivers are called with ``send_robust``: a failing receiver is logged and does not
turn a committed change into an error page.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

catalog_changed = Signal()

KINDS = frozenset({"factor_set", "grid", "rule_set", "indicator", "period"})


def send_catalog_changed_on_commit(sender: type, *, kind: str, object_id: int) -> None:
    """Queue ``catalog_changed`` for when the current transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown catalog kind {kind!r}")

    def send() -> None:
        for receiver, result in catalog_changed.send_robust(sender=sender, kind=kind, object_id=object_id):
            if isinstance(result, Exception):
                logger.error(
                    "catalog_changed receiver %r failed for %s %s",
                    receiver,
                    kind,
                    object_id,
                    exc_info=(type(result), result, result.__traceback__),
                )

    transaction.on_commit(send)
