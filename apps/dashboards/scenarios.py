"""Saved planner scenarios: the writes (save, attach to a report as its recovery plan, delete)
and the reads, each taking the acting user and asking `scoping` once."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.monitoring.years import data_version
from apps.regions.models import Region
from apps.reports.models import Report, ReportStatus
from apps.reports.selectors import can_read, readable_reports
from apps.targets.models import PlanPeriod

from . import planner
from .models import Scenario

NAME_MAX = 200


def _person(user):
    return user if getattr(user, "pk", None) else None


@transaction.atomic
def scenario_save(*, user, region: Region, name: str, assumptions: Sequence[dict]) -> Scenario:
    """Save the user's assumptions for the region's remaining years with the outcome the engine
    gives for them now and the data version it was computed on (SAVE_SCENARIO at the region)."""
    scoping.require(user, Action.SAVE_SCENARIO, region=region)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the scenario a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(n)s characters.") % {"n": NAME_MAX}]
    try:
        outcome = planner.what_if(region, assumptions)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
        outcome = None
    if errors or outcome is None:
        raise ValidationError(errors)
    version = data_version()
    return Scenario.objects.create(
        region=region,
        name=name,
        period=PlanPeriod.objects.get(code=outcome["period"]),
        latest_year=outcome["latest_year"],
        assumptions=[row["assumption"] for row in outcome["years"]],
        outcome=outcome,
        data_run_id=version.run_id,
        data_finished_at=version.finished_at,
        spec_version=version.spec_version,
        created_by=_person(user),
    )


def wrong_report_message() -> str:
    """One answer for a report of another region, one the user may not read and an unknown id,
    so that the answer never reveals whether a report exists (roles.md)."""
    return _("Attach the scenario to a report of its own region.")


@transaction.atomic
def scenario_attach_to_report(*, user, scenario: Scenario, report: Report) -> Scenario:
    """Attach a scenario to one of its region's annual reports as the report's recovery plan
    (SAVE_SCENARIO at the region; the report must be the region's and readable by the user)."""
    scoping.require(user, Action.SAVE_SCENARIO, region=scenario.region)
    if report.region_id != scenario.region_id or not can_read(user, report):
        raise ValidationError({"report": [wrong_report_message()]})
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    scenario.attached_report = report
    scenario.attached_by = _person(user)
    scenario.attached_at = timezone.now()
    scenario.save(update_fields=["attached_report", "attached_by", "attached_at"])
    return scenario


@transaction.atomic
def scenario_delete(*, user, scenario: Scenario) -> None:
    """Delete a scenario (history keeps it). A recovery plan of an approved report stays: the
    approved report is immutable, and so is what it cites."""
    scoping.require(user, Action.SAVE_SCENARIO, region=scenario.region)
    if scenario.attached_report_id and scenario.attached_report.status == ReportStatus.APPROVED:
        raise ValidationError(
            {
                "scenario": [
                    _("This scenario is the recovery plan of an approved report and cannot be deleted.")
                ]
            }
        )
    scenario.delete()


# ---- reads --------------------------------------------------------------------------------------------


def scenarios_for(user) -> QuerySet[Scenario]:
    """Scenarios the user may read (READ_SCENARIOS)."""
    return scoping.restrict(
        Scenario.objects.select_related("region", "period", "created_by", "attached_report"),
        user,
        Action.READ_SCENARIOS,
    )


def scenarios_of_region(user, region: Region) -> QuerySet[Scenario]:
    return scenarios_for(user).filter(region=region)


def scenarios_for_report(user, report: Report) -> QuerySet[Scenario]:
    """The recovery plans attached to a report, as the user may read them (report detail page)."""
    return scenarios_for(user).filter(attached_report=report)


def attachable_reports(user, region: Region) -> list[Report]:
    """The region's reports a scenario may be attached to, latest first (those the user reads)."""
    return list(
        readable_reports(user).filter(region=region).select_related("region").order_by("-year", "-revision")
    )
