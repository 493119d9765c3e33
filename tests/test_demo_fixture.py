"""The `demo` fixture (tests/conftest.py): the demo data seeded once per run, seen only by the
tests that ask for it, with each test's changes rolled back."""

import pytest

from apps.accounts.models import User
from apps.monitoring.models import Assessment, RecomputeRun, RunStatus
from apps.plans.models import SectorPlan
from apps.reports.models import Report
from apps.targets.models import RegionTarget

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = {"admin", "province", "congress", "energy_dept", "nanchang", "donghu", "xihu"}


def test_a_test_that_does_not_ask_for_the_demo_sees_none_of_it():
    assert not User.objects.filter(username__in=DEMO_USERNAMES).exists()
    assert not Report.objects.exists() and not SectorPlan.objects.exists()


def test_the_demo_is_what_seed_demo_makes_with_its_figures(demo):
    assert set(User.objects.values_list("username", flat=True)) >= DEMO_USERNAMES
    assert Report.objects.exists() and RegionTarget.objects.exists() and SectorPlan.objects.exists()
    # Seeded as an operator seeds it (committed): the one batched recompute ran.
    assert set(RecomputeRun.objects.values_list("status", flat=True)) == {RunStatus.DONE}
    assert Assessment.objects.exists()


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_finds_the_demo_intact_whatever_the_others_changed(demo, run):
    assert Report.objects.exists()
    assert User.objects.get(username="donghu").first_name == ""
    Report.objects.all().delete()
    User.objects.filter(username="donghu").update(first_name=f"changed by run {run}")
