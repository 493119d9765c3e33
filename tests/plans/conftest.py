"""Fixtures of the plans tests: one user per role around Nanchang, plans made through the
services (as the administrator), private attachment storage in a temporary directory."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from apps.accounts.roles import Role
from apps.organizations.models import Sector
from apps.plans import services
from apps.regions.selectors import by_code
from tests.factories import dept, user_with


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PLANS_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _english():
    """Messages and labels are compared in English (pages set their language per request)."""
    with translation.override("en"):
        yield


@pytest.fixture
def users(db):
    """Keys name the role and jurisdiction: `industry_nanchang` is Nanchang's industry & IT bureau."""
    return {
        "admin": user_with(Role.ADMINISTRATOR),
        "province": user_with(Role.PROVINCIAL_OFFICIAL, "360000"),
        "congress": user_with(Role.CONGRESS_MEMBER, "360000"),
        "industry_province": user_with(Role.DEPARTMENT_STAFF, "360000", department_kind="industry_it"),
        "industry_nanchang": user_with(Role.DEPARTMENT_STAFF, "360100", department_kind="industry_it"),
        "industry_jiujiang": user_with(Role.DEPARTMENT_STAFF, "360400", department_kind="industry_it"),
        "transport_nanchang": user_with(Role.DEPARTMENT_STAFF, "360100", department_kind="transport"),
        "ecology_donghu": user_with(Role.DEPARTMENT_STAFF, "360102", department_kind="ecology_environment"),
        "nanchang": user_with(Role.REGION_STAFF, "360100"),
        "donghu": user_with(Role.REGION_STAFF, "360102"),
        "jiujiang": user_with(Role.REGION_STAFF, "360400"),
    }


def sector(code: str) -> Sector:
    return Sector.objects.get(code=code)


def make_plan(user, region_code="360100", sector_code="steel", title=None, **kwargs):
    return services.plan_create(
        user=user,
        sector=sector(sector_code),
        region=by_code(region_code),
        title=title or f"{region_code} {sector_code} plan",
        peak_year=kwargs.pop("peak_year", 2028),
        **kwargs,
    )


def make_measure(user, plan, title="Measure", dept_code=None, kind="industry_it", start=None, due=None):
    today = timezone.localdate()
    return services.measure_create(
        user=user,
        plan=plan,
        title=title,
        responsible_department=dept(dept_code or plan.region.code, kind),
        start_date=start or today - timedelta(days=100),
        due_date=due or today + timedelta(days=100),
    )


@pytest.fixture
def steel_plan(users):
    """Nanchang's steel plan, led by Nanchang's industry & IT bureau."""
    return make_plan(users["admin"])


@pytest.fixture
def measure(users, steel_plan):
    """A running measure of the Nanchang steel plan, carried out by Donghu's ecology bureau."""
    return make_measure(
        users["admin"],
        steel_plan,
        title="Ultra-low emission retrofit",
        dept_code="360102",
        kind="ecology_environment",
    )


@pytest.fixture
def jiujiang_plan(users):
    plan = make_plan(users["admin"], region_code="360400", title="Jiujiang steel plan")
    services.target_add(
        user=users["admin"],
        plan=plan,
        metric_name="Energy per tonne of steel",
        unit="kgce/t",
        target_year=2025,
        target_value=Decimal("540"),
    )
    return plan
