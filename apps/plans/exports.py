"""xlsx exports of the (already scoped and filtered) plan and measure lists (the core writer)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exports import download, people_xlsx


def _response(content: bytes, stem: str) -> HttpResponse:
    return download(content, f"{stem}-{timezone.localdate().isoformat()}.xlsx")


def plans_xlsx(plans, *, filters: list[str] = ()) -> HttpResponse:
    header = [
        _("ID"),
        _("Region"),
        _("Region code"),
        _("Sector"),
        _("Title"),
        _("Lead department"),
        _("Peak year"),
        _("Status"),
        _("Adopted on"),
        _("Targets"),
        _("Measures"),
        _("Measures done"),
        _("Overdue measures"),
        _("Overdue milestones"),
        _("Updated at"),
    ]
    rows = (
        [
            p.pk,
            p.region.name,
            p.region.code,
            p.sector.display_name,
            p.title,
            p.lead_department.display_name,
            p.peak_year,
            p.get_status_display(),
            p.adopted_on,
            p.target_count,
            p.measure_count,
            p.measures_done,
            p.overdue_measures,
            p.overdue_milestones,
            p.updated_at,
        ]
        for p in plans
    )
    return _response(people_xlsx(_("Sector peak plans"), header, rows, filters=filters), "sector-plans")


def measures_xlsx(measures, *, filters: list[str] = ()) -> HttpResponse:
    header = [
        _("ID"),
        _("Plan"),
        _("Region"),
        _("Region code"),
        _("Sector"),
        _("Measure"),
        _("Responsible department"),
        _("Start date"),
        _("Due date"),
        _("Status"),
        _("Completed on"),
        _("Overdue"),
        _("Milestones done"),
        _("Milestones"),
        _("Overdue milestones"),
        _("Last progress note"),
    ]
    rows = (
        [
            m.pk,
            m.plan.title,
            m.plan.region.name,
            m.plan.region.code,
            m.plan.sector.display_name,
            m.title,
            m.responsible_department.display_name,
            m.start_date,
            m.due_date,
            m.get_status_display(),
            m.completed_on,
            _("yes") if m.overdue else _("no"),
            m.milestones_done,
            m.milestone_count,
            m.overdue_milestones,
            m.last_note_on,
        ]
        for m in measures
    )
    return _response(people_xlsx(_("Measures"), header, rows, filters=filters), "plan-measures")
