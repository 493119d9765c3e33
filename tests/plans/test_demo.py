"""The demo sector plans: plausible, complete, marked as demo data, and idempotent."""

from io import StringIO

import pytest

from apps.plans import demo as plans_demo
from apps.plans import selectors
from apps.plans.models import Measure, MeasureStatus, Milestone, PlanStatus, ProgressNote, SectorPlan

pytestmark = pytest.mark.django_db

KEY_SECTORS = {
    "energy",
    "steel",
    "nonferrous",
    "petrochemical",
    "building_materials",
    "transport",
    "construction",
}


@pytest.fixture
def seeded(demo):
    """The session's demo data (`seed_demo`), of which the plans are a part."""


def test_demo_has_provincial_plans_for_the_seven_key_sectors_led_by_the_right_departments(seeded):
    provincial = SectorPlan.objects.filter(region__code="360000").select_related("sector", "lead_department")
    assert {p.sector.code for p in provincial} == KEY_SECTORS
    for plan in provincial:
        assert plan.lead_department.kind == plan.sector.lead_kind
        assert plan.lead_department.region == plan.region
    steel = provincial.get(sector__code="steel")
    assert steel.lead_department.name == "江西省工业和信息化厅"
    assert SectorPlan.objects.filter(region__code="360100").count() == 2


def test_demo_is_marked_and_varied(seeded):
    assert all("演示数据" in p.title and "演示数据" in p.summary for p in SectorPlan.objects.all())
    assert set(SectorPlan.objects.values_list("status", flat=True)) == set(PlanStatus.values)
    assert set(Measure.objects.values_list("status", flat=True)) == set(MeasureStatus.values)
    assert selectors.measures_with_overdue(Measure.objects.all(), True).exists()
    assert Milestone.objects.filter(done_on__isnull=False).exists()
    assert ProgressNote.objects.exclude(status_to="").exists()
    assert all(p.targets.exists() and p.measures.exists() for p in SectorPlan.objects.all())


def test_demo_history_names_the_demo_users(seeded):
    energy = SectorPlan.objects.get(region__code="360000", sector__code="energy")
    assert energy.history.last().history_user.username == "energy_dept"


def test_demo_is_idempotent(seeded):
    counts = (SectorPlan.objects.count(), Measure.objects.count(), ProgressNote.objects.count())
    out = StringIO()
    plans_demo.seed(out)
    assert (SectorPlan.objects.count(), Measure.objects.count(), ProgressNote.objects.count()) == counts
    assert "0 created" in out.getvalue()
