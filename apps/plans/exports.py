"""xlsx exports of the (already scoped and filtered) plan and measure lists (the core writer)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exports import download, table_xlsx


def _workbook(title: str, header: list[str], rows) -> bytes:
    return table_xlsx(title, [str(h) for h in header], rows)


def _response(content: bytes, stem: str) -> HttpResponse:
    return download(content, f"{stem}-{timezone.localdate().isoformat()}.xlsx")


def plans_xlsx(plans) -> HttpResponse:
    header = [
        _("ID"),
        _("Region code"),
        _("Region"),
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
            p.region.code,
            p.region.name,
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
            timezone.localtime(p.updated_at).replace(tzinfo=None),
        ]
        for p in plans
    )
    return _response(_workbook(_("Sector peak plans"), header, rows), "sector-plans")


def measures_xlsx(measures) -> HttpResponse:
    header = [
        _("ID"),
        _("Plan"),
        _("Region code"),
        _("Region"),
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
            m.plan.region.code,
            m.plan.region.name,
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
    return _response(_workbook(_("Measures"), header, rows), "plan-measures")
