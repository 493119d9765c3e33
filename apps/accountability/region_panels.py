"""The region dashboard's card of open rectifications (`apps.dashboards.panels`): the region's
rectification tasks not yet accepted that the user may read, and for each whether the warning
that made the case cleared in the next year's figures."""

from __future__ import annotations

from django.utils import timezone

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core.cache import history_model
from apps.monitoring import metrics
from apps.monitoring.models import Assessment

from . import selectors
from .models import CaseEvent, Decision, RectificationTask


def open_rectifications(user, region) -> tuple[str, dict] | None:
    if not any(
        scoping.can(user, action, region=region)
        for action in (Action.DECIDE_ACCOUNTABILITY, Action.READ_ACCOUNTABILITY)
    ):
        return None
    tasks = list(selectors.open_tasks_for_region(user, region)[:20])
    if not tasks:
        return None
    wanted = {(t.decision.candidate.year + 1, t.decision.candidate.metric) for t in tasks}
    levels = {
        (year, metric): level
        for year, metric, level in Assessment.objects.filter(
            region=region, year__in={y for y, _m in wanted}, metric__in={m for _y, m in wanted}
        ).values_list("year", "metric", "level")
    }
    today = timezone.localdate()
    rows = []
    for task in tasks:
        candidate = task.decision.candidate
        level = levels.get((candidate.year + 1, candidate.metric), "")
        rows.append(
            {
                "task": task,
                "case": candidate,
                "overdue": task.is_overdue(today),
                "next_year": candidate.year + 1,
                "next_level": level,
                "next_label": metrics.text_label(level) if level else "",
            }
        )
    return "accountability/_region_rectifications.html", {"rows": rows, "region": region}


PANELS = [open_rectifications]


def STAMPS() -> list:
    """What the card shows moves with every decision, task change and case event (the figures
    of the next year are versioned by the dashboard's own stamp)."""
    return [
        history_model(RectificationTask).objects.all(),
        history_model(Decision).objects.all(),
        CaseEvent.objects.all(),
    ]
