"""factory_boy factories for the domain objects, and short helpers over them.

Users by role (`user_for("county")`, `user_with(Role..., "360100")`), reports with values
(`ReportFactory`, `make_report`), region targets, sector plans with their targets, measures and
milestones. The region tree and departments are the real ones (loaded once per session), so
factories look them up by code instead of making new ones: `ReportFactory(code="360103")`.

Factories write rows directly (fast); tests about a workflow or its history use the services.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.conf import settings
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.indicators.models import Indicator
from apps.organizations.models import Department, Sector
from apps.plans.models import Measure, Milestone, PlanTarget, SectorPlan
from apps.regions.selectors import by_code
from apps.reports.models import Report, ReportSection, ReportStatus, ReportValue
from apps.targets.models import PlanPeriod, RegionTarget, TargetMetric

# ---- users ----------------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.REGION_STAFF
    region = factory.LazyFunction(lambda: by_code("360102"))
    password = factory.PostGenerationMethodCall("set_password", settings.DEMO_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with(role: Role, code: str | None = None, department_kind: str | None = None, **kwargs) -> User:
    """A saved user with a role and jurisdiction, e.g. user_with(Role.REGION_STAFF, "360100")."""
    region = by_code(code) if code else None
    department = Department.objects.get(region=region, kind=department_kind) if department_kind else None
    return UserFactory(role=role, region=region, department=department, **kwargs)


# Each kind of user with a typical Jiangxi jurisdiction: role, region code, department kind.
ROLE_PROFILES: dict[str, tuple[Role, str | None, str | None]] = {
    "county": (Role.REGION_STAFF, "360102", None),  # Donghu, a county of Nanchang
    "city": (Role.REGION_STAFF, "360100", None),  # Nanchang
    "department": (Role.DEPARTMENT_STAFF, "360000", "energy"),  # the provincial energy bureau
    "provincial": (Role.PROVINCIAL_OFFICIAL, "360000", None),
    "congress": (Role.CONGRESS_MEMBER, "360000", None),
    "admin": (Role.ADMINISTRATOR, None, None),
}
ROLES = tuple(ROLE_PROFILES)


def user_for(role: str, **kwargs) -> User:
    """A saved user of the named kind (a key of ROLE_PROFILES), e.g. user_for("city")."""
    if role not in ROLE_PROFILES:
        raise ValueError(role)
    return user_with(*ROLE_PROFILES[role], **kwargs)


# ---- reports --------------------------------------------------------------------------------------

# A complete, consistent set of values (fuels add up to the total, etc.).
GOOD_VALUES: dict[str, Decimal | None] = {
    "gdp_current": Decimal("1000"),
    "gdp_index": Decimal("106"),
    "energy_total": Decimal("500"),
    "energy_coal": Decimal("300"),
    "energy_oil": Decimal("80"),
    "energy_gas": Decimal("40"),
    "energy_nonfossil": Decimal("80"),
    "renewable_power": Decimal("50"),
    "feedstock_energy": Decimal("20"),
    "electricity_net_import": Decimal("30"),
}


class ReportFactory(factory.django.DjangoModelFactory):
    """A report of a region (by `code`) in a state, with values (GOOD_VALUES unless given).

    ReportFactory(code="360103", year=2023, status=ReportStatus.APPROVED,
                  values={"energy_total": Decimal("5")}, notes={"energy_total": "why"},
                  sections={"industry": "text"})
    """

    class Meta:
        model = Report
        skip_postgeneration_save = True

    class Params:
        code = "360102"

    region = factory.LazyAttribute(lambda o: by_code(o.code))
    year = 2024
    status = ReportStatus.DRAFT
    revision = 1
    submitted_at = factory.LazyAttribute(lambda o: None if o.status == ReportStatus.DRAFT else timezone.now())
    approved_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == ReportStatus.APPROVED else None
    )

    @factory.post_generation
    def values(report, create, extracted, **kwargs):
        """Values by indicator code; GOOD_VALUES when not given, none for `values={}`."""
        if not create:
            return
        values = GOOD_VALUES if extracted is None else extracted
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=values)}
        ReportValue.objects.bulk_create(
            ReportValue(report=report, indicator=indicators[code], value=value)
            for code, value in values.items()
        )

    @factory.post_generation
    def notes(report, create, extracted, **kwargs):
        """Notes on values by indicator code (the values must exist)."""
        for code, note in (extracted or {}).items() if create else ():
            ReportValue.objects.filter(report=report, indicator__code=code).update(note=note)

    @factory.post_generation
    def sections(report, create, extracted, **kwargs):
        """Narrative sections by task area."""
        if create and extracted:
            ReportSection.objects.bulk_create(
                ReportSection(report=report, area=area, text=text) for area, text in extracted.items()
            )


def make_report(
    code: str,
    year: int,
    status: str = ReportStatus.DRAFT,
    values: dict[str, Decimal | None] | None = None,
    *,
    revision: int = 1,
    previous: Report | None = None,
    notes: dict[str, str] | None = None,
    sections: dict[str, str] | None = None,
) -> Report:
    """ReportFactory in short: make_report("360102", 2024, ReportStatus.SUBMITTED)."""
    return ReportFactory(
        code=code,
        year=year,
        status=status,
        values=values,
        revision=revision,
        previous=previous,
        notes=notes,
        sections=sections,
    )


# ---- targets --------------------------------------------------------------------------------------


class RegionTargetFactory(factory.django.DjangoModelFactory):
    """A target of a region (by `code`) for a period (by `period_code`), e.g.
    RegionTargetFactory(code="360100", metric=TargetMetric.ENERGY_TOTAL_CAP, value=Decimal("560"))."""

    class Meta:
        model = RegionTarget

    class Params:
        code = "360000"
        period_code = "2021-2025"

    region = factory.LazyAttribute(lambda o: by_code(o.code))
    period = factory.LazyAttribute(lambda o: PlanPeriod.objects.get(code=o.period_code))
    metric = TargetMetric.ENERGY_INTENSITY_REDUCTION
    year = None
    value = Decimal("14")


# ---- sector plans ---------------------------------------------------------------------------------


def dept(code: str, kind: str) -> Department:
    """The real department of a kind at a region: dept("360100", "industry_it")."""
    return Department.objects.get(region=by_code(code), kind=kind)


class SectorPlanFactory(factory.django.DjangoModelFactory):
    """A sector's plan at a region (by `code`), led by the department that leads the sector there."""

    class Meta:
        model = SectorPlan

    class Params:
        code = "360100"
        sector_code = "steel"

    sector = factory.LazyAttribute(lambda o: Sector.objects.get(code=o.sector_code))
    region = factory.LazyAttribute(lambda o: by_code(o.code))
    lead_department = factory.LazyAttribute(
        lambda o: Department.objects.get(region=o.region, kind=o.sector.lead_kind)
    )
    title = factory.Sequence(lambda n: f"Plan {n}")
    peak_year = 2028


class PlanTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanTarget

    plan = factory.SubFactory(SectorPlanFactory)
    metric_name = "Energy per tonne of steel"
    unit = "kgce/t"
    target_year = 2025
    target_value = Decimal("540")


class MeasureFactory(factory.django.DjangoModelFactory):
    """A measure of a plan, carried out by a department of the plan's region (`department_kind`),
    running from 100 days ago to 100 days ahead."""

    class Meta:
        model = Measure

    class Params:
        department_kind = "industry_it"

    plan = factory.SubFactory(SectorPlanFactory)
    title = factory.Sequence(lambda n: f"Measure {n}")
    responsible_department = factory.LazyAttribute(
        lambda o: Department.objects.get(region=o.plan.region, kind=o.department_kind)
    )
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=100))


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    measure = factory.SubFactory(MeasureFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
