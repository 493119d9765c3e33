"""The report page's "recovery plans" panel: planner scenarios attached to the report."""

from __future__ import annotations

from apps.accounts import scoping
from apps.accounts.scoping import Action

from .scenarios import scenarios_for_report


def recovery_plans(user, report) -> tuple[str, dict] | None:
    if not scoping.can(user, Action.READ_SCENARIOS, region=report.region):
        return None
    plans = list(scenarios_for_report(user, report).select_related("created_by"))
    if not plans and not scoping.can(user, Action.SAVE_SCENARIO, region=report.region):
        return None
    return "dashboards/_report_recovery_plans.html", {"recovery_plans": plans, "report": report}


PANELS = [recovery_plans]
