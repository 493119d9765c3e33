"""Reads: read/edit scope per role, the overdue computation, and the plan's history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.plans import selectors, services
from apps.plans.models import Measure, MeasureStatus, measure_overdue, milestone_overdue
from tests.factories import user_with

from .conftest import dept, make_measure, make_plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


# ---- scope --------------------------------------------------------------------------------------


@pytest.fixture
def plans(users):
    admin = users["admin"]
    return {
        "province": make_plan(admin, region_code="360000", title="Province steel"),
        "nanchang": make_plan(admin, region_code="360100", title="Nanchang steel"),
        "donghu": make_plan(admin, region_code="360102", title="Donghu steel"),
        "jiujiang": make_plan(admin, region_code="360400", title="Jiujiang steel"),
    }


@pytest.mark.parametrize(
    "who, visible",
    [
        ("admin", {"province", "nanchang", "donghu", "jiujiang"}),
        ("province", {"province", "nanchang", "donghu", "jiujiang"}),
        ("congress", {"province", "nanchang", "donghu", "jiujiang"}),
        ("industry_province", {"province", "nanchang", "donghu", "jiujiang"}),
        # roles.md v1.1: region and department staff read the plans of their subtree and of the
        # regions above; congress members their subtree only
        ("industry_nanchang", {"province", "nanchang", "donghu"}),
        ("transport_nanchang", {"province", "nanchang", "donghu"}),
        ("nanchang", {"province", "nanchang", "donghu"}),
        ("donghu", {"province", "nanchang", "donghu"}),
        ("ecology_donghu", {"province", "nanchang", "donghu"}),
        ("jiujiang", {"province", "jiujiang"}),
        ("congress_nanchang", {"nanchang", "donghu"}),
    ],
)
def test_everyone_reads_the_plans_of_their_subtree_and_the_regions_above(users, plans, who, visible):
    if who == "congress_nanchang":
        users[who] = user_with(Role.CONGRESS_MEMBER, "360100")
    readable = set(selectors.readable_plans(users[who]).values_list("title", flat=True))
    assert readable == {plans[k].title for k in visible}


@pytest.mark.parametrize(
    "who, editable",
    [
        ("province", {"province", "nanchang", "donghu", "jiujiang"}),
        ("industry_province", {"province", "nanchang", "donghu", "jiujiang"}),
        ("industry_nanchang", {"nanchang", "donghu"}),
        ("industry_jiujiang", {"jiujiang"}),
        ("transport_nanchang", set()),
        ("congress", set()),
        ("nanchang", set()),
        ("donghu", set()),
    ],
)
def test_edit_scope_follows_lead_department_kind_and_subtree(users, plans, who, editable):
    assert set(selectors.editable_plans(users[who]).values_list("title", flat=True)) == {
        plans[k].title for k in editable
    }
    for key, plan in plans.items():
        assert selectors.can_edit_plan(users[who], plan) == (key in editable)


def test_a_department_sees_and_edits_the_measure_it_carries_out_in_a_higher_plan(users, plans):
    measure = make_measure(users["admin"], plans["province"], dept_code="360102", kind="ecology_environment")
    other = make_measure(
        users["admin"], plans["province"], title="Other", dept_code="360102", kind="transport"
    )
    staff = users["ecology_donghu"]
    assert list(selectors.readable_measures(staff)) == [measure, other]  # the province's plan: above
    assert list(selectors.editable_measures(staff)) == [measure]
    assert selectors.readable_plans(staff).filter(pk=plans["province"].pk).exists()
    in_nanchang = make_measure(users["admin"], plans["nanchang"], dept_code="360102", kind="transport")
    assert in_nanchang not in selectors.readable_measures(users["jiujiang"])  # another city's plan
    assert in_nanchang in selectors.readable_measures(staff)
    # a congress member of Donghu reads the plans of its subtree and their measures (roles.md
    # v1.1): none above, so not the measures carried out in Donghu for plans above either
    # ("plus measures whose responsible department is their own" is department staff's only)
    member = user_with(Role.CONGRESS_MEMBER, "360102")
    assert set(selectors.readable_measures(member)) == set()
    assert not selectors.readable_plans(member).filter(pk=plans["province"].pk).exists()
    assert not selectors.reachable_plans(member).filter(pk=plans["province"].pk).exists()


def test_editable_measures_include_every_measure_of_an_editable_plan(users, plans):
    measure = make_measure(users["admin"], plans["nanchang"], dept_code="360102", kind="transport")
    assert list(selectors.editable_measures(users["industry_nanchang"])) == [measure]
    assert list(selectors.editable_measures(users["industry_jiujiang"])) == []


# ---- overdue ------------------------------------------------------------------------------------


def test_overdue_means_past_due_and_not_done():
    today = TODAY()
    yesterday = today - timedelta(days=1)
    assert measure_overdue(yesterday, MeasureStatus.ON_TRACK, today)
    assert measure_overdue(yesterday, MeasureStatus.NOT_STARTED, today)
    assert not measure_overdue(yesterday, MeasureStatus.DONE, today)
    assert not measure_overdue(today, MeasureStatus.DELAYED, today)  # due today is not late yet
    assert milestone_overdue(yesterday, None, today)
    assert not milestone_overdue(yesterday, yesterday, today)
    assert not milestone_overdue(today, None, today)


@pytest.fixture
def late_plan(users, plans):
    """Nanchang's plan: one late measure, one late but done, one running with a late milestone."""
    admin, plan, today = users["admin"], plans["nanchang"], TODAY()
    start = today - timedelta(days=200)
    late = make_measure(admin, plan, title="Late", start=start, due=today - timedelta(days=10))
    done = make_measure(admin, plan, title="Done late", start=start, due=today - timedelta(days=10))
    services.measure_set_status(user=admin, measure=done, status=MeasureStatus.DONE)
    running = make_measure(admin, plan, title="Running", start=start, due=today + timedelta(days=100))
    services.milestone_add(user=admin, measure=running, title="Late step", due_date=today - timedelta(days=5))
    kept = services.milestone_add(
        user=admin, measure=running, title="Done step", due_date=today - timedelta(days=5)
    )
    services.milestone_complete(user=admin, milestone=kept)
    services.milestone_add(
        user=admin, measure=running, title="Future step", due_date=today + timedelta(days=5)
    )
    return {"plan": plan, "late": late, "done": done, "running": running}


