"""The ledger's section of an oversight summary's problems part (存在的问题): the rectification
(整改) tasks of the region's subtree not yet accepted, found by `apps.oversight.summary_contents`
like `nav.py` (the layers contract lets `apps.*.summary_sections` import it)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from apps.oversight.summary_contents import SummarySection
from apps.regions.models import Region

from .models import RectificationTask, TaskStatus


def open_rectifications(region: Region, year: int, on: date) -> list[dict]:
    """Tasks of the subtree not accepted on `on`: who owes what by when, and whether it is overdue."""
    tasks = (
        RectificationTask.objects.filter(region__path__startswith=region.path)
        .exclude(status=TaskStatus.ACCEPTED)
        .select_related("region", "department", "decision__candidate")
        .order_by("deadline", "region__path", "pk")
    )
    return [
        {
            "region": task.region.name,
            "responsible": task.department.name if task.department_id else task.region.name,
            "case_year": task.decision.candidate.year,
            "task": task.description,
            "deadline": task.deadline.isoformat(),
            "task_status": str(TaskStatus(task.status).label),
            "overdue": str(_("yes") if task.deadline < on else _("no")),
        }
        for task in tasks
    ]


SECTIONS = [
    SummarySection(
        "open_rectifications",
        _("Open rectification (整改) tasks"),
        (
            ("region", _("Region")),
            ("responsible", _("Responsible")),
            ("case_year", _("Year of the case")),
            ("task", _("What is to be done")),
            ("deadline", _("Deadline")),
            ("task_status", _("Status")),
            ("overdue", _("Overdue")),
        ),
        open_rectifications,
        empty=_("No rectification task is open."),
        order=50,
    ),
]
