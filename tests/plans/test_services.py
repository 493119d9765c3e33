"""Every write path of apps.plans.services: who may (and may not) write, what is refused as
invalid (with the field named and nothing saved), and the history row with the acting user."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.indicators.models import Indicator
from apps.plans import services
from apps.plans.models import (
    Measure,
    MeasureStatus,
    Milestone,
    PlanStatus,
    PlanTarget,
    ProgressNote,
    SectorPlan,
)
from apps.regions.selectors import by_code

from .conftest import dept, make_measure, make_plan, sector

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate

# Who may edit Nanchang's steel plan (led by Nanchang's industry & IT bureau), and who may not.
PLAN_EDITORS = ["admin", "province", "industry_nanchang", "industry_province"]
PLAN_REFUSED = ["transport_nanchang", "industry_jiujiang", "congress", "donghu", "nanchang", "ecology_donghu"]


def field_errors(exc_info) -> dict:
    return exc_info.value.message_dict


# ---- plan_create --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", PLAN_EDITORS)
def test_plan_create_allowed_for_lead_kind_staff_in_subtree_officials_and_admin(users, who):
    plan = make_plan(users[who], title=f"by {who}")
    assert plan.lead_department == dept("360100", "industry_it")  # the sector's lead kind by default
    assert plan.created_by == users[who]
    record = plan.history.get()
    assert record.history_type == "+"
    assert record.history_user == users[who]


@pytest.mark.parametrize("who", PLAN_REFUSED)
def test_plan_create_refused_for_other_kind_other_city_congress_and_region_staff(users, who):
    with pytest.raises(PermissionDenied):
        make_plan(users[who], title=f"by {who}")
    assert not SectorPlan.objects.exists()


def test_department_staff_may_name_only_their_own_kind_as_lead(users):
    with pytest.raises(PermissionDenied):
        make_plan(users["industry_nanchang"], lead_department=dept("360100", "transport"))
    plan = make_plan(users["transport_nanchang"], sector_code="transport")
    assert plan.lead_department == dept("360100", "transport")


def test_plan_create_refuses_a_lead_department_of_another_region(users):
    with pytest.raises(ValidationError) as exc:
        make_plan(users["admin"], lead_department=dept("360400", "industry_it"))
    assert "lead_department" in field_errors(exc)
    assert not SectorPlan.objects.exists()


@pytest.mark.parametrize("year", [2019, 2061])
def test_plan_create_refuses_a_peak_year_outside_2020_to_2060(users, year):
    with pytest.raises(ValidationError) as exc:
        make_plan(users["admin"], peak_year=year)
    assert "peak_year" in field_errors(exc)


def test_plan_create_refuses_blank_and_duplicate_titles(users):
    with pytest.raises(ValidationError) as exc:
        make_plan(users["admin"], title="  ")
    assert "title" in field_errors(exc)
    make_plan(users["admin"], title="Same")
    with pytest.raises(ValidationError) as exc:
        make_plan(users["admin"], title="Same")
    assert "title" in field_errors(exc)
    assert SectorPlan.objects.count() == 1


def test_plan_in_force_needs_an_adoption_date_not_in_the_future(users):
    with pytest.raises(ValidationError) as exc:
        make_plan(users["admin"], status=PlanStatus.IN_FORCE)
    assert "adopted_on" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        make_plan(users["admin"], status=PlanStatus.IN_FORCE, adopted_on=TODAY() + timedelta(days=1))
    assert "adopted_on" in field_errors(exc)


# ---- plan_update / plan_set_status --------------------------------------------------------------


@pytest.mark.parametrize("who", PLAN_EDITORS)
def test_plan_update_allowed_and_recorded_with_the_acting_user(users, steel_plan, who):
    services.plan_update(user=users[who], plan=steel_plan, peak_year=2027, summary="Updated")
    steel_plan.refresh_from_db()
    assert (steel_plan.peak_year, steel_plan.summary, steel_plan.updated_by) == (2027, "Updated", users[who])
    latest = steel_plan.history.first()
    assert latest.history_user == users[who]
    assert latest.peak_year == 2027


@pytest.mark.parametrize("who", PLAN_REFUSED)
def test_plan_update_refused(users, steel_plan, who):
    with pytest.raises(PermissionDenied):
        services.plan_update(user=users[who], plan=steel_plan, peak_year=2027)
    steel_plan.refresh_from_db()
    assert steel_plan.peak_year == 2028
    assert steel_plan.history.count() == 1


def test_plan_update_validates_and_saves_nothing_on_error(users, steel_plan):
    with pytest.raises(ValidationError) as exc:
        services.plan_update(
            user=users["admin"],
            plan=steel_plan,
            title="New",
            peak_year=2070,
            lead_department=dept("360000", "industry_it"),
        )
    assert {"peak_year", "lead_department"} <= set(field_errors(exc))
    steel_plan.refresh_from_db()
    assert steel_plan.title != "New"


def test_plan_update_cannot_move_region_or_sector(users, steel_plan):
    with pytest.raises(ValidationError) as exc:
        services.plan_update(user=users["admin"], plan=steel_plan, region=by_code("360400"))
    assert "region" in field_errors(exc)


def test_handing_a_plan_to_another_kind_needs_rights_for_that_kind(users, steel_plan):
    with pytest.raises(PermissionDenied):
        services.plan_update(
            user=users["industry_nanchang"], plan=steel_plan, lead_department=dept("360100", "transport")
        )
    services.plan_update(user=users["province"], plan=steel_plan, lead_department=dept("360100", "transport"))
    steel_plan.refresh_from_db()
    assert steel_plan.lead_department.kind == "transport"


@pytest.mark.parametrize("who", PLAN_EDITORS)
def test_plan_set_status_allowed(users, steel_plan, who):
    services.plan_set_status(
        user=users[who], plan=steel_plan, status=PlanStatus.IN_FORCE, adopted_on=TODAY() - timedelta(days=3)
    )
    steel_plan.refresh_from_db()
    assert steel_plan.status == PlanStatus.IN_FORCE
    assert steel_plan.history.first().history_user == users[who]


@pytest.mark.parametrize("who", PLAN_REFUSED)
def test_plan_set_status_refused(users, steel_plan, who):
    with pytest.raises(PermissionDenied):
        services.plan_set_status(
            user=users[who], plan=steel_plan, status=PlanStatus.IN_FORCE, adopted_on=TODAY()
        )
    steel_plan.refresh_from_db()
    assert steel_plan.status == PlanStatus.DRAFTING


def test_plan_status_follows_its_transitions(users, steel_plan):
    admin = users["admin"]
    with pytest.raises(ValidationError) as exc:
        services.plan_set_status(user=admin, plan=steel_plan, status=PlanStatus.REVISED)
    assert "status" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.plan_set_status(user=admin, plan=steel_plan, status=PlanStatus.IN_FORCE)
    assert "adopted_on" in field_errors(exc)
    services.plan_set_status(user=admin, plan=steel_plan, status=PlanStatus.IN_FORCE, adopted_on=TODAY())
    services.plan_set_status(user=admin, plan=steel_plan, status=PlanStatus.REVISED)
    services.plan_set_status(user=admin, plan=steel_plan, status=PlanStatus.IN_FORCE)
    assert [h.status for h in steel_plan.history.order_by("history_date")] == [
        "drafting",
        "in_force",
        "revised",
        "in_force",
    ]


# ---- targets ------------------------------------------------------------------------------------


def target_values(**kw):
    return {
        "metric_name": "Energy per tonne of steel",
        "unit": "kgce/t",
        "target_year": 2025,
        "target_value": Decimal("540"),
        "baseline_year": 2020,
        "baseline_value": Decimal("560"),
        **kw,
    }


@pytest.mark.parametrize("who", PLAN_EDITORS)
def test_target_add_update_delete_allowed_and_recorded(users, steel_plan, who):
    user = users[who]
    target = services.target_add(user=user, plan=steel_plan, **target_values())
    services.target_update(user=user, target=target, target_value=Decimal("530"))
    target.refresh_from_db()
    assert target.target_value == Decimal("530")
    services.target_delete(user=user, target=target)
    assert not PlanTarget.objects.exists()
    history = PlanTarget.history.filter(id=target.pk).order_by("history_date")
    assert [(h.history_type, h.history_user) for h in history] == [("+", user), ("~", user), ("-", user)]


@pytest.mark.parametrize("who", PLAN_REFUSED)
def test_target_writes_refused(users, steel_plan, who):
    target = services.target_add(user=users["admin"], plan=steel_plan, **target_values())
    with pytest.raises(PermissionDenied):
        services.target_add(user=users[who], plan=steel_plan, **target_values(target_year=2030))
    with pytest.raises(PermissionDenied):
        services.target_update(user=users[who], target=target, target_value=Decimal("1"))
    with pytest.raises(PermissionDenied):
        services.target_delete(user=users[who], target=target)
    assert list(PlanTarget.objects.values_list("target_value", flat=True)) == [Decimal("540")]


def test_a_target_needs_an_indicator_or_a_custom_metric_with_unit_but_not_both(users, steel_plan):
    admin = users["admin"]
    with pytest.raises(ValidationError) as exc:
        services.target_add(user=admin, plan=steel_plan, **target_values(metric_name="", unit=""))
    assert "indicator" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.target_add(user=admin, plan=steel_plan, **target_values(unit=""))
    assert "unit" in field_errors(exc)
    indicator = Indicator.objects.get(code="energy_total")
    with pytest.raises(ValidationError) as exc:
        services.target_add(user=admin, plan=steel_plan, indicator=indicator, **target_values())
    assert "metric_name" in field_errors(exc)
    target = services.target_add(
        user=admin, plan=steel_plan, indicator=indicator, target_year=2030, target_value=Decimal("9000")
    )
    assert target.unit_label == indicator.unit_label
    assert PlanTarget.objects.count() == 1


def test_target_refuses_negative_values_and_inconsistent_years(users, steel_plan):
    admin = users["admin"]
    with pytest.raises(ValidationError) as exc:
        services.target_add(user=admin, plan=steel_plan, **target_values(target_value=Decimal("-1")))
    assert "target_value" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.target_add(user=admin, plan=steel_plan, **target_values(baseline_value=Decimal("-5")))
    assert "baseline_value" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.target_add(user=admin, plan=steel_plan, **target_values(baseline_year=2026))
    assert "baseline_year" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.target_add(user=admin, plan=steel_plan, **target_values(target_year=2070))
    assert "target_year" in field_errors(exc)
    assert not PlanTarget.objects.exists()


def test_negative_target_allowed_for_an_indicator_that_may_be_negative(users, steel_plan):
    indicator = Indicator.objects.get(code="electricity_net_import")
    assert indicator.allow_negative
    target = services.target_add(
        user=users["admin"],
        plan=steel_plan,
        indicator=indicator,
        target_year=2030,
        target_value=Decimal("-20"),
    )
    assert target.target_value == Decimal("-20")


def test_target_update_refuses_a_target_of_another_plan(users, steel_plan, jiujiang_plan):
    target = jiujiang_plan.targets.get()
    with pytest.raises(ValidationError) as exc:
        services.target_update(user=users["admin"], target=target, plan=steel_plan, target_value=Decimal("1"))
    assert "plan" in field_errors(exc)


# ---- measures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", PLAN_EDITORS)
def test_measure_create_allowed_for_plan_editors(users, steel_plan, who):
    measure = make_measure(users[who], steel_plan, dept_code="360102", kind="ecology_environment")
    assert measure.created_by == users[who]
    assert measure.history.get().history_user == users[who]


@pytest.mark.parametrize("who", [*PLAN_REFUSED])
def test_measure_create_refused_for_others_even_the_responsible_kind(users, steel_plan, who):
    with pytest.raises(PermissionDenied):
        make_measure(users[who], steel_plan, dept_code="360102", kind="ecology_environment")
    assert not Measure.objects.exists()


def test_measure_due_date_before_start_is_refused(users, steel_plan):
    with pytest.raises(ValidationError) as exc:
        make_measure(users["admin"], steel_plan, start=TODAY(), due=TODAY() - timedelta(days=1))
    assert "due_date" in field_errors(exc)
    assert not Measure.objects.exists()


def test_responsible_department_must_be_in_the_plans_subtree(users, steel_plan):
    with pytest.raises(ValidationError) as exc:
        make_measure(users["admin"], steel_plan, dept_code="360400")  # Jiujiang: another city
    assert "responsible_department" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        make_measure(users["admin"], steel_plan, dept_code="360000")  # the province: above the plan
    assert "responsible_department" in field_errors(exc)


def test_responsible_department_must_be_in_the_users_jurisdiction(users):
    plan = make_plan(users["admin"], region_code="360000", title="Provincial steel plan")
    measure = make_measure(users["admin"], plan, dept_code="360100", kind="ecology_environment")
    # Nanchang's industry bureau may edit this measure? No: it is neither lead nor responsible.
    staff = users["industry_nanchang"]
    with pytest.raises(PermissionDenied):
        services.measure_update(user=staff, measure=measure, title="x")
    # Donghu's ecology bureau, responsible for a measure, cannot move it to the province's department.
    measure = make_measure(
        users["admin"], plan, title="Donghu", dept_code="360102", kind="ecology_environment"
    )
    with pytest.raises(ValidationError) as exc:
        services.measure_update(
            user=users["ecology_donghu"],
            measure=measure,
            responsible_department=dept("360000", "ecology_environment"),
        )
    assert field_errors(exc)["responsible_department"] == ["This department is outside your jurisdiction."]


# Measures of Nanchang's steel plan carried out by Donghu's ecology bureau: editors are the plan's
# editors plus staff of the responsible kind in whose subtree the department lies.
MEASURE_EDITORS = [*PLAN_EDITORS, "ecology_donghu"]
MEASURE_REFUSED = ["transport_nanchang", "industry_jiujiang", "congress", "donghu", "nanchang"]


@pytest.mark.parametrize("who", MEASURE_EDITORS)
def test_measure_update_allowed_for_lead_and_responsible_kinds(users, measure, who):
    services.measure_update(user=users[who], measure=measure, description="Progressing")
    measure.refresh_from_db()
    assert measure.description == "Progressing"
    assert measure.history.first().history_user == users[who]


@pytest.mark.parametrize("who", MEASURE_REFUSED)
def test_measure_update_refused(users, measure, who):
    with pytest.raises(PermissionDenied):
        services.measure_update(user=users[who], measure=measure, description="x")


def test_responsible_staff_cannot_hand_their_measure_to_another_kind(users, measure):
    with pytest.raises(ValidationError) as exc:
        services.measure_update(
            user=users["ecology_donghu"], measure=measure, responsible_department=dept("360102", "transport")
        )
    assert "responsible_department" in field_errors(exc)
    services.measure_update(
        user=users["industry_nanchang"], measure=measure, responsible_department=dept("360102", "transport")
    )
    measure.refresh_from_db()
    assert measure.responsible_department.kind == "transport"


def test_measure_update_date_errors_keep_the_row(users, measure):
    with pytest.raises(ValidationError) as exc:
        services.measure_update(
            user=users["admin"], measure=measure, due_date=measure.start_date - timedelta(days=1)
        )
    assert "due_date" in field_errors(exc)
    before = measure.due_date
    measure.refresh_from_db()
    assert measure.due_date == before


@pytest.mark.parametrize("who", MEASURE_EDITORS)
def test_measure_set_status_allowed_and_recorded_as_a_note(users, measure, who):
    note = services.measure_set_status(
        user=users[who], measure=measure, status=MeasureStatus.DONE, text="Finished"
    )
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE
    assert measure.completed_on == TODAY()
    assert (note.status_from, note.status_to, note.author) == ("not_started", "done", users[who])
    assert measure.history.first().history_user == users[who]


@pytest.mark.parametrize("who", MEASURE_REFUSED)
def test_measure_set_status_refused(users, measure, who):
    with pytest.raises(PermissionDenied):
        services.measure_set_status(user=users[who], measure=measure, status=MeasureStatus.DONE)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.NOT_STARTED
    assert not ProgressNote.objects.exists()


def test_measure_set_status_refuses_the_same_status_and_future_dates(users, measure):
    with pytest.raises(ValidationError) as exc:
        services.measure_set_status(user=users["admin"], measure=measure, status=MeasureStatus.NOT_STARTED)
    assert "status" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.measure_set_status(
            user=users["admin"],
            measure=measure,
            status=MeasureStatus.ON_TRACK,
            on=TODAY() + timedelta(days=2),
        )
    assert "date" in field_errors(exc)


def test_reopening_a_done_measure_clears_its_completion_date(users, measure):
    services.measure_set_status(user=users["admin"], measure=measure, status=MeasureStatus.DONE)
    services.measure_set_status(user=users["admin"], measure=measure, status=MeasureStatus.DELAYED)
    measure.refresh_from_db()
    assert measure.completed_on is None


# ---- milestones ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", MEASURE_EDITORS)
def test_milestone_add_and_complete_allowed(users, measure, who):
    milestone = services.milestone_add(user=users[who], measure=measure, title="Design", due_date=TODAY())
    services.milestone_complete(user=users[who], milestone=milestone, done_on=TODAY())
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY()
    assert [h.history_user for h in milestone.history.all()] == [users[who], users[who]]


@pytest.mark.parametrize("who", MEASURE_REFUSED)
def test_milestone_add_and_complete_refused(users, measure, who):
    with pytest.raises(PermissionDenied):
        services.milestone_add(user=users[who], measure=measure, title="Design", due_date=TODAY())
    milestone = services.milestone_add(user=users["admin"], measure=measure, title="Design", due_date=TODAY())
    with pytest.raises(PermissionDenied):
        services.milestone_complete(user=users[who], milestone=milestone)
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_milestone_for_a_measure_of_another_plan_is_refused_with_a_field_error(users, measure, jiujiang_plan):
    with pytest.raises(ValidationError) as exc:
        services.milestone_add(
            user=users["admin"], plan=jiujiang_plan, measure=measure, title="Design", due_date=TODAY()
        )
    assert "measure" in field_errors(exc)
    assert not Milestone.objects.exists()


def test_milestone_must_fall_within_the_measure_period(users, measure):
    with pytest.raises(ValidationError) as exc:
        services.milestone_add(
            user=users["admin"], measure=measure, title="Late", due_date=measure.due_date + timedelta(days=1)
        )
    assert "due_date" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.milestone_add(user=users["admin"], measure=measure, title=" ", due_date=measure.start_date)
    assert "title" in field_errors(exc)


def test_milestone_completion_date_is_checked_and_only_once(users, measure):
    milestone = services.milestone_add(user=users["admin"], measure=measure, title="Design", due_date=TODAY())
    with pytest.raises(ValidationError) as exc:
        services.milestone_complete(
            user=users["admin"], milestone=milestone, done_on=TODAY() + timedelta(days=1)
        )
    assert "done_on" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.milestone_complete(
            user=users["admin"], milestone=milestone, done_on=measure.start_date - timedelta(days=1)
        )
    assert "done_on" in field_errors(exc)
    services.milestone_complete(user=users["admin"], milestone=milestone)
    with pytest.raises(ValidationError) as exc:
        services.milestone_complete(user=users["admin"], milestone=milestone)
    assert "done_on" in field_errors(exc)


# ---- progress notes -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", MEASURE_EDITORS)
def test_progress_note_add_allowed_with_a_status_change(users, measure, who):
    note = services.progress_note_add(
        user=users[who], measure=measure, date=TODAY(), text="Half done", status=MeasureStatus.ON_TRACK
    )
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.ON_TRACK
    assert (note.status_from, note.status_to, note.author) == ("not_started", "on_track", users[who])
    assert note.history.get().history_user == users[who]


@pytest.mark.parametrize("who", MEASURE_REFUSED)
def test_progress_note_add_refused(users, measure, who):
    with pytest.raises(PermissionDenied):
        services.progress_note_add(user=users[who], measure=measure, date=TODAY(), text="x")
    assert not ProgressNote.objects.exists()


def test_progress_note_needs_content_and_a_past_date(users, measure):
    with pytest.raises(ValidationError) as exc:
        services.progress_note_add(user=users["admin"], measure=measure, date=TODAY(), text=" ")
    assert "text" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.progress_note_add(
            user=users["admin"], measure=measure, date=TODAY() + timedelta(days=1), text="Tomorrow"
        )
    assert "date" in field_errors(exc)


def test_progress_note_for_a_measure_of_another_plan_is_refused(users, measure, jiujiang_plan):
    with pytest.raises(ValidationError) as exc:
        services.progress_note_add(
            user=users["admin"], plan=jiujiang_plan, measure=measure, date=TODAY(), text="x"
        )
    assert "measure" in field_errors(exc)


def test_provincial_plan_with_county_measure_is_editable_by_the_county_department(users):
    """A measure of a provincial plan carried out by Donghu's ecology bureau: that bureau
    reports on it, but cannot change the plan itself."""
    plan = make_plan(users["admin"], region_code="360000", title="Provincial steel plan")
    measure = make_measure(users["admin"], plan, dept_code="360102", kind="ecology_environment")
    services.progress_note_add(user=users["ecology_donghu"], measure=measure, date=TODAY(), text="Started")
    with pytest.raises(PermissionDenied):
        services.plan_update(user=users["ecology_donghu"], plan=plan, summary="x")
    assert sector("steel").lead_kind == plan.lead_department.kind
