"""The permission matrix: every URL and API endpoint declares its action, and every role gets
what shared/spec/roles.md (v1.1) says, with an object inside and one outside its jurisdiction.

- The URL resolver (UI and API) and the OpenAPI schema are walked: a view or endpoint that
  declares no action fails `test_every_url_declares_its_action` /
  `test_every_schema_operation_declares_its_action`; the checker is proven on a test urlconf
  with undeclared views (`test_the_checker_names_an_undeclared_view`).
- Anonymous: every URL answers with the login page (UI) or 401/403 (API), public pages aside.
- Each role's user, for every URL: a role that never holds the declared action gets 403.
- Reports, assessments, targets, sector plans and measures: lists, details, exports and downloads agree
  with an oracle written from roles.md (not from the code): what a list shows its detail shows,
  a foreign object is 404 and never appears in a list, an export or the completeness grid.
- NetBox-style API cases for each list endpoint: anonymous 401/403, query count bounded.

The data is the session's demo data (the `demo` fixture of tests/conftest.py: `seed_demo` once per
run, committed with its recompute); each test adds, in its own rolled-back transaction, the users
and the plan outside Nanchang it needs. Nothing is seeded here.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve
from rest_framework.test import APIClient
from rest_framework.views import APIView

from apps.accountability.models import Decision
from apps.accounts import scoping
from apps.accounts.api.base import ScopedMixin
from apps.accounts.decorators import action_required, declared_actions
from apps.accounts.roles import Role
from apps.accounts.scoping import Action
from apps.monitoring.models import Assessment
from apps.plans.models import Measure, SectorPlan
from apps.regions.selectors import by_code
from apps.reports.models import PRIVATE_STATUSES, Report, ReportStatus
from tests.factories import user_with
from tests.xlsx import xlsx_table

# --- what may stay undeclared, and why --------------------------------------------------------------

WHITELIST = {
    "admin/": "the Django admin: staff only, guarded by the admin site itself",
    "i18n/": "the language switch: sets a cookie, reads and writes no data",
    "api/schema/": "the OpenAPI schema: describes the endpoints, holds no data",
    "api/docs/": "Swagger UI over the schema: no data",
    "api/redoc/": "ReDoc over the schema: no data",
    "static/": "static files (DEBUG only)",
    "media/": "development media serving (DEBUG only; downloads go through permission-checked views)",
}
WHITELIST_NAMES = {
    "api-root": "the DRF router index: lists endpoint URLs, no data",
    "api-not-found": "the API's JSON 404 for a path that names nothing: reads and writes no data",
    "api-not-found-file": "the same JSON 404 for a file-like path (draft.xyz) that names nothing",
}


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback, pattern.name


def _whitelisted(route: str, name: str | None) -> bool:
    return route.startswith(tuple(WHITELIST)) or name in WHITELIST_NAMES


def undeclared(urlconf=None) -> list[str]:
    """URL patterns whose view declares no action (or an API view not built on the scoped base)."""
    missing = []
    for route, callback, name in walk(get_resolver(urlconf).url_patterns):
        if _whitelisted(route, name):
            continue
        cls = getattr(callback, "cls", None)
        if declared_actions(callback) is None:
            missing.append(f"{route} ({name}): declares no action")
        elif cls is not None and not issubclass(cls, ScopedMixin):
            missing.append(f"{route} ({name}): API view not derived from the scoped base")
    return missing


def routes(urlconf=None):
    """(route, callback, name) of every non-whitelisted pattern (format-suffix variants left out)."""
    for route, callback, name in walk(get_resolver(urlconf).url_patterns):
        if not _whitelisted(route, name) and "(?P<format>" not in route and "drf_format_suffix" not in route:
            yield route, callback, name


SAMPLE = {
    "year": "2025",
    "level": "county",
    "what": "reports",
    "fmt": "csv",
    "action": "submit",
    "fuel": "coal",
}


def sample_url(route: str, values: dict | None = None) -> str:
    """A concrete URL for a route, its parameters filled with sample values."""
    values = {**SAMPLE, **(values or {})}

    def fill(match):
        return str(values.get(match.group("name"), "1"))

    url = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", fill, route)
    url = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, url)
    url = url.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + url


# --- the declarations ---------------------------------------------------------------------------------


def test_every_url_declares_its_action():
    assert undeclared() == []


def test_every_schema_operation_declares_its_action(db):
    api = APIClient()
    api.force_authenticate(user_with(Role.ADMINISTRATOR))
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operations = 0
    problems = []
    for route, methods in schema["paths"].items():
        url = re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "1"), route)
        callback = resolve(url).func
        cls = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None) or {}
        for method in methods:
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            operations += 1
            if cls is None or not issubclass(cls, ScopedMixin) or declared_actions(callback) is None:
                problems.append(f"{method.upper()} {route}: no declared action")
            elif method != "get":
                name = actions.get(method)
                if not (cls.write_action or name in cls.action_actions):
                    problems.append(f"{method.upper()} {route}: writes without a declared write action")
    assert operations > 50
    assert problems == []
    # the one error body is documented for every operation
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"detail", "errors"}
    for route, methods in schema["paths"].items():
        for method, operation in methods.items():
            for code in ("400", "403", "404") + (("409",) if method != "get" else ()):
                assert code in operation["responses"], (method, route, code)


def test_the_api_answers_errors_in_the_one_body(db, world):
    api = client_for(world, "provincial", api=True)
    invalid = api.post("/api/v1/reports/deadlines/", {"year": 1800, "due_date": "x"}, format="json")
    assert invalid.status_code == 400
    assert set(invalid.json()) == {"detail", "errors"} and "due_date" in invalid.json()["errors"]
    refused = client_for(world, "county", api=True).post("/api/v1/recompute-runs/", {}, format="json")
    assert refused.status_code == 403 and set(refused.json()) == {"detail"}
    missing = api.get("/api/v1/reports/999999/")
    assert missing.status_code == 404 and set(missing.json()) == {"detail"}


def _naked(request):
    return HttpResponse("no declaration")


class _NakedAPI(APIView):
    def get(self, request):
        return HttpResponse("no declaration")


urlpatterns = [
    path("naked/", _naked, name="naked"),
    path("api/naked/", _NakedAPI.as_view(), name="naked-api"),
    path("dressed/", action_required(Action.PUBLIC_PAGE)(_naked), name="dressed"),
]


def test_the_checker_names_an_undeclared_view():
    problems = undeclared(urlconf=__name__)
    assert len(problems) == 2
    assert any("(naked)" in p for p in problems)
    assert any("(naked-api)" in p for p in problems)


# --- roles.md v1.1, as a table: which roles hold each action at all -----------------------------------

ROLES = ("county", "city", "dept", "provincial", "congress", "admin")
ALL = set(ROLES)
SPEC = {  # action → roles holding it somewhere (roles.md v1.1)
    Action.PUBLIC_PAGE: ALL,
    Action.READ_REFERENCE: ALL,
    Action.READ_DRAFT_REPORT: {"county", "city", "admin"},
    Action.READ_SUBMITTED_REPORT: {"county", "city", "dept", "provincial", "admin"},
    Action.READ_APPROVED_REPORT: {"county", "city", "dept", "provincial", "congress", "admin"},
    Action.EDIT_OWN_REPORT: {"county", "city", "admin"},
    Action.REVIEW_COUNTY_REPORT: {"city", "admin"},
    Action.APPROVE_REPORT: {"provincial", "admin"},
    Action.OPEN_REVISION: {"county", "city", "provincial", "admin"},
    Action.IMPORT_VALUES: {"county", "city", "provincial", "admin"},
    Action.IMPORT_APPROVE: {"provincial", "admin"},
    Action.SET_TARGETS: {"city", "provincial", "admin"},
    Action.READ_TARGETS: {"county", "city", "dept", "provincial", "congress", "admin"},
    Action.READ_PLANS: {"county", "city", "dept", "provincial", "congress", "admin"},
    Action.EDIT_PLANS: {"dept", "provincial", "admin"},
    Action.READ_COMPLETENESS: {"county", "city", "provincial", "congress", "admin"},
    Action.EDIT_DEADLINES: {"provincial", "admin"},
    Action.EDIT_CATALOG: {"provincial", "admin"},
    Action.START_RECOMPUTE: {"provincial", "admin"},
    Action.READ_ASSESSMENTS: {"county", "city", "dept", "provincial", "congress", "admin"},
    Action.ENTER_MEASURES_SCORE: {"provincial", "admin"},
    Action.DECLARE_YEAR_COMPLETE: {"provincial", "admin"},
    Action.SAVE_SCENARIO: {"county", "city", "provincial", "admin"},
    Action.READ_SCENARIOS: {"county", "city", "dept", "provincial", "congress", "admin"},
    Action.PUBLISH: {"provincial", "admin"},
    Action.FILE_TIP: set(),  # the public only: every signed-in user is refused
    Action.TRACK_TIP: ALL,
    Action.TRIAGE_TIPS: {"provincial", "admin"},  # and development and reform commission staff (below)
    Action.ANSWER_TIPS: {"dept", "provincial", "admin"},
    Action.READ_TIP_STATS: {"county", "city", "dept", "provincial", "congress", "admin"},
    Action.DECIDE_ACCOUNTABILITY: {"city", "provincial", "admin"},
    Action.READ_ACCOUNTABILITY: {"county", "city", "dept", "provincial", "congress", "admin"},
    Action.ACCEPT_RECTIFICATION: {"city", "provincial", "admin"},
    Action.ANSWER_RECTIFICATION: {"county", "city", "dept", "admin"},
    Action.EDIT_ACCOUNTABILITY_SETTINGS: {"admin"},
    Action.PUT_INQUIRY: {"congress", "admin"},
    Action.ANSWER_INQUIRY: {"county", "city", "dept", "provincial", "admin"},
    Action.READ_INQUIRIES: {"county", "city", "dept", "provincial", "congress", "admin"},
    Action.DRAFT_SUMMARY: {"county", "city", "provincial", "admin"},
    Action.ISSUE_SUMMARY: {"county", "city", "provincial", "admin"},
    Action.READ_SUMMARIES: {"county", "city", "dept", "provincial", "congress", "admin"},
    Action.READ_SCORECARD: {"county", "city", "provincial", "congress", "admin"},
    Action.MANAGE_USERS: {"admin"},
    Action.READ_AUDIT: {"admin"},
}


@dataclass
class World:
    users: dict
    inside: dict  # role → a region inside the jurisdiction
    outside: dict  # role → a region outside it (None: the role's jurisdiction is everything)


@pytest.fixture
def world(demo):
    """The session's demo data (`demo`: seeded once per run, with its recompute's figures) and,
    inside this test's transaction, the users and the plan outside Nanchang the matrix needs."""
    from apps.accounts.models import User

    users = {
        "county": User.objects.get(username="donghu"),  # 东湖区 360102, a county of 南昌
        "city": User.objects.get(username="nanchang"),  # 南昌市 360100
        "dept": user_with(Role.DEPARTMENT_STAFF, "360100", department_kind="energy"),
        "provincial": User.objects.get(username="province"),
        "congress": user_with(Role.CONGRESS_MEMBER, "360100"),  # 南昌市人大
        "admin": User.objects.get(username="admin"),
    }
    # a plan outside Nanchang (the demo's plans are the province's and Nanchang's)
    plan = SectorPlan.objects.filter(region__code="360100").first()
    measure = plan.measures.first()
    plan.pk, plan.id, plan.region = None, None, by_code("360400")
    plan.lead_department = plan.lead_department.__class__.objects.filter(region=plan.region).first()
    plan.save()
    measure.pk, measure.id, measure.plan = None, None, plan
    measure.responsible_department = plan.lead_department
    measure.save()
    nanchang, donghu, jiujiang = by_code("360100"), by_code("360102"), by_code("360400")
    inside = {"county": donghu, "city": nanchang, "dept": nanchang, "congress": nanchang}
    inside |= {"provincial": jiujiang, "admin": jiujiang}
    outside = {role: jiujiang for role in ("county", "city", "dept", "congress")}
    outside |= {"provincial": None, "admin": None}
    return World(users=users, inside=inside, outside=outside)