def test_overdue_items_of_a_plan(late_plan):
    items = selectors.overdue_items(late_plan["plan"])
    assert [m.title for m in items.measures] == ["Late"]
    assert [m.title for m in items.milestones] == ["Late step"]
    assert bool(items)


def test_plan_counts_and_overdue_filter(users, plans, late_plan):
    row = selectors.plan_list(users["admin"]).get(pk=late_plan["plan"].pk)
    assert (row.measure_count, row.measures_done, row.overdue_measures, row.overdue_milestones) == (
        3,
        1,
        1,
        1,
    )
    overdue = selectors.plans_with_overdue(selectors.readable_plans(users["admin"]), True)
    assert list(overdue) == [late_plan["plan"]]
    assert late_plan["plan"] not in selectors.plans_with_overdue(
        selectors.readable_plans(users["admin"]), False
    )


def test_measure_overdue_annotation_and_filter(users, late_plan):
    rows = {m.title: m for m in selectors.measure_list(users["admin"])}
    assert {t: m.overdue for t, m in rows.items()} == {"Late": True, "Done late": False, "Running": False}
    assert (
        rows["Running"].milestone_count,
        rows["Running"].milestones_done,
        rows["Running"].overdue_milestones,
    ) == (
        3,
        1,
        1,
    )
    late = selectors.measures_with_overdue(Measure.objects.all(), True)
    assert set(late.values_list("title", flat=True)) == {"Late", "Running"}  # Running: by its milestone
    assert set(
        selectors.measures_with_overdue(Measure.objects.all(), False).values_list("title", flat=True)
    ) == {"Done late"}


def test_timeline_rows_carry_status_and_overdue(late_plan):
    rows = {r["title"]: r for r in selectors.timeline_rows(late_plan["plan"])}
    assert rows["Late"]["overdue"] and not rows["Done late"]["overdue"]
    assert [m["overdue"] for m in rows["Running"]["milestones"]] == [True, False, False]


# ---- history ------------------------------------------------------------------------------------


def test_plan_history_records_who_changed_what_including_measures(users):
    admin, official = users["admin"], users["province"]
    official.last_name = "省发改委 审核员"
    official.save()
    plan = make_plan(admin, title="History plan")
    services.plan_update(user=official, plan=plan, peak_year=2026)
    target = services.target_add(
        user=official, plan=plan, metric_name="Share", unit="%", target_year=2025, target_value=Decimal("10")
    )
    services.target_delete(user=official, target=target)
    measure = make_measure(admin, plan, title="Retrofit")
    services.measure_update(
        user=users["industry_nanchang"], measure=measure, responsible_department=dept("360102", "transport")
    )
    services.measure_set_status(user=official, measure=measure, status=MeasureStatus.ON_TRACK)

    entries = selectors.plan_history(plan)
    peak = next(e for e in entries if any(c.field == "peak year" for c in e.changes))
    assert peak.user == "省发改委 审核员"
    assert [(c.old, c.new) for c in peak.changes if c.field == "peak year"] == [("2028", "2026")]
    assert any(e.action == "-" and e.kind == "plan target" for e in entries)
    handover = next(e for e in entries if any(c.field == "responsible department" for c in e.changes))
    assert handover.kind == "measure" and handover.object_label == "Retrofit"
    change = next(c for c in handover.changes if c.field == "responsible department")
    assert (change.old, change.new) == (
        dept("360100", "industry_it").display_name,
        dept("360102", "transport").display_name,
    )
    assert handover.user == users["industry_nanchang"].username
    status = next(e for e in entries if e.kind == "measure" and any(c.field == "status" for c in e.changes))
    assert [(c.old, c.new) for c in status.changes if c.field == "status"] == [("Not started", "On track")]
    assert entries == sorted(entries, key=lambda e: e.when, reverse=True)
    assert selectors.plan_history(plan, limit=2) == entries[:2]
