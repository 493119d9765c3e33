"""The oversight app's own sections of a summary's problems part (存在的问题), found like `nav.py`
(see `summary_contents`): overdue measures by department, flagged hierarchy discrepancies (§12),
annual reports not submitted or late, inquiries not closed. Each reads the region's subtree for
the year, a query or two."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.completeness.selectors import SUBMITTED_STATUSES, deadlines_for
from apps.monitoring.models import HierarchyCheck
from apps.plans.models import Measure
from apps.plans.selectors import overdue_measure_q
from apps.regions.models import Region
from apps.reports.models import Report

from .models import Inquiry, InquiryStatus
from .summary_contents import SummarySection


def overdue_measures(region: Region, year: int, on: date) -> list[dict]:
    """Measures of the subtree's sector plans past their due date and not done, by department."""
    rows = (
        Measure.objects.filter(overdue_measure_q(on), plan__region__path__startswith=region.path)
        .select_related("plan__region", "responsible_department")
        .order_by("responsible_department__name", "due_date", "pk")
    )
    return [
        {
            "department": m.responsible_department.name,
            "region": m.plan.region.name,
            "measure": m.title,
            "due_date": m.due_date.isoformat(),
            "status": m.status,
        }
        for m in rows
    ]


def discrepancies(region: Region, year: int, on: date) -> list[dict]:
    """§12 hierarchy checks flagged in the subtree for the year (own figure vs the children's sum)."""
    rows = (
        HierarchyCheck.objects.filter(region__path__startswith=region.path, year=year, flagged=True)
        .select_related("region")
        .order_by("region__path")
    )
    return [
        {
            "region": c.region.name,
            "own_value": float(c.own_value) if c.own_value is not None else None,
            "children_sum": float(c.children_sum),
            "discrepancy": float(c.discrepancy) if c.discrepancy is not None else None,
        }
        for c in rows
    ]


def reports_missing(region: Region, year: int, on: date) -> list[dict]:
    """Regions of the subtree whose report of the year is not submitted after the deadline, or was late."""
    deadline = deadlines_for([year]).get(year)
    due = deadline.due_date if deadline else None
    first: dict[int, date | None] = {}
    reports = Report.objects.filter(region__path__startswith=region.path, year=year)
    for region_id, status, submitted_at in reports.values_list("region_id", "status", "submitted_at"):
        when = timezone.localtime(submitted_at).date() if submitted_at else None
        if status in SUBMITTED_STATUSES:
            known = first.get(region_id)
            first[region_id] = min(d for d in (known, when) if d) if (known or when) else None
    rows = []
    for r in Region.objects.filter(path__startswith=region.path).order_by("path").only("pk", "name", "path"):
        if r.pk in first:
            when = first[r.pk]
            if due and when and when > due:
                rows.append({"region": r.name, "state": "late", "submitted_on": when.isoformat()})
        elif due and on > due:
            rows.append({"region": r.name, "state": "not_submitted", "submitted_on": ""})
    return rows


def open_inquiries(region: Region, year: int, on: date) -> list[dict]:
    """Inquiries to the subtree's governments and departments not closed on `on` (answered ones
    included: the member has not accepted the answer yet)."""
    rows = (
        Inquiry.objects.filter(region__path__startswith=region.path)
        .exclude(status=InquiryStatus.CLOSED)
        .select_related("region", "department")
        .order_by("deadline", "region__path", "pk")
    )
    return [
        {
            "region": q.region.name,
            "addressee": q.department.name if q.department_id else str(_("The government")),
            "subject": q.subject,
            "deadline": q.deadline.isoformat(),
            "inquiry_status": str(InquiryStatus(q.status).label),
            "overdue": str(_("yes") if q.is_overdue(on) else _("no")),
        }
        for q in rows
    ]


SECTIONS = [
    SummarySection(
        "overdue_measures",
        _("Overdue measures by department"),
        (
            ("department", _("Responsible department")),
            ("region", _("Region")),
            ("measure", _("Measure")),
            ("due_date", _("Due date")),
            ("status", _("Status")),
        ),
        overdue_measures,
        empty=_("No measure is overdue."),
        order=20,
    ),
    SummarySection(
        "discrepancies",
        _("Statistical discrepancies between levels (§12)"),
        (
            ("region", _("Region")),
            ("own_value", _("Own total energy (10⁴ tce)")),
            ("children_sum", _("Sum of the regions below (10⁴ tce)")),
            ("discrepancy", _("Discrepancy (%)")),
        ),
        discrepancies,
        empty=_("No discrepancy is flagged."),
        order=30,
    ),
    SummarySection(
        "reports_missing",
        _("Annual reports not submitted or late"),
        (("region", _("Region")), ("state", _("State")), ("submitted_on", _("Submitted on"))),
        reports_missing,
        empty=_("Every report was submitted in time."),
        order=40,
    ),
    SummarySection(
        "open_inquiries",
        _("Inquiries not yet closed"),
        (
            ("region", _("Region")),
            ("addressee", _("Addressed to")),
            ("subject", _("Subject")),
            ("deadline", _("Answer due")),
            ("inquiry_status", _("Status")),
            ("overdue", _("Overdue")),
        ),
        open_inquiries,
        empty=_("No inquiry is open."),
        order=60,
    ),
]
