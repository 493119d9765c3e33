"""REST API of sector plans: 401 without credentials, rows outside the read scope never listed
and 404 on detail, refused writes 403, invalid writes 400 naming the field, filters, pagination."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.plans import services
from apps.plans.models import Measure, Milestone, PlanTarget, SectorPlan
from tests.factories import user_with

from .conftest import dept, make_measure, make_plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def api_as(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/sector-plans/",
        "/api/v1/measures/",
        "/api/v1/sector-plans/1/targets/",
        "/api/v1/sector-plans/1/milestones/",
        "/api/v1/sector-plans/1/progress-notes/",
    ],
)
def test_unauthenticated_calls_get_401(url):
    response = api_as().get(url)
    assert response.status_code == 401
    assert "results" not in response.json()


def test_unauthenticated_writes_get_401():
    assert api_as().post("/api/v1/sector-plans/", {"title": "x"}).status_code == 401


@pytest.fixture
def plans(users):
    admin = users["admin"]
    nanchang = make_plan(admin, title="Nanchang steel")
    late = make_measure(
        admin, nanchang, title="Late", start=TODAY() - timedelta(days=60), due=TODAY() - timedelta(days=1)
    )
    make_measure(admin, nanchang, title="Running", dept_code="360102", kind="ecology_environment")
    transport = make_plan(admin, region_code="360102", sector_code="transport", title="Donghu transport")
    jiujiang = make_plan(admin, region_code="360400", title="Jiujiang steel")
    services.plan_set_status(user=admin, plan=jiujiang, status="in_force", adopted_on=TODAY())
    return {"nanchang": nanchang, "transport": transport, "jiujiang": jiujiang, "late": late}


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


# ---- reads and scope ----------------------------------------------------------------------------


def test_lists_only_show_the_read_scope(users, plans):
    # roles.md v1.1: region and department staff read the plans of their subtree and of the
    # regions above (Donghu reads Nanchang's), never a sibling's or another city's.
    assert titles(api_as(users["donghu"]).get("/api/v1/sector-plans/")) == {
        "Donghu transport",
        "Nanchang steel",
    }
    assert titles(api_as(users["nanchang"]).get("/api/v1/sector-plans/")) == {
        "Nanchang steel",
        "Donghu transport",
    }
    assert titles(api_as(users["congress"]).get("/api/v1/sector-plans/")) == {
        "Nanchang steel",
        "Donghu transport",
        "Jiujiang steel",
    }
    assert titles(api_as(users["jiujiang"]).get("/api/v1/measures/")) == set()
    # Donghu's ecology bureau reads the measures of its city's plan (a region above), not Jiujiang's.
    assert titles(api_as(users["ecology_donghu"]).get("/api/v1/measures/")) == {"Late", "Running"}
    assert titles(api_as(users["industry_jiujiang"]).get("/api/v1/sector-plans/")) == {"Jiujiang steel"}


def test_objects_outside_the_read_scope_are_404(users, plans):
    api = api_as(users["jiujiang"])
    plan, measure = plans["nanchang"], plans["late"]
    assert api.get(f"/api/v1/sector-plans/{plan.pk}/").status_code == 404
    assert api.get(f"/api/v1/measures/{measure.pk}/").status_code == 404
    assert api.get(f"/api/v1/sector-plans/{plan.pk}/targets/").status_code == 404
    assert api.get(f"/api/v1/sector-plans/{plan.pk}/milestones/").status_code == 404
    assert api.get(f"/api/v1/sector-plans/{plan.pk}/history/").status_code == 404
    assert api.patch(f"/api/v1/sector-plans/{plan.pk}/", {"summary": "x"}).status_code == 404
    assert api.patch(f"/api/v1/measures/{measure.pk}/", {"title": "x"}).status_code == 404


def test_plan_detail_fields(users, plans):
    data = api_as(users["nanchang"]).get(f"/api/v1/sector-plans/{plans['nanchang'].pk}/").json()
    assert data["region"] == "360100"
    assert data["sector"] == "steel"
    assert data["lead_department_kind"] == "industry_it"
    assert (data["measure_count"], data["overdue_measures"]) == (2, 1)
    assert data["can_edit"] is False
    assert (
        api_as(users["industry_nanchang"])
        .get(f"/api/v1/sector-plans/{plans['nanchang'].pk}/")
        .json()["can_edit"]
    )


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"region": "360100"}, {"Nanchang steel"}),
        ({"within": "360100"}, {"Nanchang steel", "Donghu transport"}),
        ({"sector": "transport"}, {"Donghu transport"}),
        ({"department_kind": "industry_it"}, {"Nanchang steel", "Jiujiang steel"}),
        ({"status": "in_force"}, {"Jiujiang steel"}),
        ({"overdue": "true"}, {"Nanchang steel"}),
        ({"overdue": "false"}, {"Donghu transport", "Jiujiang steel"}),
        ({"q": "jiujiang"}, {"Jiujiang steel"}),
        ({"region": "999999"}, set()),
    ],
)
def test_plan_filters(users, plans, params, expected):
    assert titles(api_as(users["province"]).get("/api/v1/sector-plans/", params)) == expected


def test_plan_filter_by_lead_department_id(users, plans):
    params = {"department": dept("360400", "industry_it").pk}
    assert titles(api_as(users["province"]).get("/api/v1/sector-plans/", params)) == {"Jiujiang steel"}


def test_filters_never_widen_the_scope(users, plans):
    assert titles(api_as(users["donghu"]).get("/api/v1/sector-plans/", {"region": "360400"})) == set()


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"overdue": "true"}, {"Late"}),
        ({"overdue": "false"}, {"Running"}),
        ({"status": "not_started"}, {"Late", "Running"}),
        ({"department_kind": "ecology_environment"}, {"Running"}),
        ({"region": "360100"}, {"Late", "Running"}),
        ({"sector": "transport"}, set()),
    ],
)
def test_measure_filters(users, plans, params, expected):
    assert titles(api_as(users["province"]).get("/api/v1/measures/", params)) == expected


def test_measure_filter_by_plan_and_department(users, plans):
    api = api_as(users["province"])
    assert titles(api.get("/api/v1/measures/", {"plan": plans["nanchang"].pk})) == {"Late", "Running"}
    assert titles(api.get("/api/v1/measures/", {"department": dept("360102", "ecology_environment").pk})) == {
        "Running"
    }


def test_lists_are_paginated(users, plans):
    data = api_as(users["province"]).get("/api/v1/sector-plans/", {"page": 1}).json()
    assert data["count"] == 3
    assert {"next", "previous", "results"} <= set(data)


def test_history_endpoint(users, plans):
    services.plan_update(user=users["province"], plan=plans["nanchang"], peak_year=2027)
    url = f"/api/v1/sector-plans/{plans['nanchang'].pk}/history/"
    entries = api_as(users["nanchang"]).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert entries[0]["action"] == "~"
    assert entries[0]["changes"] == [{"field": "peak year", "old": "2028", "new": "2027"}]
    assert {e["kind"] for e in entries} >= {"sector peak plan", "measure"}


# ---- plan writes --------------------------------------------------------------------------------


def new_plan(**kw):
    return {"sector": "steel", "region": "360100", "title": "New steel plan", "peak_year": 2028, **kw}


@pytest.mark.parametrize("who", ["industry_nanchang", "industry_province", "province", "admin"])
def test_create_plan_allowed(users, who):
    response = api_as(users[who]).post("/api/v1/sector-plans/", new_plan(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["lead_department"] == dept("360100", "industry_it").pk
    assert SectorPlan.objects.get().history.get().history_user == users[who]


@pytest.mark.parametrize("who", ["transport_nanchang", "industry_jiujiang", "congress", "donghu", "nanchang"])
def test_create_plan_refused_with_403(users, who):
    response = api_as(users[who]).post("/api/v1/sector-plans/", new_plan(), format="json")
    assert response.status_code == 403
    assert not SectorPlan.objects.exists()


def test_create_plan_validation_errors_name_the_fields(users):
    api = api_as(users["province"])
    response = api.post(
        "/api/v1/sector-plans/",
        new_plan(peak_year=2070, lead_department=dept("360400", "industry_it").pk),
        format="json",
    )
    assert response.status_code == 400
    assert {"peak_year", "lead_department"} <= set(response.json()["errors"])
    response = api.post("/api/v1/sector-plans/", new_plan(region="999999"), format="json")
    assert response.status_code == 400
    assert "region" in response.json()["errors"]
    assert not SectorPlan.objects.exists()


def test_patch_plan_allowed_refused_and_put_not_offered(users, plans):
    url = f"/api/v1/sector-plans/{plans['nanchang'].pk}/"
    assert api_as(users["transport_nanchang"]).patch(url, {"summary": "x"}, format="json").status_code == 403
    assert api_as(users["congress"]).patch(url, {"summary": "x"}, format="json").status_code == 403
    response = api_as(users["industry_nanchang"]).patch(url, {"summary": "Updated"}, format="json")
    assert response.status_code == 200
    assert response.json()["summary"] == "Updated"
    assert api_as(users["industry_nanchang"]).put(url, new_plan(), format="json").status_code == 405
    assert api_as(users["admin"]).delete(url).status_code == 405


def test_plan_set_status(users, plans):
    url = f"/api/v1/sector-plans/{plans['nanchang'].pk}/set-status/"
    assert api_as(users["nanchang"]).post(url, {"status": "in_force"}, format="json").status_code == 403
    # Donghu reads its city's plan (roles.md v1.1: the regions above) but may not edit it
    assert api_as(users["donghu"]).post(url, {"status": "in_force"}, format="json").status_code == 403
    assert (
        api_as(users["jiujiang"]).post(url, {"status": "in_force"}, format="json").status_code == 404
    )  # unreadable
    response = api_as(users["industry_nanchang"]).post(url, {"status": "in_force"}, format="json")
    assert response.status_code == 400
    assert "adopted_on" in response.json()["errors"]
    response = api_as(users["industry_nanchang"]).post(
        url, {"status": "in_force", "adopted_on": TODAY().isoformat()}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "in_force"


# ---- targets ------------------------------------------------------------------------------------


def test_targets_crud_through_the_plan(users, plans):
    base = f"/api/v1/sector-plans/{plans['nanchang'].pk}/targets/"
    body = {"indicator": "energy_total", "target_year": 2030, "target_value": "900"}
    assert api_as(users["transport_nanchang"]).post(base, body, format="json").status_code == 403
    api = api_as(users["industry_nanchang"])
    created = api.post(base, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["unit_label"]
    target_url = f"{base}{created.json()['id']}/"
    assert api.patch(target_url, {"target_value": "850"}, format="json").json()["target_value"] == "850.0000"
    assert api_as(users["congress"]).delete(target_url).status_code == 403
    assert api.get(base).json()[0]["metric"]
    assert api.delete(target_url).status_code == 204
    assert not PlanTarget.objects.exists()


def test_target_validation_via_api(users, plans):
    base = f"/api/v1/sector-plans/{plans['nanchang'].pk}/targets/"
    response = api_as(users["province"]).post(
        base, {"target_year": 2030, "target_value": "-3"}, format="json"
    )
    assert response.status_code == 400
    assert "indicator" in response.json()["errors"]


def test_a_target_of_another_plan_is_404_through_this_plan(users, plans):
    target = services.target_add(
        user=users["admin"],
        plan=plans["jiujiang"],
        metric_name="m",
        unit="u",
        target_year=2030,
        target_value=1,
    )
    url = f"/api/v1/sector-plans/{plans['nanchang'].pk}/targets/{target.pk}/"
    assert api_as(users["admin"]).patch(url, {"target_value": "2"}, format="json").status_code == 404


# ---- measures -----------------------------------------------------------------------------------


def new_measure(plan, **kw):
    return {
        "plan": plan.pk,
        "title": "Scrap steel recycling",
        "responsible_department": dept("360100", "commerce").pk,
        "start_date": TODAY().isoformat(),
        "due_date": (TODAY() + timedelta(days=300)).isoformat(),
        **kw,
    }


def test_create_measure_allowed_refused_and_validated(users, plans):
    plan = plans["nanchang"]
    assert api_as(users["transport_nanchang"]).post("/api/v1/measures/", new_measure(plan)).status_code == 403
    assert api_as(users["congress"]).post("/api/v1/measures/", new_measure(plan)).status_code == 403
    api = api_as(users["industry_nanchang"])
    bad = api.post(
        "/api/v1/measures/",
        new_measure(
            plan,
            due_date=(TODAY() - timedelta(days=1)).isoformat(),
            responsible_department=dept("360400", "commerce").pk,
        ),
    )
    assert bad.status_code == 400
    assert {"due_date", "responsible_department"} <= set(bad.json()["errors"])
    created = api.post("/api/v1/measures/", new_measure(plan))
    assert created.status_code == 201, created.json()
    assert created.json()["overdue"] is False
    # A plan outside the read scope is not even a valid choice (for one who may create measures)...
    response = api_as(users["industry_jiujiang"]).post("/api/v1/measures/", new_measure(plan))
    assert response.status_code == 400
    assert "plan" in response.json()["errors"]
    # ...and a role that never edits plans is refused before its input is read.
    assert api_as(users["jiujiang"]).post("/api/v1/measures/", new_measure(plan)).status_code == 403


def test_patch_measure_and_set_status(users, plans):
    measure = Measure.objects.get(title="Running")
    url = f"/api/v1/measures/{measure.pk}/"
    assert api_as(users["transport_nanchang"]).patch(url, {"title": "x"}, format="json").status_code == 403
    response = api_as(users["ecology_donghu"]).patch(url, {"description": "On site"}, format="json")
    assert response.status_code == 200
    assert response.json()["description"] == "On site"
    status_url = f"{url}set-status/"
    assert api_as(users["donghu"]).post(status_url, {"status": "on_track"}, format="json").status_code == 403
    response = api_as(users["ecology_donghu"]).post(
        status_url, {"status": "on_track", "text": "Started"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["status_from"], response.json()["status_to"]) == ("not_started", "on_track")


# ---- milestones and notes -----------------------------------------------------------------------


def test_milestone_through_its_plan(users, plans):
    measure = plans["late"]
    base = f"/api/v1/sector-plans/{plans['nanchang'].pk}/milestones/"
    body = {"measure": measure.pk, "title": "Tender", "due_date": measure.start_date.isoformat()}
    assert api_as(users["transport_nanchang"]).post(base, body, format="json").status_code == 403
    api = api_as(users["industry_nanchang"])
    created = api.post(base, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["overdue"] is True
    complete = f"{base}{created.json()['id']}/complete/"
    assert api_as(users["congress"]).post(complete, {}, format="json").status_code == 403
    done = api.post(complete, {"done_on": TODAY().isoformat()}, format="json")
    assert done.status_code == 200
    assert done.json()["overdue"] is False


def test_a_milestone_for_measure_x_posted_via_plan_y_is_refused_with_a_field_error(users, plans):
    measure = plans["late"]  # belongs to Nanchang's plan
    other_plan = plans["jiujiang"]
    response = api_as(users["province"]).post(
        f"/api/v1/sector-plans/{other_plan.pk}/milestones/",
        {"measure": measure.pk, "title": "Sneaky", "due_date": measure.start_date.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "measure" in response.json()["errors"]
    assert not Milestone.objects.exists()


def test_progress_note_via_api_json(users, plans):
    measure = plans["late"]
    base = f"/api/v1/sector-plans/{plans['nanchang'].pk}/progress-notes/"
    body = {
        "measure": measure.pk,
        "date": TODAY().isoformat(),
        "text": "Delayed by funding",
        "status": "delayed",
    }
    assert api_as(users["nanchang"]).post(base, body, format="json").status_code == 403
    response = api_as(users["industry_nanchang"]).post(base, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status_to"] == "delayed"
    assert response.json()["attachment_url"] is None
    assert api_as(users["nanchang"]).get(base).json()["results"][0]["text"] == "Delayed by funding"


def test_openapi_schema_documents_the_plan_endpoints():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("spectacular", "--validate", stdout=out)
    schema = out.getvalue()
    for path in [
        "/api/v1/sector-plans/",
        "/api/v1/measures/",
        "/api/v1/sector-plans/{plan_pk}/milestones/",
        "/api/v1/sector-plans/{plan_pk}/progress-notes/{id}/attachment/",
    ]:
        assert path in schema


def _queries(callable_) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        callable_()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/api/v1/sector-plans/", "/api/v1/measures/"])
def test_list_queries_do_not_grow_with_the_number_of_rows(users, url):
    admin = users["admin"]
    api = api_as(users["province"])

    def add(n):
        for i in range(n):
            plan = make_plan(admin, region_code="360102", title=f"Plan {SectorPlan.objects.count()} {i}")
            make_measure(admin, plan, dept_code="360102", kind="ecology_environment")

    add(2)
    few = _queries(lambda: api.get(url))
    add(4)
    assert _queries(lambda: api.get(url)) == few


def test_a_responsible_department_reports_on_its_measure_of_a_higher_plan(users):
    """Donghu's ecology bureau carries out a measure of a provincial plan: it reads the plan
    (roles.md v1.1: plans of the regions above) and reports on its own measure only."""
    admin = users["admin"]
    plan = make_plan(admin, region_code="360000", title="Provincial steel")
    own = make_measure(admin, plan, title="Own", dept_code="360102", kind="ecology_environment")
    other = make_measure(admin, plan, title="Other", dept_code="360100", kind="transport")
    services.milestone_add(user=admin, measure=other, title="Hidden step", due_date=TODAY())
    api = api_as(users["ecology_donghu"])
    assert api.get(f"/api/v1/sector-plans/{plan.pk}/").status_code == 200
    base = f"/api/v1/sector-plans/{plan.pk}/milestones/"
    created = api.post(
        base, {"measure": own.pk, "title": "Survey", "due_date": TODAY().isoformat()}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert {m["title"] for m in api.get(base).json()} == {"Survey", "Hidden step"}
    # a congress member of Donghu reads the plans of its subtree and their measures (roles.md
    # v1.1; "plus measures whose responsible department is their own" is department staff's
    # only): the provincial plan, its sub-lists and its measures are all 404 alike
    congress = api_as(user_with(Role.CONGRESS_MEMBER, "360102"))
    assert congress.get(f"/api/v1/sector-plans/{plan.pk}/").status_code == 404
    assert congress.get(f"/api/v1/sector-plans/{plan.pk}/targets/").status_code == 404
    assert congress.get(base).status_code == 404
    assert congress.get(f"/api/v1/sector-plans/{plan.pk}/progress-notes/").status_code == 404
    assert congress.get(f"/api/v1/measures/{own.pk}/").status_code == 404
    assert congress.get(f"/api/v1/measures/{other.pk}/").status_code == 404
    assert own.pk not in {m["id"] for m in congress.get("/api/v1/measures/").json()["results"]}
    refused = api.post(
        base, {"measure": other.pk, "title": "x", "due_date": TODAY().isoformat()}, format="json"
    )
    assert refused.status_code == 403  # the other measure: readable (the plan is), not editable
    assert not Milestone.objects.filter(measure=other, title="x").exists()
