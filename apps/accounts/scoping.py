"""The one place that decides who may see or do what (shared/spec/roles.md).

Every view, API endpoint, export and service asks here: `regions_for()` gives the
regions where a user may perform an action, `can()` / `require()` answer for one
region (and department), and `restrict()` narrows a queryset of region-bound rows.
Anything not granted by RULES is refused.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from apps.regions.models import Region, RegionLevel

from .roles import Role


class Action(StrEnum):
    READ_REFERENCE = "read_reference"  # regions, departments, indicators, periods
    PUBLIC_PAGE = "public_page"  # the home page, signing in and out, the health check: everyone
    READ_DRAFT_REPORT = "read_draft_report"
    READ_SUBMITTED_REPORT = "read_submitted_report"  # submitted and forwarded (under review)
    READ_APPROVED_REPORT = "read_approved_report"  # approved: congress members read only these
    EDIT_OWN_REPORT = "edit_own_report"  # create, edit, submit
    REVIEW_COUNTY_REPORT = "review_county_report"  # city review: forward or return
    APPROVE_REPORT = "approve_report"
    OPEN_REVISION = "open_revision"
    IMPORT_VALUES = "import_values"
    IMPORT_APPROVE = "import_approve"
    SET_TARGETS = "set_targets"
    READ_TARGETS = "read_targets"  # region targets: the subtree and the regions above it
    READ_PLANS = "read_plans"  # sector peak plans and measures: the subtree and the regions above it
    EDIT_PLANS = "edit_plans"
    EDIT_CATALOG = "edit_catalog"  # indicator catalog, factor sets, rule sets
    READ_COMPLETENESS = "read_completeness"  # the completeness grid and the reporting deadlines
    EDIT_DEADLINES = "edit_deadlines"  # set reporting deadlines (they bind every region); reminder log
    START_RECOMPUTE = "start_recompute"
    READ_ASSESSMENTS = "read_assessments"
    ENTER_MEASURES_SCORE = "enter_measures_score"  # §9 measures part of a region-year's score
    DECLARE_YEAR_COMPLETE = "declare_year_complete"  # the dashboards' default year (binds everyone)
    SAVE_SCENARIO = "save_scenario"  # the remaining-years planner's saved what-if scenarios
    READ_SCENARIOS = "read_scenarios"
    PUBLISH = "publish"
    DRAFT_SUMMARY = "draft_summary"  # oversight summary: draft, edit, review and read the draft
    ISSUE_SUMMARY = "issue_summary"  # oversight summary: issue (freeze) an edition
    READ_SUMMARIES = "read_summaries"
    PUT_INQUIRY = "put_inquiry"  # 询问 / 专题询问 / 质询 to the government or a department of the region
    ANSWER_INQUIRY = "answer_inquiry"  # see may_answer_inquiry(): the addressee answers
    READ_INQUIRIES = "read_inquiries"
    READ_SCORECARD = "read_scorecard"  # the inspection scorecard (执法检查) of a region and year
    FILE_TIP = "file_tip"  # the public only: signed-in users are refused (the form is for the public)
    TRACK_TIP = "track_tip"  # look a tip up by its tracking number: everyone
    TRIAGE_TIPS = "triage_tips"  # read, triage and route tips (and their contact) of a region
    ANSWER_TIPS = "answer_tips"  # investigate and answer tips routed to a department (and read them)
    READ_TIP_STATS = "read_tip_stats"  # counts by region, department, category and status
    DECIDE_ACCOUNTABILITY = "decide_accountability"  # see 通报/约谈 candidates, decide, draft and issue
    READ_ACCOUNTABILITY = "read_accountability"  # decided cases: notices, interviews, tasks, 'no action'
    ACCEPT_RECTIFICATION = "accept_rectification"  # accept or send back a 整改 answer
    ANSWER_RECTIFICATION = "answer_rectification"  # answer a 整改 task of the own region / department
    EDIT_ACCOUNTABILITY_SETTINGS = "edit_accountability_settings"  # thresholds, notice templates
    MANAGE_USERS = "manage_users"
    READ_AUDIT = "read_audit"


class Scope(StrEnum):
    OWN = "own"  # the user's own region only
    SUBTREE = "subtree"  # own region and everything below it
    SUBTREE_AND_ABOVE = "subtree_and_above"  # the subtree and the regions above (own region's ancestors)
    CHILDREN = "children"  # direct children of a city user's region (its counties)
    CITIES_AND_PROVINCE = "cities_and_province"  # province and its cities, not counties
    DEPARTMENT = "department"  # own department's kind, anywhere in the subtree
    DEVELOPMENT_REFORM = "development_reform"  # staff of a development and reform commission: the subtree
    OWN_DEPARTMENT = "own_department"  # the user's own department only (at its region)
    ALL = "all"  # every row, for any signed-in user with the role
    EVERYONE = "everyone"  # no jurisdiction needed (the public included)


R, D, P, C = Role.REGION_STAFF, Role.DEPARTMENT_STAFF, Role.PROVINCIAL_OFFICIAL, Role.CONGRESS_MEMBER
RULES: dict[Action, dict[Role, Scope]] = {
    Action.READ_REFERENCE: {R: Scope.ALL, D: Scope.ALL, P: Scope.ALL, C: Scope.ALL},
    Action.PUBLIC_PAGE: {R: Scope.EVERYONE, D: Scope.EVERYONE, P: Scope.EVERYONE, C: Scope.EVERYONE},
    Action.READ_DRAFT_REPORT: {R: Scope.OWN},
    Action.READ_SUBMITTED_REPORT: {R: Scope.SUBTREE, D: Scope.SUBTREE, P: Scope.SUBTREE},
    Action.READ_APPROVED_REPORT: {R: Scope.SUBTREE, D: Scope.SUBTREE, P: Scope.SUBTREE, C: Scope.SUBTREE},
    Action.EDIT_OWN_REPORT: {R: Scope.OWN},
    Action.REVIEW_COUNTY_REPORT: {R: Scope.CHILDREN},
    Action.APPROVE_REPORT: {P: Scope.SUBTREE},
    Action.OPEN_REVISION: {R: Scope.OWN, P: Scope.SUBTREE},
    Action.IMPORT_VALUES: {R: Scope.SUBTREE, P: Scope.SUBTREE},
    Action.IMPORT_APPROVE: {P: Scope.SUBTREE},
    Action.SET_TARGETS: {R: Scope.CHILDREN, P: Scope.CITIES_AND_PROVINCE},
    Action.READ_TARGETS: {
        R: Scope.SUBTREE_AND_ABOVE,
        D: Scope.SUBTREE_AND_ABOVE,
        P: Scope.SUBTREE,
        C: Scope.SUBTREE,
    },
    Action.READ_PLANS: {
        R: Scope.SUBTREE_AND_ABOVE,
        D: Scope.SUBTREE_AND_ABOVE,
        P: Scope.SUBTREE,
        C: Scope.SUBTREE,
    },
    Action.EDIT_PLANS: {D: Scope.DEPARTMENT, P: Scope.SUBTREE},
    Action.EDIT_CATALOG: {P: Scope.SUBTREE},
    Action.READ_COMPLETENESS: {R: Scope.SUBTREE, P: Scope.SUBTREE, C: Scope.SUBTREE},
    Action.EDIT_DEADLINES: {P: Scope.SUBTREE},
    Action.START_RECOMPUTE: {P: Scope.SUBTREE},
    Action.READ_ASSESSMENTS: {R: Scope.SUBTREE, D: Scope.SUBTREE, P: Scope.SUBTREE, C: Scope.SUBTREE},
    Action.ENTER_MEASURES_SCORE: {P: Scope.SUBTREE},
    Action.DECLARE_YEAR_COMPLETE: {P: Scope.SUBTREE},
    Action.SAVE_SCENARIO: {R: Scope.OWN, P: Scope.SUBTREE},
    Action.READ_SCENARIOS: {R: Scope.SUBTREE, D: Scope.SUBTREE, P: Scope.SUBTREE, C: Scope.SUBTREE},
    Action.PUBLISH: {P: Scope.SUBTREE},
    Action.DRAFT_SUMMARY: {R: Scope.OWN, P: Scope.SUBTREE},
    Action.ISSUE_SUMMARY: {R: Scope.OWN, P: Scope.SUBTREE},
    Action.READ_SUMMARIES: {R: Scope.OWN, D: Scope.OWN, P: Scope.SUBTREE, C: Scope.SUBTREE},
    # roles.md v1.1: a congress member puts inquiries to the government or a department of the
    # region whose standing committee they belong to; the addressee answers (may_answer_inquiry)
    Action.PUT_INQUIRY: {C: Scope.OWN},
    Action.ANSWER_INQUIRY: {R: Scope.OWN, D: Scope.OWN_DEPARTMENT, P: Scope.OWN},
    Action.READ_INQUIRIES: {R: Scope.OWN, D: Scope.OWN_DEPARTMENT, P: Scope.SUBTREE, C: Scope.SUBTREE},
    # roles.md v1.1: county/city staff their own region's scorecard, congress members the subtree
    # they oversee, provincial officials all
    Action.READ_SCORECARD: {R: Scope.OWN, P: Scope.SUBTREE, C: Scope.SUBTREE},
    Action.FILE_TIP: {},  # the public (anonymous) only: see ANONYMOUS_ONLY_ACTIONS
    Action.TRACK_TIP: {R: Scope.EVERYONE, D: Scope.EVERYONE, P: Scope.EVERYONE, C: Scope.EVERYONE},
    Action.TRIAGE_TIPS: {D: Scope.DEVELOPMENT_REFORM, P: Scope.SUBTREE},
    Action.ANSWER_TIPS: {D: Scope.DEPARTMENT, P: Scope.SUBTREE},
    Action.READ_TIP_STATS: {R: Scope.SUBTREE, D: Scope.DEPARTMENT, P: Scope.SUBTREE, C: Scope.SUBTREE},
    # roles.md v1.1, accountability (issue 13): city staff decide for the counties of their city;
    # a region reads its own case once decided, a department its own department's, congress the
    # subtree's decided cases.
    Action.DECIDE_ACCOUNTABILITY: {R: Scope.CHILDREN, P: Scope.SUBTREE},
    Action.READ_ACCOUNTABILITY: {R: Scope.OWN, D: Scope.DEPARTMENT, P: Scope.SUBTREE, C: Scope.SUBTREE},
    Action.ACCEPT_RECTIFICATION: {R: Scope.CHILDREN, P: Scope.SUBTREE},
    Action.ANSWER_RECTIFICATION: {R: Scope.OWN, D: Scope.DEPARTMENT},
    Action.EDIT_ACCOUNTABILITY_SETTINGS: {},
    Action.MANAGE_USERS: {},
    Action.READ_AUDIT: {},
}
PUBLIC_ACTIONS = frozenset({Action.FILE_TIP, Action.TRACK_TIP, Action.PUBLIC_PAGE})
# Actions for the public alone: any signed-in user, administrators included, is refused (roles.md:
# "logged-in users are refused: the form is for the public").
ANONYMOUS_ONLY_ACTIONS = frozenset({Action.FILE_TIP})
# The department kind whose staff triage and route tips (Scope.DEVELOPMENT_REFORM).
DEVELOPMENT_REFORM_KIND = "development_reform"


class SystemActor:
    """The portal itself acting (management commands, scheduled jobs): treated as an administrator.

    Selectors that return data take the acting user; code without a person behind it passes
    `SYSTEM`, never None, so an unscoped read is always a visible decision.
    """

    pk = id = None
    username = "system"
    role = Role.ADMINISTRATOR
    region = region_id = department = department_id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True
    is_anonymous = False

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def is_admin(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or getattr(user, "role", None) == Role.ADMINISTRATOR)
    )


def scope_of(user, action: Action) -> Scope | None:
    """The scope a user holds for an action, or None when refused."""
    if action in ANONYMOUS_ONLY_ACTIONS and user is not None and user.is_authenticated:
        return None
    if is_admin(user):
        return Scope.EVERYONE if action in PUBLIC_ACTIONS else Scope.SUBTREE
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope.EVERYONE if action in PUBLIC_ACTIONS else None
    scope = RULES[action].get(user.role)
    if scope is None or scope in (Scope.EVERYONE, Scope.ALL):
        return scope
    if user.region_id is None:
        return None
    if scope in (Scope.DEPARTMENT, Scope.OWN_DEPARTMENT) and user.department_id is None:
        return None
    if scope == Scope.DEVELOPMENT_REFORM and (
        user.department_id is None or user.department.kind != DEVELOPMENT_REFORM_KIND
    ):
        return None
    if scope == Scope.CHILDREN and user.region.level != RegionLevel.CITY:
        return None
    return scope


def holds_everywhere(user, action: Action) -> bool:
    """Does `user` hold `action` over every top-level region (actions that bind the whole portal)?"""
    if is_admin(user):
        return True
    if scope_of(user, action) is None:
        return False
    roots = list(Region.objects.filter(parent__isnull=True))
    return bool(roots) and all(can(user, action, region=root) for root in roots)


def regions_for(user, action: Action) -> QuerySet[Region]:
    """Regions where `user` may perform `action` (one query when evaluated)."""
    scope = scope_of(user, action)
    if scope is None:
        return Region.objects.none()
    if is_admin(user) or scope in (Scope.EVERYONE, Scope.ALL):
        return Region.objects.all()
    region = user.region
    if scope in (Scope.OWN, Scope.OWN_DEPARTMENT):
        return Region.objects.filter(pk=region.pk)
    if scope == Scope.CHILDREN:
        return Region.objects.filter(parent_id=region.pk)
    subtree = Region.objects.filter(path__startswith=region.path)
    if scope == Scope.SUBTREE_AND_ABOVE:
        return Region.objects.filter(Q(path__startswith=region.path) | Q(path__in=region.ancestor_paths))
    if scope == Scope.CITIES_AND_PROVINCE:
        return subtree.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY])
    return subtree  # SUBTREE, DEPARTMENT and DEVELOPMENT_REFORM


def can(user, action: Action, region: Region | None = None, department=None) -> bool:
    """May `user` perform `action` (at `region`, for `department` when given)?"""
    scope = scope_of(user, action)
    if scope is None:
        return False
    if is_admin(user) or scope in (Scope.EVERYONE, Scope.ALL):
        return True
    if department is not None:
        region = region or department.region
        if scope == Scope.DEPARTMENT and department.kind != user.department.kind:
            return False
        if scope == Scope.OWN_DEPARTMENT:
            return department.pk == user.department_id
    elif scope in (Scope.DEPARTMENT, Scope.OWN_DEPARTMENT) and region is not None:
        return False  # department-scoped actions need the department they act for
    if region is None:
        return True  # the user holds the action somewhere; callers check the object
    own = user.region
    if scope in (Scope.OWN, Scope.OWN_DEPARTMENT):
        return region.pk == own.pk
    if scope == Scope.CHILDREN:
        return region.parent_id == own.pk
    if scope == Scope.SUBTREE_AND_ABOVE:
        return region.path.startswith(own.path) or own.path.startswith(region.path)
    if not region.path.startswith(own.path):
        return False
    if scope == Scope.CITIES_AND_PROVINCE:
        return region.level in (RegionLevel.PROVINCE, RegionLevel.CITY)
    return True


def require(user, action: Action, region: Region | None = None, department=None) -> None:
    """Raise PermissionDenied unless `can()`; services call this before every write."""
    if not can(user, action, region=region, department=department):
        raise PermissionDenied(f"not allowed: {action}")


def restrict(queryset: QuerySet, user, action: Action, *, region_field: str = "region") -> QuerySet:
    """Narrow a queryset of region-bound rows to those the user may act on."""
    scope = scope_of(user, action)
    if scope is None:
        return queryset.none()
    if is_admin(user) or scope in (Scope.EVERYONE, Scope.ALL):
        return queryset
    q = Q(**{f"{region_field}__in": regions_for(user, action)})
    if scope in (Scope.DEPARTMENT, Scope.OWN_DEPARTMENT):
        dept_field = getattr(queryset.model, "scoping_department_field", None)
        if dept_field is None:
            return queryset.none()
        if scope == Scope.OWN_DEPARTMENT:
            q &= Q(**{f"{dept_field}_id": user.department_id})
        else:
            q &= Q(**{f"{dept_field}__kind": user.department.kind})
    return queryset.filter(q)


def departments_for(user, action: Action) -> QuerySet:
    """Departments a user may act for (e.g. as the responsible department of a measure)."""
    from apps.organizations.models import Department

    scope = scope_of(user, action)
    if scope is None:
        return Department.objects.none()
    qs = Department.objects.filter(region__in=regions_for(user, action))
    if scope == Scope.DEPARTMENT and not is_admin(user):
        qs = qs.filter(kind=user.department.kind)
    elif scope == Scope.OWN_DEPARTMENT and not is_admin(user):
        qs = qs.filter(pk=user.department_id)
    return qs


def may_answer_inquiry(user, region: Region, department=None) -> bool:
    """May `user` answer an inquiry put to `department` of `region`, or (None) to its government?

    roles.md v1.1: what is put to a region's government is answered by that government (its
    county/city staff; the province's officials for the province), what is put to a department
    by that department's staff only — never by the other side (a government does not answer
    for its department, nor a department for the government).
    """
    if is_admin(user):
        return True
    if scope_of(user, Action.ANSWER_INQUIRY) is None:
        return False
    if department is None:
        return user.role != Role.DEPARTMENT_STAFF and can(user, Action.ANSWER_INQUIRY, region=region)
    return user.role == Role.DEPARTMENT_STAFF and can(user, Action.ANSWER_INQUIRY, department=department)
