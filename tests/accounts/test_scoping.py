import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts import scoping
from apps.accounts.roles import Role
from apps.accounts.scoping import Action
from apps.organizations.models import Department
from tests.factories import user_with

pytestmark = pytest.mark.django_db


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_county_staff_edit_only_their_own_county_and_never_a_sibling(region):
    donghu = user_with(Role.REGION_STAFF, "360102")
    assert scoping.can(donghu, Action.EDIT_OWN_REPORT, region("360102"))
    assert not scoping.can(donghu, Action.EDIT_OWN_REPORT, region("360103"))
    assert not scoping.can(donghu, Action.READ_SUBMITTED_REPORT, region("360103"))
    assert not scoping.can(donghu, Action.READ_ASSESSMENTS, region("360100"))
    assert codes(scoping.regions_for(donghu, Action.READ_ASSESSMENTS)) == {"360102"}


def test_city_staff_see_their_subtree_and_review_only_their_counties(region):
    nanchang = user_with(Role.REGION_STAFF, "360100")
    subtree = scoping.regions_for(nanchang, Action.READ_SUBMITTED_REPORT)
    assert subtree.count() == 10
    assert codes(scoping.regions_for(nanchang, Action.REVIEW_COUNTY_REPORT)) == codes(subtree) - {"360100"}
    assert scoping.can(nanchang, Action.SET_TARGETS, region("360102"))
    assert not scoping.can(nanchang, Action.SET_TARGETS, region("360100"))
    assert not scoping.can(nanchang, Action.READ_SUBMITTED_REPORT, region("360202"))
    assert not scoping.can(nanchang, Action.APPROVE_REPORT, region("360102"))


def test_county_staff_cannot_review_anyone():
    donghu = user_with(Role.REGION_STAFF, "360102")
    assert scoping.scope_of(donghu, Action.REVIEW_COUNTY_REPORT) is None
    assert not scoping.regions_for(donghu, Action.SET_TARGETS).exists()


def test_provincial_official_acts_across_the_province_but_sets_no_county_targets(region):
    official = user_with(Role.PROVINCIAL_OFFICIAL, "360000")
    assert scoping.regions_for(official, Action.APPROVE_REPORT).count() == 112
    assert scoping.can(official, Action.START_RECOMPUTE)
    assert scoping.can(official, Action.SET_TARGETS, region("360100"))
    assert not scoping.can(official, Action.SET_TARGETS, region("360102"))
    assert not scoping.can(official, Action.EDIT_OWN_REPORT, region("360000"))
    assert not scoping.can(official, Action.READ_DRAFT_REPORT, region("360102"))


def test_congress_member_reads_the_province_and_puts_inquiries_but_writes_nothing(region):
    member = user_with(Role.CONGRESS_MEMBER, "360000")
    assert scoping.regions_for(member, Action.READ_ASSESSMENTS).count() == 112
    assert scoping.can(member, Action.PUT_INQUIRY)
    for action in (Action.EDIT_OWN_REPORT, Action.APPROVE_REPORT, Action.SET_TARGETS, Action.EDIT_PLANS):
        assert not scoping.can(member, action, region("360100"))


def test_department_staff_edit_plans_of_their_own_department_kind_only(region):
    energy = user_with(Role.DEPARTMENT_STAFF, "360000", department_kind="energy")
    city_energy = Department.objects.get(region=region("360100"), kind="energy")
    city_transport = Department.objects.get(region=region("360100"), kind="transport")
    assert scoping.can(energy, Action.EDIT_PLANS, department=city_energy)
    assert not scoping.can(energy, Action.EDIT_PLANS, department=city_transport)
    assert not scoping.can(energy, Action.EDIT_PLANS, region=region("360100"))
    assert set(scoping.departments_for(energy, Action.EDIT_PLANS).values_list("kind", flat=True)) == {
        "energy"
    }
    assert not scoping.can(energy, Action.EDIT_OWN_REPORT, region("360000"))


def test_department_staff_of_a_city_cannot_reach_another_city(region):
    staff = user_with(Role.DEPARTMENT_STAFF, "360100", department_kind="energy")
    other = Department.objects.get(region=region("360200"), kind="energy")
    assert not scoping.can(staff, Action.EDIT_PLANS, department=other)


def test_administrator_may_do_everything_but_file_a_public_tip(region):
    admin = user_with(Role.ADMINISTRATOR)
    assert admin.is_superuser and admin.is_staff
    for action in set(Action) - scoping.ANONYMOUS_ONLY_ACTIONS:
        assert scoping.can(admin, action, region("360102"))
    assert not scoping.can(admin, Action.FILE_TIP)  # roles.md: the tip form is for the public
    assert scoping.regions_for(admin, Action.MANAGE_USERS).count() == 112


def test_public_may_only_file_tips_and_open_public_pages(region):
    public = AnonymousUser()
    assert scoping.can(public, Action.FILE_TIP)
    assert scoping.can(public, Action.TRACK_TIP)
    assert scoping.can(public, Action.PUBLIC_PAGE)
    for action in set(Action) - scoping.PUBLIC_ACTIONS:
        assert not scoping.can(public, action, region("360000"))
        assert not scoping.regions_for(public, action).exists()


