"""Reads over sector plans shared by the views, the API and the exports.

Every queryset here is already narrowed by `apps.accounts.scoping`, so callers cannot
forget the user's jurisdiction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts import scoping
from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.scoping import Action
from apps.core import history
from apps.indicators.models import Indicator

from .models import Measure, MeasureStatus, Milestone, PlanTarget, ProgressNote, SectorPlan


def today() -> date:
    return timezone.localdate()


# ---- scope -------------------------------------------------------------------------------------


def readable_plans(user) -> QuerySet[SectorPlan]:
    """Plans in the user's read scope (roles.md v1.1: region and department staff the plans of
    their subtree and of the regions above it, congress members their subtree, officials all)."""
    return scoping.restrict(SectorPlan.objects.all(), user, Action.READ_PLANS)


def editable_plans(user) -> QuerySet[SectorPlan]:
    """Plans the user may edit: for department staff, those led by their department kind."""
    return scoping.restrict(SectorPlan.objects.all(), user, Action.EDIT_PLANS)


def readable_measures(user) -> QuerySet[Measure]:
    """Measures of readable plans and, for department staff, measures their own department
    carries out (roles.md v1.1: "plus measures whose responsible department is their own",
    i.e. the departments they act for: their kind in their subtree), whatever plan holds them.

    Region staff and congress members read measures through their plans only, so a measure of
    a plan they may not read is never listed (the plan, its sub-lists and the measure: 404).
    """
    by_plan = scoping.restrict(Measure.objects.all(), user, Action.READ_PLANS, region_field="plan__region")
    if scoping.is_admin(user) or getattr(user, "role", None) != Role.DEPARTMENT_STAFF:
        return Measure.objects.filter(pk__in=by_plan.values("pk"))
    own = scoping.departments_for(user, Action.EDIT_PLANS)
    return Measure.objects.filter(Q(pk__in=by_plan.values("pk")) | Q(responsible_department__in=own))


def editable_measures(user) -> QuerySet[Measure]:
    """Measures of plans the user may edit, and measures their department kind is responsible for."""
    by_department = scoping.restrict(
        Measure.objects.all(), user, Action.EDIT_PLANS, region_field="responsible_department__region"
    )
    return Measure.objects.filter(
        Q(plan__in=editable_plans(user).values("pk")) | Q(pk__in=by_department.values("pk"))
    )


def reachable_plans(user) -> QuerySet[SectorPlan]:
    """Plans the user reads, and plans holding a measure the user reads (the way into that
    measure's milestones and notes for a department responsible for it)."""
    return SectorPlan.objects.filter(
        Q(pk__in=readable_plans(user).values("pk")) | Q(pk__in=readable_measures(user).values("plan_id"))
    )


def can_read_plan(user, plan: SectorPlan) -> bool:
    return readable_plans(user).filter(pk=plan.pk).exists()


def can_edit_plan(user, plan: SectorPlan) -> bool:
    return scoping.can(user, Action.EDIT_PLANS, department=plan.lead_department)


def can_edit_measure(user, measure: Measure) -> bool:
    return can_edit_plan(user, measure.plan) or scoping.can(
        user, Action.EDIT_PLANS, department=measure.responsible_department
    )


def may_create_plans(user) -> bool:
    return scoping.scope_of(user, Action.EDIT_PLANS) is not None


# ---- overdue -----------------------------------------------------------------------------------


def overdue_measure_q(on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}due_date__lt": on}) & ~Q(**{f"{prefix}status": MeasureStatus.DONE})


def overdue_milestone_q(on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}due_date__lt": on, f"{prefix}done_on__isnull": True})


def with_overdue(measures: QuerySet[Measure], on: date | None = None) -> QuerySet[Measure]:
    """Annotate `overdue` (past due and not done) and milestone counts on measures."""
    on = on or today()
    return measures.annotate(
        overdue=Case(
            When(overdue_measure_q(on), then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        milestone_count=_count(Milestone.objects.filter(measure=OuterRef("pk"))),
        milestones_done=_count(Milestone.objects.filter(measure=OuterRef("pk"), done_on__isnull=False)),
        overdue_milestones=_count(Milestone.objects.filter(overdue_milestone_q(on), measure=OuterRef("pk"))),
        last_note_on=Subquery(
            ProgressNote.objects.filter(measure=OuterRef("pk")).order_by("-date", "-id").values("date")[:1]
        ),
    )


def with_counts(plans: QuerySet[SectorPlan], on: date | None = None) -> QuerySet[SectorPlan]:
    """Annotate target, measure and overdue counts (subqueries: no join fan-out)."""
    on = on or today()
    return plans.annotate(
        target_count=_count(PlanTarget.objects.filter(plan=OuterRef("pk"))),
        measure_count=_count(Measure.objects.filter(plan=OuterRef("pk"))),
        measures_done=_count(Measure.objects.filter(plan=OuterRef("pk"), status=MeasureStatus.DONE)),
        overdue_measures=_count(Measure.objects.filter(overdue_measure_q(on), plan=OuterRef("pk"))),
        overdue_milestones=_count(
            Milestone.objects.filter(overdue_milestone_q(on), measure__plan=OuterRef("pk"))
        ),
    )


def plans_with_overdue(plans: QuerySet[SectorPlan], overdue: bool, on: date | None = None):
    on = on or today()
    late = Exists(Measure.objects.filter(overdue_measure_q(on), plan=OuterRef("pk"))) | Exists(
        Milestone.objects.filter(overdue_milestone_q(on), measure__plan=OuterRef("pk"))
    )
    return plans.filter(late) if overdue else plans.exclude(late)


def measures_with_overdue(measures: QuerySet[Measure], overdue: bool, on: date | None = None):
    on = on or today()
    late = overdue_measure_q(on) | Q(
        Exists(Milestone.objects.filter(overdue_milestone_q(on), measure=OuterRef("pk")))
    )
    return measures.filter(late) if overdue else measures.exclude(late)


def _count(qs: QuerySet) -> Coalesce:
    """COUNT(*) of a correlated subquery (no GROUP BY, no join fan-out in the outer query)."""
    return Coalesce(
        Subquery(qs.order_by().annotate(c=Func(F("pk"), function="COUNT")).values("c")[:1]),
        0,
        output_field=IntegerField(),
    )


# ---- lists and pages ---------------------------------------------------------------------------


def plan_list(user, on: date | None = None) -> QuerySet[SectorPlan]:
    return with_counts(
        readable_plans(user).select_related("sector", "region", "lead_department", "lead_department__region"),
        on,
    ).order_by("region__path", "sector_id", "title")


def measure_list(user, on: date | None = None) -> QuerySet[Measure]:
    return with_overdue(
        readable_measures(user).select_related(
            "plan",
            "plan__region",
            "plan__sector",
            "plan__lead_department",
            "plan__lead_department__region",
            "responsible_department",
            "responsible_department__region",
        ),
        on,
    ).order_by("due_date", "plan__region__path", "id")


@dataclass
class OverdueItems:
    measures: list[Measure]
    milestones: list[Milestone]

    def __bool__(self) -> bool:
        return bool(self.measures or self.milestones)


def overdue_items(plan: SectorPlan, on: date | None = None) -> OverdueItems:
    """What is late in a plan: measures past due and not done, milestones past due and not done."""
    on = on or today()
    return OverdueItems(
        measures=list(
            plan.measures.filter(overdue_measure_q(on))
            .select_related("responsible_department")
            .order_by("due_date")
        ),
        milestones=list(
            Milestone.objects.filter(overdue_milestone_q(on), measure__plan=plan)
            .select_related("measure")
            .order_by("due_date")
        ),
    )


def timeline_rows(plan: SectorPlan, on: date | None = None) -> list[dict]:
    """Plain rows for `figures.measure_timeline` and its accessible table."""
    on = on or today()
    measures = list(plan.measures.select_related("responsible_department").prefetch_related("milestones"))
    return [
        {
            "id": m.pk,
            "title": m.title,
            "department": m.responsible_department.display_name,
            "start": m.start_date,
            "due": m.due_date,
            "status": m.status,
            "status_label": m.get_status_display(),
            "completed_on": m.completed_on,
            "overdue": m.is_overdue(on),
            "milestones": [
                {
                    "title": ms.title,
                    "due": ms.due_date,
                    "done_on": ms.done_on,
                    "overdue": ms.is_overdue(on),
                }
                for ms in m.milestones.all()
            ],
        }
        for m in measures
    ]


# ---- history -----------------------------------------------------------------------------------


HISTORY_ACTIONS = list(history.ACTIONS.items())  # simple_history's history_type, and its name
_ACTION_CODES = {name: code for code, name in HISTORY_ACTIONS}


@dataclass
class HistoryEntry:
    when: datetime
    user: str
    kind: str  # plan / target / measure / milestone / progress note (verbose name)
    object_label: str
    action: str  # "+", "~", "-"
    changes: list[history.Change] = field(default_factory=list)


_HISTORY_STYLE = history.Style(
    # Bookkeeping, and the parent a child row belongs to (named in the entry's label instead).
    skip=frozenset(
        {"id", "created_at", "updated_at", "created_by", "updated_by", "attachment", "plan", "measure"}
    ),
    empty="",  # the page shows "—"; the API gives ""
    nobody="—",
    trim_decimals=True,
    field_order=True,
    labels={Indicator: lambda i: i.name, User: history.user_label},
)


def plan_history(plan: SectorPlan, limit: int | None = None) -> list[HistoryEntry]:
    """Every recorded change of the plan and of its targets, measures, milestones and notes,
    newest first, with field-level differences (a fixed number of queries)."""
    versions = Measure.history.filter(plan_id=plan.pk).order_by("history_date", "history_id")
    measure_titles = dict(versions.values_list("id", "title"))  # every measure the plan had: its latest title
    measure_ids = list(measure_titles)

    def in_measure(suffix):
        return lambda r: f"{measure_titles.get(r.measure_id, '')} › {suffix(r)}"

    def target_label(r):
        metric = r.metric_name or (r.indicator.name if r.indicator else "")
        return f"{metric} ({r.target_year})"

    entries = history.merged_timeline(
        # Entries at the same instant keep this order: the parts before the plan.
        [
            (ProgressNote.history.filter(measure_id__in=measure_ids), in_measure(lambda r: r.date)),
            (Milestone.history.filter(measure_id__in=measure_ids), in_measure(lambda r: r.title)),
            (Measure.history.filter(plan_id=plan.pk), lambda r: r.title),
            (PlanTarget.history.filter(plan_id=plan.pk).select_related("indicator"), target_label),
            (SectorPlan.history.filter(id=plan.pk), lambda r: r.title),
        ],
        limit=None,
        style=_HISTORY_STYLE,
    )
    entries = [
        HistoryEntry(
            when=e.when,
            user=e.who,
            kind=e.kind,
            object_label=e.subject,
            action=_ACTION_CODES[e.action],
            changes=e.changes,
        )
        for e in entries
    ]
    return entries[:limit] if limit else entries


def group_by_measure(items) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for item in items:
        grouped[item.measure_id].append(item)
    return grouped
