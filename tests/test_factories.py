"""The factories make valid rows (as full_clean sees them), with the jurisdictions they promise."""

from decimal import Decimal

import pytest

from apps.accounts.roles import Role
from apps.reports.models import ReportStatus
from tests.factories import (
    GOOD_VALUES,
    ROLE_PROFILES,
    MeasureFactory,
    MilestoneFactory,
    PlanTargetFactory,
    RegionTargetFactory,
    ReportFactory,
    SectorPlanFactory,
    make_report,
    user_for,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ROLE_PROFILES)
def test_user_for_each_kind_has_the_promised_role_and_jurisdiction(kind):
    user = user_for(kind)
    user.full_clean()
    role, code, department_kind = ROLE_PROFILES[kind]
    assert user.role == role
    assert (user.region.code if user.region else None) == code
    assert (user.department.kind if user.department else None) == department_kind
    assert user.has_usable_password()


def test_user_for_an_unknown_kind_is_an_error():
    with pytest.raises(ValueError):
        user_for("mayor")


def test_report_factory_fills_values_notes_and_sections():
    report = ReportFactory(
        code="360103",
        year=2023,
        status=ReportStatus.APPROVED,
        notes={"energy_total": "checked"},
        sections={"industry": "text"},
    )
    report.full_clean()
    assert report.region.code == "360103" and report.submitted_at and report.approved_at
    values = {v.indicator.code: v for v in report.values.select_related("indicator")}
    assert {c: v.value for c, v in values.items()} == GOOD_VALUES
    assert values["energy_total"].note == "checked"
    assert report.sections.get().area == "industry"


def test_make_report_is_the_factory_in_short():
    draft = make_report("360102", 2024, values={"energy_total": Decimal("5")})
    assert draft.status == ReportStatus.DRAFT and draft.submitted_at is None
    assert [v.value for v in draft.values.all()] == [Decimal("5")]
    assert not make_report("360102", 2022, values={}).values.exists()


def test_target_plan_measure_and_milestone_factories_make_valid_rows():
    target = RegionTargetFactory(code="360100")
    target.full_clean()
    assert target.period.code == "2021-2025"
    milestone = MilestoneFactory()
    for row in (milestone, milestone.measure, milestone.measure.plan, PlanTargetFactory()):
        row.full_clean()
    plan = milestone.measure.plan
    assert plan.lead_department.kind == plan.sector.lead_kind
    assert plan.lead_department.region == plan.region
    assert milestone.measure.responsible_department.region == plan.region
    other = MeasureFactory(plan=SectorPlanFactory(code="360400", sector_code="transport"))
    assert other.plan.lead_department.kind == "transport"


def test_role_profiles_cover_every_role():
    assert {role for role, _, _ in ROLE_PROFILES.values()} == set(Role)