def test_every_role_reads_the_reference_data():
    for user in (
        user_with(Role.REGION_STAFF, "360102"),
        user_with(Role.DEPARTMENT_STAFF, "360000", department_kind="energy"),
        user_with(Role.CONGRESS_MEMBER, "360000"),
    ):
        assert scoping.regions_for(user, Action.READ_REFERENCE).count() == 112


def test_user_without_region_gets_nothing_but_public_actions():
    lost = user_with(Role.REGION_STAFF, None)
    assert scoping.scope_of(lost, Action.EDIT_OWN_REPORT) is None
    assert scoping.can(lost, Action.TRACK_TIP)
    assert not scoping.can(lost, Action.FILE_TIP)  # signed in: the tip form is for the public


def test_inactive_user_gets_nothing(region):
    user = user_with(Role.PROVINCIAL_OFFICIAL, "360000", is_active=False)
    assert not scoping.can(user, Action.APPROVE_REPORT, region("360100"))


def test_require_raises_permission_denied_outside_jurisdiction(region):
    donghu = user_with(Role.REGION_STAFF, "360102")
    scoping.require(donghu, Action.EDIT_OWN_REPORT, region("360102"))
    with pytest.raises(PermissionDenied):
        scoping.require(donghu, Action.EDIT_OWN_REPORT, region("360103"))


def test_restrict_narrows_region_bound_rows(region):
    donghu = user_with(Role.REGION_STAFF, "360102")
    rows = scoping.restrict(Department.objects.all(), donghu, Action.READ_SUBMITTED_REPORT)
    assert set(rows.values_list("region__code", flat=True)) == {"360102"}
    assert not scoping.restrict(Department.objects.all(), AnonymousUser(), Action.READ_ASSESSMENTS).exists()


def test_user_validation_requires_a_consistent_jurisdiction(region):
    user = user_with(Role.PROVINCIAL_OFFICIAL, "360000")
    user.region = region("360100")
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "region" in exc.value.message_dict
    member = user_with(Role.CONGRESS_MEMBER, "360000")
    member.region = region("360000")
    member.full_clean()
    member.region = region("360102")
    member.full_clean()  # roles.md v1.1: congresses at every level, a county's standing committee too
    member.region = None
    with pytest.raises(ValidationError) as exc:
        member.full_clean()
    assert "region" in exc.value.message_dict
    staff = user_with(Role.DEPARTMENT_STAFF, "360000", department_kind="energy")
    staff.department = None
    with pytest.raises(ValidationError) as exc:
        staff.full_clean()
    assert "department" in exc.value.message_dict


def test_createsuperuser_noinput_makes_an_administrator(monkeypatch):
    from django.core.management import call_command

    from apps.accounts.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password-42")
    call_command("createsuperuser", "--noinput", username="root", email="root@example.org")
    root = User.objects.get(username="root")
    assert root.role == Role.ADMINISTRATOR
    assert scoping.is_admin(root)


@pytest.mark.parametrize("action", [Action.READ_TARGETS])
def test_subtree_and_above_reaches_the_ancestors_and_the_subtree_never_a_sibling(region, action):
    """roles.md v1.1: region and department staff read targets and plans "of the subtree and of
    the regions above"; congress members their subtree only; provincial officials all."""
    from apps.targets.models import PlanPeriod, RegionTarget

    donghu = user_with(Role.REGION_STAFF, "360102")
    assert codes(scoping.regions_for(donghu, action)) == {"360000", "360100", "360102"}
    for code in ("360000", "360100", "360102"):
        assert scoping.can(donghu, action, region(code))
    assert not scoping.can(donghu, action, region("360103"))  # a sibling county
    assert not scoping.can(donghu, action, region("360400"))  # another city
    nanchang = user_with(Role.REGION_STAFF, "360100")
    assert codes(scoping.regions_for(nanchang, action)) == {"360000"} | codes(
        scoping.regions_for(nanchang, Action.READ_ASSESSMENTS)
    )
    energy = user_with(Role.DEPARTMENT_STAFF, "360100", department_kind="energy")
    assert codes(scoping.regions_for(energy, action)) == codes(scoping.regions_for(nanchang, action))
    member = user_with(Role.CONGRESS_MEMBER, "360100")
    assert "360000" not in codes(scoping.regions_for(member, action))
    assert not scoping.can(member, action, region("360000"))
    assert scoping.regions_for(user_with(Role.PROVINCIAL_OFFICIAL, "360000"), action).count() == 112
    period = PlanPeriod.objects.get(code="2021-2025")
    for code in ("360000", "360100", "360102", "360103", "360402"):
        RegionTarget.objects.create(region=region(code), period=period, metric="energy_total_cap", value=1)
    readable = scoping.restrict(RegionTarget.objects.all(), donghu, action)
    assert {t.region.code for t in readable} == {"360000", "360100", "360102"}
