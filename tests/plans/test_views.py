"""The plans UI: pages render for every role, edits are refused with 403 where the role does not
allow them, forms show field errors and keep the input, exports follow the same scope."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.plans import services
from apps.plans.models import Measure, MeasureStatus, Milestone, PlanTarget, ProgressNote, SectorPlan
from tests.factories import user_with
from tests.xlsx import xlsx_rows

from .conftest import dept, make_measure, make_plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
ALL_ROLES = [
    "admin",
    "province",
    "congress",
    "industry_province",
    "industry_nanchang",
    "transport_nanchang",
    "nanchang",
    "donghu",
    "ecology_donghu",
]


@pytest.fixture
def plans(users):
    admin = users["admin"]
    nanchang = make_plan(admin, title="南昌市钢铁行业碳达峰实施方案")
    services.target_add(
        user=admin,
        plan=nanchang,
        metric_name="吨钢综合能耗",
        unit="kgce/t",
        target_year=2025,
        target_value=540,
        baseline_year=2020,
        baseline_value=560,
    )
    late = make_measure(
        admin,
        nanchang,
        title="Late retrofit",
        start=TODAY() - timedelta(days=90),
        due=TODAY() - timedelta(days=3),
    )
    running = make_measure(
        admin, nanchang, title="Donghu survey", dept_code="360102", kind="ecology_environment"
    )
    services.milestone_add(
        user=admin, measure=running, title="Overdue step", due_date=TODAY() - timedelta(days=2)
    )
    services.progress_note_add(
        user=admin, measure=running, date=TODAY(), text="Survey started", status="on_track"
    )
    donghu = make_plan(admin, region_code="360102", sector_code="transport", title="Donghu transport")
    jiujiang = make_plan(admin, region_code="360400", title="Jiujiang steel")
    return {"nanchang": nanchang, "donghu": donghu, "jiujiang": jiujiang, "late": late, "running": running}


def get(client, user, url, **params):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(url, params)


# ---- reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ALL_ROLES)
def test_list_pages_render_for_every_role_with_their_scope(client, users, plans, who):
    response = get(client, users[who], reverse("plans:plan-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Donghu transport" in html
    assert ("Jiujiang steel" in html) == (who in {"admin", "province", "congress", "industry_province"})
    assert get(client, users[who], reverse("plans:measure-list")).status_code == 200


@pytest.mark.parametrize(
    "who", ["admin", "province", "congress", "industry_province", "industry_nanchang", "nanchang"]
)
def test_plan_page_renders_for_readers(client, users, plans, who):
    response = get(client, users[who], reverse("plans:plan-detail", args=[plans["nanchang"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "吨钢综合能耗" in html  # the targets
    assert 'id="plan-timeline"' in html and "plotly-3.3.1.min.js" in html  # the chart ...
    assert 'id="timeline-table"' in html  # ... and its accessible table
    assert "Measure overdue" in html and "Late retrofit" in html  # overdue: text, not colour only
    assert "Milestone overdue" in html and "Overdue step" in html
    assert "Survey started" in html  # progress notes
    assert "Full history" in html
    can_edit = who in {"admin", "province", "industry_province", "industry_nanchang"}
    assert (reverse("plans:plan-edit", args=[plans["nanchang"].pk]) in html) == can_edit


def test_plan_page_outside_scope_is_404(client, users, plans):
    assert (
        get(client, users["jiujiang"], reverse("plans:plan-detail", args=[plans["nanchang"].pk])).status_code
        == 404
    )
    assert (
        get(client, users["nanchang"], reverse("plans:plan-history", args=[plans["jiujiang"].pk])).status_code
        == 404
    )


def test_pages_need_login(client, plans):
    for url in [reverse("plans:plan-list"), reverse("plans:plan-detail", args=[plans["nanchang"].pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_plan_page_in_chinese_by_default(client, users, plans):
    client.force_login(users["province"])
    html = client.get(reverse("plans:plan-detail", args=[plans["nanchang"].pk])).content.decode()
    assert 'lang="zh-hans"' in html


@pytest.mark.parametrize("who", ["province", "congress", "nanchang", "ecology_donghu"])
def test_measure_page_renders_for_readers(client, users, plans, who):
    response = get(client, users[who], reverse("plans:measure-detail", args=[plans["running"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Overdue step" in html and "Survey started" in html
    can_edit = who in {"province", "ecology_donghu"}
    assert ("Record progress" in html) == can_edit


def test_a_measure_of_an_unreadable_plan_shows_no_plan_link(client, users):
    """Nanchang's industry bureau carries out a measure of Jiujiang's plan (its own department's
    measure, roles.md v1.1) but may not read that plan: the measure page names the plan without
    linking to it. A congress member of Donghu reads neither a plan above nor its measures."""
    plan = make_plan(users["admin"], region_code="360400", title="Jiujiang steel")
    measure = Measure.objects.create(  # a department outside the plan's region (older data)
        plan=plan,
        title="Carried out in Nanchang",
        responsible_department=dept("360100", "industry_it"),
        start_date=TODAY(),
        due_date=TODAY(),
    )
    staff = users["industry_nanchang"]
    assert get(client, staff, plan.get_absolute_url()).status_code == 404
    html = get(client, staff, reverse("plans:measure-detail", args=[measure.pk])).content.decode()
    assert "Jiujiang steel" in html
    assert plan.get_absolute_url() not in html
    provincial = make_plan(users["admin"], region_code="360000", title="Provincial steel")
    above = make_measure(users["admin"], provincial, dept_code="360102", kind="ecology_environment")
    member = user_with(Role.CONGRESS_MEMBER, "360102")
    assert get(client, member, provincial.get_absolute_url()).status_code == 404
    assert get(client, member, reverse("plans:measure-detail", args=[above.pk])).status_code == 404


def test_history_page_shows_who_changed_what(client, users, plans):
    services.plan_update(user=users["industry_nanchang"], plan=plans["nanchang"], peak_year=2026)
    html = get(
        client, users["congress"], reverse("plans:plan-history", args=[plans["nanchang"].pk])
    ).content.decode()
    assert users["industry_nanchang"].username in html
    assert "<del>2028</del> → <ins>2026</ins>" in html
    assert "Late retrofit" in html  # measure creation is part of the plan's history


def test_list_filters(client, users, plans):
    url = reverse("plans:plan-list")
    html = get(client, users["province"], url, sector="transport").content.decode()
    assert "Donghu transport" in html and "Jiujiang steel" not in html
    html = get(client, users["province"], url, overdue="true").content.decode()
    assert "南昌市钢铁行业碳达峰实施方案" in html and "Donghu transport" not in html
    html = get(client, users["province"], reverse("plans:measure-list"), overdue="true").content.decode()
    assert "Late retrofit" in html and "Donghu survey" in html  # the latter by its milestone
    html = get(client, users["province"], reverse("plans:measure-list"), status="on_track").content.decode()
    assert "Donghu survey" in html and "Late retrofit" not in html
    html = get(
        client, users["province"], reverse("plans:measure-list"), department_kind="industry_it"
    ).content.decode()
    assert "Late retrofit" in html and "Donghu survey" not in html


def rows_of(response) -> list[list]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return xlsx_rows(response.content)


def test_plan_export_follows_scope_and_filters(client, users, plans):
    rows = rows_of(get(client, users["nanchang"], reverse("plans:plan-export")))
    assert rows[0][:3] == ["ID", "Region", "Region code"]
    assert {r[4] for r in rows[1:]} == {"南昌市钢铁行业碳达峰实施方案", "Donghu transport"}
    rows = rows_of(get(client, users["province"], reverse("plans:plan-export"), region="360400"))
    assert [r[4] for r in rows[1:]] == ["Jiujiang steel"]


def test_measure_export_follows_scope_and_filters(client, users, plans):
    rows = rows_of(get(client, users["province"], reverse("plans:measure-export"), overdue="true"))
    body = {r[5]: r for r in rows[1:]}
    assert set(body) == {"Late retrofit", "Donghu survey"}
    assert body["Late retrofit"][11] == "yes"
    assert rows_of(get(client, users["jiujiang"], reverse("plans:measure-export")))[1:] == []


def test_nav_has_the_plans_entries(client, users):
    html = get(client, users["congress"], "/").content.decode()
    assert reverse("plans:plan-list") in html
    assert reverse("plans:measure-list") in html


# ---- writing ------------------------------------------------------------------------------------


def plan_form(**kw):
    from apps.organizations.models import Sector
    from apps.regions.selectors import by_code

    return {
        "region": by_code("360100").pk,
        "sector": Sector.objects.get(code="steel").pk,
        "lead_department": "",
        "title": "New plan",
        "peak_year": 2028,
        "status": "drafting",
        "adopted_on": "",
        "summary": "",
        **kw,
    }


@pytest.mark.parametrize("who", ["congress", "donghu", "nanchang"])
def test_create_page_refused_for_roles_without_edit_rights(client, users, who):
    assert get(client, users[who], reverse("plans:plan-create")).status_code == 403
    client.force_login(users[who])
    assert client.post(reverse("plans:plan-create"), plan_form()).status_code == 403
    assert not SectorPlan.objects.exists()


def test_create_plan_form_keeps_input_and_shows_field_errors(client, users):
    client.cookies["django_language"] = "en"
    client.force_login(users["industry_nanchang"])
    response = client.post(
        reverse("plans:plan-create"),
        plan_form(peak_year=2075, title="我的方案", summary="Keep me"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="我的方案"' in html and "Keep me" in html
    assert 'id="id_peak_year_error"' in html
    assert not SectorPlan.objects.exists()


def test_create_plan_via_form(client, users):
    client.force_login(users["industry_nanchang"])
    assert client.get(reverse("plans:plan-create")).status_code == 200
    response = client.post(reverse("plans:plan-create"), plan_form())
    plan = SectorPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.lead_department == dept("360100", "industry_it")


def test_department_staff_cannot_pick_another_kind_as_lead_in_the_form(client, users):
    client.cookies["django_language"] = "en"
    client.force_login(users["industry_nanchang"])
    response = client.post(
        reverse("plans:plan-create"),
        plan_form(lead_department=dept("360100", "transport").pk),
    )
    assert response.status_code == 200
    assert 'id="id_lead_department_error"' in response.content.decode()
    assert not SectorPlan.objects.exists()


def test_edit_plan_allowed_and_refused(client, users, plans):
    url = reverse("plans:plan-edit", args=[plans["nanchang"].pk])
    data = {
        "title": "Renamed",
        "lead_department": dept("360100", "industry_it").pk,
        "peak_year": 2027,
        "adopted_on": "",
        "summary": "",
    }
    for who in ["transport_nanchang", "congress", "nanchang"]:
        client.force_login(users[who])
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    client.force_login(users["industry_province"])
    assert client.post(url, data).status_code == 302
    plans["nanchang"].refresh_from_db()
    assert plans["nanchang"].title == "Renamed"


def test_plan_status_form(client, users, plans):
    url = reverse("plans:plan-status", args=[plans["nanchang"].pk])
    client.force_login(users["nanchang"])
    assert client.post(url, {"status": "in_force", "adopted_on": TODAY().isoformat()}).status_code == 403
    client.force_login(users["industry_nanchang"])
    client.cookies["django_language"] = "en"
    response = client.post(url, {"status": "in_force", "adopted_on": ""})
    assert response.status_code == 200 and 'id="id_adopted_on_error"' in response.content.decode()
    assert client.post(url, {"status": "in_force", "adopted_on": TODAY().isoformat()}).status_code == 302
    plans["nanchang"].refresh_from_db()
    assert plans["nanchang"].status == "in_force"


def test_target_pages(client, users, plans):
    plan = plans["nanchang"]
    target = plan.targets.get()
    client.force_login(users["transport_nanchang"])
    assert client.get(reverse("plans:target-create", args=[plan.pk])).status_code == 403
    assert client.post(reverse("plans:target-delete", args=[plan.pk, target.pk])).status_code == 403
    client.cookies["django_language"] = "en"
    client.force_login(users["industry_nanchang"])
    response = client.post(
        reverse("plans:target-create", args=[plan.pk]),
        {"target_year": 2030, "target_value": "5", "metric_name": "Share"},
    )
    assert response.status_code == 200 and 'id="id_unit_error"' in response.content.decode()
    response = client.post(
        reverse("plans:target-edit", args=[plan.pk, target.pk]),
        {"metric_name": "吨钢综合能耗", "unit": "kgce/t", "target_year": 2025, "target_value": "530"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.target_value == 530
    assert client.post(reverse("plans:target-delete", args=[plan.pk, target.pk])).status_code == 302
    assert not PlanTarget.objects.exists()


def test_target_of_another_plan_is_404_via_this_plan(client, users, plans):
    target = plans["nanchang"].targets.get()
    client.force_login(users["admin"])
    assert client.get(reverse("plans:target-edit", args=[plans["jiujiang"].pk, target.pk])).status_code == 404


def measure_form(**kw):
    from apps.regions.selectors import by_code

    return {
        "title": "New measure",
        "description": "",
        "responsible_region": by_code("360100").pk,
        "responsible_department": dept("360100", "commerce").pk,
        "start_date": TODAY().isoformat(),
        "due_date": (TODAY() + timedelta(days=30)).isoformat(),
        **kw,
    }


def test_measure_create_form(client, users, plans):
    url = reverse("plans:measure-create", args=[plans["nanchang"].pk])
    client.force_login(users["transport_nanchang"])
    assert client.get(url).status_code == 403
    client.force_login(users["ecology_donghu"])  # reads its city's plan (the regions above), edits none
    assert client.get(url).status_code == 403
    client.force_login(users["industry_jiujiang"])  # edits plans, but cannot read another city's
    assert client.get(url).status_code == 404
    client.force_login(users["industry_nanchang"])
    client.cookies["django_language"] = "en"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        measure_form(due_date=(TODAY() - timedelta(days=1)).isoformat(), title="Keep"),
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_due_date_error"' in html and 'value="Keep"' in html
    client.cookies["django_language"] = "en"
    response = client.post(url, measure_form(responsible_department=dept("360102", "commerce").pk))
    assert 'id="id_responsible_department_error"' in response.content.decode()  # not of the chosen region
    response = client.post(url, measure_form())
    assert response.status_code == 302
    assert Measure.objects.filter(title="New measure").exists()


def test_measure_edit_form_for_the_responsible_department(client, users, plans):
    measure = plans["running"]
    url = reverse("plans:measure-edit", args=[measure.pk])
    client.force_login(users["transport_nanchang"])
    assert client.get(url).status_code == 403
    client.force_login(users["ecology_donghu"])
    assert client.get(url).status_code == 200
    from apps.regions.selectors import by_code

    response = client.post(
        url,
        measure_form(
            title="Donghu survey",
            responsible_region=by_code("360102").pk,
            responsible_department=dept("360102", "ecology_environment").pk,
            start_date=measure.start_date.isoformat(),
            due_date=measure.due_date.isoformat(),
            description="Updated",
        ),
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.description == "Updated"


def test_milestone_and_note_forms(client, users, plans):
    measure = plans["running"]
    client.force_login(users["nanchang"])
    assert (
        client.post(
            reverse("plans:milestone-add", args=[measure.pk]), {"title": "x", "due_date": TODAY().isoformat()}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("plans:note-add", args=[measure.pk]), {"date": TODAY().isoformat(), "text": "x"}
        ).status_code
        == 403
    )
    client.cookies["django_language"] = "en"
    client.force_login(users["ecology_donghu"])
    response = client.post(
        reverse("plans:milestone-add", args=[measure.pk]),
        {"title": "Way too late", "due_date": (measure.due_date + timedelta(days=9)).isoformat()},
    )
    assert response.status_code == 200 and "within the measure" in response.content.decode()
    assert (
        client.post(
            reverse("plans:milestone-add", args=[measure.pk]),
            {"title": "Report", "due_date": TODAY().isoformat()},
        ).status_code
        == 302
    )
    milestone = Milestone.objects.get(title="Overdue step")
    url = reverse("plans:milestone-complete", args=[milestone.pk])
    assert client.post(url, {f"ms{milestone.pk}-done_on": TODAY().isoformat()}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY()
    response = client.post(
        reverse("plans:note-add", args=[measure.pk]),
        {"date": TODAY().isoformat(), "text": "Done", "status": MeasureStatus.DONE},
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE
    assert ProgressNote.objects.filter(measure=measure, status_to="done").exists()


def test_milestone_complete_refused_for_another_department(client, users, plans):
    milestone = Milestone.objects.get(title="Overdue step")
    client.force_login(users["transport_nanchang"])
    url = reverse("plans:milestone-complete", args=[milestone.pk])
    assert client.post(url, {f"ms{milestone.pk}-done_on": TODAY().isoformat()}).status_code == 403
    client.force_login(users["industry_jiujiang"])  # may edit plans, but cannot read this one
    assert client.post(url, {f"ms{milestone.pk}-done_on": TODAY().isoformat()}).status_code == 404


def test_department_options_for_the_htmx_selects(client, users, plans):
    from apps.regions.selectors import by_code

    client.force_login(users["industry_nanchang"])
    html = client.get(reverse("plans:department-options"), {"region": by_code("360102").pk}).content.decode()
    assert dept("360102", "industry_it").display_name in html
    assert dept("360102", "transport").display_name not in html  # only the kinds the user may lead
    html = client.get(
        reverse("plans:department-options"),
        {"purpose": "responsible", "plan": plans["nanchang"].pk, "responsible_region": by_code("360102").pk},
    ).content.decode()
    assert dept("360102", "transport").display_name in html
    html = client.get(
        reverse("plans:department-options"),
        {"purpose": "responsible", "plan": plans["nanchang"].pk, "responsible_region": by_code("360400").pk},
    ).content.decode()
    assert html.strip() == ""  # outside the plan's subtree


def _queries(callable_) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        callable_()
    return len(ctx.captured_queries)


def test_page_queries_do_not_grow_with_the_number_of_rows(client, users, plans):
    client.force_login(users["province"])
    plan = plans["nanchang"]
    urls = [
        reverse("plans:plan-list"),
        reverse("plans:measure-list"),
        reverse("plans:plan-detail", args=[plan.pk]),
    ]
    before = [_queries(lambda u=u: client.get(u)) for u in urls]
    for i in range(4):
        m = make_measure(users["admin"], plan, title=f"Extra {i}", dept_code="360102", kind="transport")
        services.milestone_add(user=users["admin"], measure=m, title="Step", due_date=TODAY())
        services.progress_note_add(user=users["admin"], measure=m, date=TODAY(), text="Note")
        make_plan(users["admin"], region_code="360102", sector_code="energy", title=f"Energy {i}")
    assert [_queries(lambda u=u: client.get(u)) for u in urls] == before
