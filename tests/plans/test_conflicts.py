"""No silent overwrites of sector plans and measures (issue 11): a save against an older version
is refused (UI: the conflict page, with field-by-field reapply; API: 409 / 412 and ETag)."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.core.conflicts import VersionConflict
from apps.plans import services
from apps.plans.models import Measure, SectorPlan
from tests.factories import user_with
from tests.reports.test_conflicts import conflict_answer, form_values

from .conftest import make_measure, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_bureau_staff(db):
    """Two staff of Nanchang's industry & IT bureau (the steel plan's lead department)."""
    first, second = Client(), Client()
    first.force_login(user_with(Role.DEPARTMENT_STAFF, "360100", department_kind="industry_it"))
    second.force_login(user_with(Role.DEPARTMENT_STAFF, "360100", department_kind="industry_it"))
    return first, second


def test_second_plan_edit_gets_the_conflict_page_and_can_reapply_field_by_field(users, two_bureau_staff):
    plan = make_plan(users["admin"], title="Nanchang steel", summary="First draft")
    url = reverse("plans:plan-edit", args=[plan.pk])
    alice, bob = two_bureau_staff
    alice_form, bob_form = form_values(alice.get(url)), form_values(bob.get(url))
    assert alice_form["version"] == str(plan.version)
    assert alice.post(url, alice_form | {"title": "Steel: Alice", "peak_year": "2027"}).status_code == 302

    response = bob.post(url, bob_form | {"title": "Steel: Bob", "summary": "Bob's summary"})
    assert response.status_code == 409
    [clash] = response.context["conflicting"]
    assert (clash.label, clash.loaded, clash.theirs, clash.mine) == (
        "标题",  # the field's name in the user's language (Chinese by default)
        "Nanchang steel",
        "Steel: Alice",
        "Steel: Bob",
    )
    assert [c.name for c in response.context["kept"]] == ["summary"]
    assert [c.name for c in response.context["theirs_only"]] == ["peak_year"]
    plan.refresh_from_db()
    assert (plan.title, plan.summary) == ("Steel: Alice", "First draft")  # nothing of Bob's yet

    assert bob.post(url, conflict_answer(response, reapply=["title"])).status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.summary, plan.peak_year) == ("Steel: Bob", "Bob's summary", 2027)


def test_the_lead_department_is_shown_by_name_on_the_conflict_page(users):
    from tests.factories import dept

    plan = make_plan(users["admin"], title="Nanchang steel")
    url = reverse("plans:plan-edit", args=[plan.pk])
    bob = Client()
    bob.cookies["django_language"] = "en"
    bob.force_login(users["province"])
    loaded = form_values(bob.get(url))
    services.plan_update(user=users["admin"], plan=plan, lead_department=dept("360100", "development_reform"))
    response = bob.post(url, loaded | {"title": "Renamed"})
    assert response.status_code == 409
    [theirs] = response.context["theirs_only"]
    assert theirs.name == "lead_department"
    assert not theirs.theirs_shown.isdigit() and theirs.theirs_shown != theirs.loaded_shown
    assert theirs.theirs_shown in response.content.decode()


def test_measure_edit_racing_a_status_change_is_refused(users):
    plan = make_plan(users["admin"])
    measure = make_measure(users["admin"], plan, title="Retrofit")
    client = Client()
    client.force_login(users["industry_nanchang"])
    url = reverse("plans:measure-edit", args=[measure.pk])
    loaded = form_values(client.get(url))
    services.measure_set_status(user=users["admin"], measure=measure, status="on_track")
    response = client.post(url, loaded | {"title": "Retrofit, phase 2"})
    assert response.status_code == 409
    assert [c.name for c in response.context["kept"]] == ["title"]
    assert Measure.objects.get(pk=measure.pk).title == "Retrofit"
    assert client.post(url, conflict_answer(response)).status_code == 302
    measure.refresh_from_db()
    assert (measure.title, measure.status) == ("Retrofit, phase 2", "on_track")


def test_services_refuse_an_older_version_and_accept_none(users):
    plan = make_plan(users["admin"])
    loaded = plan.version
    services.plan_update(user=users["admin"], plan=plan, summary="one", expected_version=loaded)
    with pytest.raises(VersionConflict):
        services.plan_update(user=users["admin"], plan=plan, summary="two", expected_version=loaded)
    assert SectorPlan.objects.get(pk=plan.pk).summary == "one"
    services.plan_update(user=users["admin"], plan=plan, summary="three")  # no version: no check
    measure = make_measure(users["admin"], plan)
    with pytest.raises(VersionConflict):
        services.measure_update(
            user=users["admin"], measure=measure, title="x", expected_version=measure.version + 1
        )


@pytest.mark.parametrize("kind", ["sector-plans", "measures"])
def test_api_version_etag_and_if_match(users, kind):
    plan = make_plan(users["admin"])
    obj = plan if kind == "sector-plans" else make_measure(users["admin"], plan)
    api = APIClient()
    api.force_authenticate(users["industry_nanchang"])
    url = f"/api/v1/{kind}/{obj.pk}/"
    got = api.get(url)
    v = got.json()["version"]
    assert got["ETag"] == f'"{v}"'
    saved = api.patch(
        url, {"description" if kind == "measures" else "summary": "a", "version": v}, format="json"
    )
    assert saved.status_code == 200 and saved.json()["version"] == v + 1 and saved["ETag"] == f'"{v + 1}"'
    field = "description" if kind == "measures" else "summary"
    stale = api.patch(url, {field: "b", "version": v}, format="json")
    assert stale.status_code == 409 and str(v + 1) in stale.json()["errors"]["version"][0]
    assert api.patch(url, {field: "b"}, format="json", HTTP_IF_MATCH=f'"{v}"').status_code == 412
    assert api.patch(url, {field: "c"}, format="json", HTTP_IF_MATCH=f'W/"{v + 1}"').status_code == 200
    obj.refresh_from_db()
    assert getattr(obj, field) == "c"
