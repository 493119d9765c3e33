"""Who reads plans and measures (roles.md v1.1, issue 11): lists, details and sub-lists agree.

Reproduces the reported leaks: a county user listed another region's plan's measures in
`/api/v1/measures/` when the measure's department lay in the county, although the plan was a
404; the milestone and progress-note sub-lists of such a plan answered 200 while its detail
was 404 (revealing which plans exist)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.plans import services
from apps.plans.models import Measure

from .conftest import dept, make_measure, make_plan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _measure_bypassing_the_rules(plan, title, department):
    """A measure whose responsible department lies outside its plan's region (the services refuse
    that today; older data, an admin edit or a re-organised department can still produce it)."""
    today = TODAY()
    return Measure.objects.create(
        plan=plan,
        title=title,
        responsible_department=department,
        start_date=today - timedelta(days=10),
        due_date=today + timedelta(days=10),
    )


@pytest.fixture
def foreign(users):
    """Jiujiang's steel plan (another city) with a measure carried out in Nanchang / Donghu."""
    admin = users["admin"]
    plan = make_plan(admin, region_code="360400", title="Jiujiang steel")
    home = make_measure(admin, plan, title="Jiujiang's own")
    services.milestone_add(user=admin, measure=home, title="Step", due_date=TODAY())
    services.progress_note_add(user=admin, plan=plan, measure=home, date=TODAY(), text="Begun")
    in_donghu = _measure_bypassing_the_rules(plan, "In Donghu", dept("360102", "ecology_environment"))
    in_nanchang = _measure_bypassing_the_rules(plan, "In Nanchang", dept("360100", "industry_it"))
    services.milestone_add(user=admin, measure=in_nanchang, title="Nanchang step", due_date=TODAY())
    return {"plan": plan, "home": home, "in_donghu": in_donghu, "in_nanchang": in_nanchang}


def _listed(api) -> set[str]:
    response = api.get("/api/v1/measures/", {"page_size": 500})
    assert response.status_code == 200
    return {m["title"] for m in response.json()["results"]}


def _plan_urls(plan) -> list[str]:
    return [
        f"/api/v1/sector-plans/{plan.pk}/",
        f"/api/v1/sector-plans/{plan.pk}/targets/",
        f"/api/v1/sector-plans/{plan.pk}/milestones/",
        f"/api/v1/sector-plans/{plan.pk}/progress-notes/",
        f"/api/v1/sector-plans/{plan.pk}/history/",
    ]


@pytest.mark.parametrize("who", ["donghu", "nanchang", "jiujiang_sibling"])
def test_county_and_city_staff_never_see_a_foreign_plans_measures(users, foreign, who):
    from apps.accounts.roles import Role
    from tests.factories import user_with

    user = users.get(who) or user_with(Role.REGION_STAFF, "360403")  # a county of Jiujiang: region below
    api = api_as(user)
    listed = _listed(api)
    if who == "jiujiang_sibling":
        # the plan is of a region above: readable with every measure, sub-lists 200
        assert {"Jiujiang's own", "In Donghu", "In Nanchang"} <= listed
        for url in _plan_urls(foreign["plan"]):
            assert api.get(url).status_code == 200, url
        return
    assert not listed & {"Jiujiang's own", "In Donghu", "In Nanchang"}
    for measure in ("home", "in_donghu", "in_nanchang"):
        assert api.get(f"/api/v1/measures/{foreign[measure].pk}/").status_code == 404
    for url in _plan_urls(foreign["plan"]):  # sub-lists answer exactly like the plan's detail
        assert api.get(url).status_code == 404, url


def test_sub_lists_of_a_plan_that_does_not_exist_and_of_a_foreign_one_answer_alike(users, foreign):
    api = api_as(users["donghu"])
    missing = 10**8
    for suffix in ("", "targets/", "milestones/", "progress-notes/"):
        there = api.get(f"/api/v1/sector-plans/{foreign['plan'].pk}/{suffix}")
        absent = api.get(f"/api/v1/sector-plans/{missing}/{suffix}")
        assert there.status_code == absent.status_code == 404
        assert there.json() == absent.json()


def test_department_staff_see_their_own_departments_measures_only(users, foreign):
    # Nanchang's industry bureau carries out "In Nanchang": roles.md gives it that measure (and
    # its milestones), not the plan, nor the plan's other measures
    api = api_as(users["industry_nanchang"])
    listed = _listed(api)
    assert "In Nanchang" in listed
    assert not listed & {"Jiujiang's own", "In Donghu"}
    assert api.get(f"/api/v1/measures/{foreign['in_nanchang'].pk}/").status_code == 200
    assert api.get(f"/api/v1/measures/{foreign['in_donghu'].pk}/").status_code == 404
    assert api.get(f"/api/v1/sector-plans/{foreign['plan'].pk}/").status_code == 404
    milestones = api.get(f"/api/v1/sector-plans/{foreign['plan'].pk}/milestones/")
    assert [m["title"] for m in milestones.json()] == ["Nanchang step"]
    notes = api.get(f"/api/v1/sector-plans/{foreign['plan'].pk}/progress-notes/")
    assert notes.status_code == 200 and notes.json()["results"] == []  # none on its measure
    # another kind of bureau of the same city: a department in its subtree, but not its own
    other = api_as(users["transport_nanchang"])
    assert not _listed(other) & {"Jiujiang's own", "In Donghu", "In Nanchang"}
    for url in _plan_urls(foreign["plan"]):
        assert other.get(url).status_code == 404, url
    assert other.get(f"/api/v1/measures/{foreign['in_nanchang'].pk}/").status_code == 404


def test_the_measures_page_agrees_with_the_api(client, users, foreign):
    client.force_login(users["donghu"])
    html = client.get("/plans/measures/").content.decode()
    assert "In Donghu" not in html and "Jiujiang" not in html
    assert client.get(f"/plans/measures/{foreign['in_donghu'].pk}/").status_code == 404