def client_for(world, role, api=False):
    client = APIClient() if api else Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def test_the_rule_table_is_roles_md(world):
    for action, roles in SPEC.items():
        holding = {role for role in ROLES if scoping.scope_of(world.users[role], action) is not None}
        assert holding == roles, action


# --- anonymous ----------------------------------------------------------------------------------------


def _to_login(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_gets_the_login_page_or_401_403_everywhere(db, world):
    client, api = Client(), APIClient()
    checked = 0
    for route, callback, _name in routes():
        actions = declared_actions(callback) or ()
        if set(actions) <= scoping.PUBLIC_ACTIONS:
            continue
        url = sample_url(route)
        if url.startswith("/api/"):
            for method in ("get", "post"):
                status = getattr(api, method)(url).status_code
                assert status in (401, 403), (method, url, status)
        else:
            answers = [client.get(url), client.post(url)]
            assert all(a.status_code == 405 or _to_login(a) for a in answers), (url, answers)
            assert any(_to_login(a) for a in answers), (url, answers)
        checked += 1
    assert checked > 100


# --- every role: 403 where the role never holds the declared action ------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_role_without_the_action_is_refused_everywhere(db, world, role):
    user = world.users[role]
    client, api = client_for(world, role), client_for(world, role, api=True)
    refused = 0
    for route, callback, _name in routes():
        cls = getattr(callback, "cls", None)
        read = getattr(cls, "read_action", None) or getattr(callback, "read_action", None)
        if read is None:
            continue
        reads = read if isinstance(read, tuple) else (read,)
        if any(scoping.scope_of(user, a) is not None for a in reads):
            continue
        url = sample_url(route)
        status = (api if url.startswith("/api/") else client).get(url).status_code
        assert status in (403, 405), (role, url, status)
        refused += 1
    assert refused > 0 or role == "admin"


# --- reports: lists, details, exports and downloads against the oracle -------------------------------


def may_read_report(role: str, user, report: Report) -> bool:
    """roles.md: drafts (and returned) to the own region's staff; submitted/forwarded to the subtree
    (not congress); approved to the subtree including congress; the province reads all."""
    if role == "admin":
        return True
    inside = report.region.path.startswith(user.region.path)
    if report.status in PRIVATE_STATUSES:
        return role in ("county", "city") and report.region_id == user.region_id
    if report.status == ReportStatus.APPROVED:
        return inside
    return inside and role != "congress"


def _all_pages(api, url, params=None):
    results, page = [], api.get(url, params or {}).json()
    while True:
        results += page["results"]
        if not page.get("next"):
            return results
        page = api.get(page["next"]).json()


def _csv_codes(content: bytes, column: str) -> set[str]:
    text = content.decode("utf-8-sig")
    return {row[column] for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.parametrize("role", ROLES)
def test_reports_lists_details_and_exports_follow_roles_md(db, world, role):
    user = world.users[role]
    api, client = client_for(world, role, api=True), client_for(world, role)
    reports = list(Report.objects.select_related("region"))
    expected = {r.pk for r in reports if may_read_report(role, user, r)}
    listed = {row["id"] for row in _all_pages(api, "/api/v1/reports/")}
    assert listed == expected
    # details agree with the list: one readable and one unreadable report of each status
    samples = {}
    for report in reports:
        samples.setdefault((report.status, report.pk in expected), report)
    for (status, readable), report in samples.items():
        want = 200 if readable else 404
        assert api.get(f"/api/v1/reports/{report.pk}/").status_code == want, (status, report.region)
        assert client.get(f"/reports/{report.pk}/").status_code == want, (status, report.region)
        assert client.get(f"/reports/{report.pk}/template.xlsx").status_code == want
        if not readable:  # a write on a foreign report: 404, never a hint that it exists
            assert api.post(f"/api/v1/reports/{report.pk}/submit/").status_code == 404
            assert api.patch(f"/api/v1/reports/{report.pk}/", {}, format="json").status_code == 404
    codes = {r.region.code for r in reports if r.pk in expected}
    exported = api.get("/api/v1/reports/export/", {"content": "reports", "file_format": "csv"})
    assert _csv_codes(exported.content, "region_code") <= codes
    values = client.get("/reports/export/values.csv")
    assert _csv_codes(values.content, "region_code") <= codes


# --- who reads targets and plans (roles.md v1.1: "subtree and the regions above") -----------------


def may_read_target(role: str, user, region) -> bool:
    """roles.md v1.1: county/city and department staff the subtree and the regions above it;
    congress members the subtree; provincial officials and administrators all."""
    if role in ("provincial", "admin"):
        return True
    inside = region.path.startswith(user.region.path)
    above = user.region.path.startswith(region.path)
    return inside or (above and role in ("county", "city", "dept"))


may_read_plan = may_read_target  # roles.md v1.1: "plans of the subtree and of the regions above" alike


# --- assessments, the completeness grid, plans --------------------------------------------------------


def _in_scope(world, role, region) -> bool:
    outside = world.outside[role]
    return outside is None or region.path.startswith(world.users[role].region.path)


@pytest.mark.parametrize("role", ROLES)
def test_assessments_never_show_a_foreign_region(db, world, role):
    api, client = client_for(world, role, api=True), client_for(world, role)
    inside = Assessment.objects.filter(region=world.inside[role]).first()
    assert inside is not None
    assert api.get(f"/api/v1/assessments/{inside.pk}/").status_code == 200
    if world.outside[role] is not None:
        outside = Assessment.objects.filter(region__path__startswith=world.outside[role].path).first()
        assert api.get(f"/api/v1/assessments/{outside.pk}/").status_code == 404
        code, year = outside.region.code, outside.year
        level = outside.region.level
        assert client.get(f"/monitoring/{level}/{code}/{year}/").status_code == 404
    allowed = {
        a.region.code for a in Assessment.objects.select_related("region") if _in_scope(world, role, a.region)
    }
    assert _csv_codes(api.get("/api/v1/assessments/export/").content, "region_code") == allowed
    assert _csv_codes(client.get("/monitoring/export/").content, "region_code") == allowed
    listed = {row["region_code"] for row in _all_pages(api, "/api/v1/assessments/", {"year": inside.year})}
    assert listed <= allowed


@pytest.mark.parametrize("role", ROLES)
def test_the_completeness_grid_shows_only_the_jurisdiction(db, world, role):
    api = client_for(world, role, api=True)
    response = api.get("/api/v1/reports/completeness/")
    if role == "dept":  # roles.md v1.1: department staff do not read the grid
        assert response.status_code == 403
        return
    codes = {row["region_code"] for row in response.json()["regions"]}
    assert world.inside[role].code in codes
    assert all(_in_scope(world, role, by_code(code)) for code in codes)


@pytest.mark.parametrize("role", ROLES)
def test_plans_and_measures_never_show_a_foreign_region(db, world, role):
    api, client = client_for(world, role, api=True), client_for(world, role)
    user = world.users[role]
    plans = _all_pages(api, "/api/v1/sector-plans/")
    plan_regions = {p.pk: p.region for p in SectorPlan.objects.select_related("region")}
    readable = {pk for pk, region in plan_regions.items() if may_read_plan(role, user, region)}
    listed = {plan["id"] for plan in plans}
    assert readable <= listed
    assert listed - readable == set() or role == "dept", listed - readable  # + own department's measures
    province = SectorPlan.objects.filter(region__code="360000").first()  # the regions above
    above = 200 if role != "congress" else 404  # roles.md v1.1: congress members read their subtree only
    assert api.get(f"/api/v1/sector-plans/{province.pk}/").status_code == above
    assert client.get(f"/plans/{province.pk}/").status_code == above
    province_measure = Measure.objects.filter(plan=province).first()
    assert api.get(f"/api/v1/measures/{province_measure.pk}/").status_code == above
    foreign = SectorPlan.objects.filter(region__code="360400").first()
    want = 404 if world.outside[role] is not None else 200
    assert api.get(f"/api/v1/sector-plans/{foreign.pk}/").status_code == want
    assert client.get(f"/plans/{foreign.pk}/").status_code == want
    assert api.get(f"/api/v1/sector-plans/{foreign.pk}/targets/").status_code == want
    assert (foreign.pk in {p["id"] for p in plans}) == (want == 200)
    measure = Measure.objects.filter(plan=foreign).first()
    assert api.get(f"/api/v1/measures/{measure.pk}/").status_code == want
    if want == 404:
        assert (
            api.patch(f"/api/v1/sector-plans/{foreign.pk}/", {"title": "x"}, format="json").status_code == 404
        )


# --- NetBox-style cases for every API list endpoint ---------------------------------------------------

LIST_ENDPOINTS = {  # URL name → URL ({plan}: a sector plan of the province)
    "region-list": "/api/v1/regions/",
    "department-list": "/api/v1/departments/",
    "sector-list": "/api/v1/sectors/",
    "api-me": "/api/v1/me/",
    "indicator-list": "/api/v1/indicators/",
    "emission-factor-set-list": "/api/v1/emission-factor-sets/",
    "grid-list": "/api/v1/grids/",
    "rule-set-list": "/api/v1/rule-sets/",
    "period-list": "/api/v1/periods/",
    "target-list": "/api/v1/targets/",
    "sector-plan-list": "/api/v1/sector-plans/",
    "plan-target-list": "/api/v1/sector-plans/{plan}/targets/",
    "plan-milestone-list": "/api/v1/sector-plans/{plan}/milestones/",
    "plan-progress-note-list": "/api/v1/sector-plans/{plan}/progress-notes/",
    "plan-measure-list": "/api/v1/measures/",
    "report-list": "/api/v1/reports/",
    "report-value-list": "/api/v1/report-values/",
    "reports-completeness": "/api/v1/reports/completeness/",
    "reporting-deadline-list": "/api/v1/reports/deadlines/",
    "report-reminder-list": "/api/v1/reports/reminders/",
    "assessment-list": "/api/v1/assessments/",
    "recompute-run-list": "/api/v1/recompute-runs/",
    "measures-score-list": "/api/v1/measures-scores/",
    "scenario-list": "/api/v1/scenarios/",
    "metric-list": "/api/v1/metrics/",
    "complete-year-list": "/api/v1/complete-years/",
    "barometer-list": "/api/v1/barometer/",
    "publication-list": "/api/v1/publications/",
    "tip-list": "/api/v1/tips/",
    "accountability-case-list": "/api/v1/accountability/cases/",
    "accountability-task-list": "/api/v1/accountability/tasks/",
    "inquiry-list": "/api/v1/inquiries/",
    "summary-edition-list": "/api/v1/oversight/summary-editions/",
}


def _list_url(name: str) -> str:
    plan = SectorPlan.objects.filter(region__code="360000").first()
    return LIST_ENDPOINTS[name].format(plan=plan.pk if plan else 0)


def test_every_api_list_endpoint_has_a_netbox_case():
    """A new list endpoint in the schema must be added to LIST_ENDPOINTS (it then runs the cases)."""
    found = {
        name
        for route, callback, name in routes()
        if route.startswith("api/v1/") and (name or "").endswith(("-list", "-completeness", "api-me"))
    }
    assert found <= set(LIST_ENDPOINTS), found - set(LIST_ENDPOINTS)


@pytest.mark.parametrize("name", LIST_ENDPOINTS)
def test_api_list_anonymous_is_refused(demo, name):
    assert APIClient().get(_list_url(name)).status_code in (401, 403)


@pytest.mark.parametrize("name", LIST_ENDPOINTS)
def test_api_list_query_count_is_bounded(db, world, name, django_assert_max_num_queries):
    """A page costs a small, constant number of queries (DESIGN.md), whatever the rows."""
    api = client_for(world, "provincial", api=True)
    with django_assert_max_num_queries(25):
        assert api.get(_list_url(name)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_targets_lists_details_and_exports_follow_roles_md(db, world, role):
    from apps.targets.models import RegionTarget

    user = world.users[role]
    api, client = client_for(world, role, api=True), client_for(world, role)
    targets = list(RegionTarget.objects.select_related("region"))
    expected = {t.pk for t in targets if may_read_target(role, user, t.region)}
    assert expected
    assert {row["id"] for row in _all_pages(api, "/api/v1/targets/")} == expected
    samples = {}
    for target in targets:
        samples.setdefault((target.region.level, target.pk in expected), target)
    for (_level, readable), target in samples.items():
        want = 200 if readable else 404
        assert api.get(f"/api/v1/targets/{target.pk}/").status_code == want, target.region
        assert client.get(f"/targets/{target.pk}/").status_code == want, target.region
    codes = {t.region.code for t in targets if t.pk in expected}
    exported = client.get("/targets/", {"export": "xlsx"})
    assert {row[1] for row in xlsx_table(exported.content)[1]} == codes


def test_a_county_does_not_read_a_sibling_countys_targets(db, world):
    """The leak the matrix found (targets were read with READ_REFERENCE by everyone signed in)."""
    from apps.targets.models import RegionTarget

    sibling = RegionTarget.objects.filter(region__code="360103").first()
    assert sibling is not None
    api = client_for(world, "county", api=True)
    assert api.get("/api/v1/targets/", {"region": "360103"}).json()["count"] == 0
    assert api.get(f"/api/v1/targets/{sibling.pk}/").status_code == 404
    own = {row["region"] for row in _all_pages(api, "/api/v1/targets/")}
    assert {"360000", "360100"} <= own <= {"360000", "360100", "360102"}


# --- the accountability ledger (roles.md v1.1, issue 13) ---------------------------------------------


def may_read_case(role: str, user, candidate) -> bool:
    """roles.md v1.1: deciders (provincial officials; city staff for the counties of their city) see
    candidates, decided or not; once decided, the region concerned its own case, department staff
    their own department's, congress members the subtree's."""
    if role in ("provincial", "admin"):
        return True
    region = candidate.region
    decided = Decision.objects.filter(candidate=candidate).exists()
    if role == "city" and region.parent_id == user.region_id:
        return True
    if not decided:
        return False
    if role in ("county", "city"):
        return region.pk == user.region_id
    if role == "dept":
        return (
            candidate.department_id is not None
            and candidate.department.kind == user.department.kind
            and region.path.startswith(user.region.path)
        )
    return region.path.startswith(user.region.path)  # congress


@pytest.mark.parametrize("role", ROLES)
def test_accountability_cases_follow_roles_md(db, world, role):
    from apps.accountability.models import Candidate

    user = world.users[role]
    api, client = client_for(world, role, api=True), client_for(world, role)
    year = Decision.objects.values_list("candidate__year", flat=True).first()
    rows = list(
        Candidate.objects.filter(year=year, informational=False).select_related("region", "department")
    )
    expected = {c.pk for c in rows if may_read_case(role, user, c)}
    listed = {row["id"] for row in _all_pages(api, "/api/v1/accountability/cases/", {"year": year})}
    assert listed == expected
    samples = {}
    for candidate in rows:
        samples.setdefault(
            (candidate.pk in expected, Decision.objects.filter(candidate=candidate).exists()), candidate
        )
    for (readable, _decided), candidate in samples.items():
        want = 200 if readable else 404
        assert api.get(f"/api/v1/accountability/cases/{candidate.pk}/").status_code == want
        assert client.get(f"/accountability/cases/{candidate.pk}/").status_code == want
    exported = client.get("/accountability/", {"year": year, "export": "xlsx"})
    if expected:
        codes = {row[1] for row in xlsx_table(exported.content)[1]}
        assert codes == {c.region.code for c in rows if c.pk in expected}


# --- inquiries (roles.md v1.1: "read inquiries and answers") -----------------------------------------


def may_read_inquiry(role: str, user, inquiry) -> bool:
    """roles.md v1.1: county/city staff their own region's; department staff their own
    department's; congress members their subtree's; provincial officials and administrators all."""
    if role in ("provincial", "admin"):
        return True
    if role == "dept":
        return inquiry.department_id == user.department_id
    if role == "congress":
        return inquiry.region.path.startswith(user.region.path)
    return inquiry.region_id == user.region_id


@pytest.mark.parametrize("role", ROLES)
def test_inquiries_lists_details_and_exports_follow_roles_md(db, world, role):
    from datetime import timedelta

    from apps.accounts.scoping import SYSTEM
    from apps.organizations.models import Department
    from apps.oversight import inquiries

    due = inquiries.today() + timedelta(days=10)
    made = []
    for code, kind in (
        ("360100", None),
        ("360100", "energy"),
        ("360102", None),
        ("360400", None),
        ("360400", "energy"),
    ):
        region = by_code(code)
        department = Department.objects.get(region=region, kind=kind) if kind else None
        made.append(
            inquiries.inquiry_put(
                user=SYSTEM,
                kind="inquiry",
                region=region,
                department=department,
                subject=f"{code} {kind}",
                question="?",
                deadline=due,
            )
        )
    user = world.users[role]
    api, client = client_for(world, role, api=True), client_for(world, role)
    expected = {q.pk for q in made if may_read_inquiry(role, user, q)}
    assert expected
    assert {row["id"] for row in _all_pages(api, "/api/v1/inquiries/")} == expected
    for q in made:
        want = 200 if q.pk in expected else 404
        assert api.get(f"/api/v1/inquiries/{q.pk}/").status_code == want, (role, q.subject)
        assert client.get(f"/oversight/inquiries/{q.pk}/").status_code == want, (role, q.subject)
        if want == 404:  # a write on a foreign inquiry: 404, never a hint that it exists
            assert (
                api.post(f"/api/v1/inquiries/{q.pk}/answer/", {"text": "x"}, format="json").status_code == 404
            )
            assert api.post(f"/api/v1/inquiries/{q.pk}/close/", {}, format="json").status_code == 404
    page_rows = xlsx_table(client.get("/oversight/inquiries/", {"export": "xlsx"}).content)[1]
    assert {row[0] for row in page_rows} == expected
    api_rows = xlsx_table(api.get("/api/v1/inquiries/export/").content)[1]
    assert {row[0] for row in api_rows} == expected


# --- the inspection scorecard (roles.md v1.1: own region's, subtree, all) --------------------------


def may_read_scorecard(role: str, user, region) -> bool:
    """roles.md v1.1: county/city staff their own region's scorecard; congress members the
    subtree; provincial officials and administrators all; department staff none."""
    if role in ("provincial", "admin"):
        return True
    if role in ("county", "city"):
        return region.pk == user.region_id
    if role == "congress":
        return region.path.startswith(user.region.path)
    return False


@pytest.mark.parametrize("role", ROLES)
def test_the_scorecard_page_api_and_xlsx_follow_roles_md(db, world, role):
    user = world.users[role]
    api, client = client_for(world, role, api=True), client_for(world, role)
    regions = [world.inside[role], by_code("360102"), by_code("360103"), by_code("360400")]
    if world.outside[role] is not None:
        regions.append(world.outside[role])
    for region in regions:
        # department staff never hold the action (403); others read it or it is not revealed (404)
        want = 403 if role == "dept" else 200 if may_read_scorecard(role, user, region) else 404
        params = {"region": region.code, "year": "2025"}
        assert client.get("/oversight/scorecard/", params).status_code == want, (role, region.code)
        assert api.get("/api/v1/scorecard/", params).status_code == want, (role, region.code)
        xlsx = client.get("/oversight/scorecard/", {**params, "export": "xlsx"})
        assert xlsx.status_code == want, (role, region.code)
