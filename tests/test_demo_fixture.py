"""The `demo` fixture (tests/conftest.py): the demo data seeded once per run, seen only by the
tests that ask for it, with each test's changes rolled back."""

from collections import Counter

import pytest
from django.utils import timezone

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
    assert not Report.objects.filter(remarks__startswith="changed by run").exists()
    assert User.objects.get(username="donghu").first_name == ""
    # (An update, not a delete: deleting the ~1,200 reports with their history takes a minute.)
    Report.objects.update(remarks=f"changed by run {run}")
    User.objects.filter(username="donghu").update(first_name=f"changed by run {run}")


def test_the_demo_gives_every_jiangxi_region_approved_figures_from_2015_to_last_year(demo):
    from apps.regions.models import Region
    from apps.reports.selectors import approved_values

    last = timezone.localdate().year - 1
    regions = dict(Region.objects.filter(path__startswith="360000/").values_list("pk", "level"))
    assert sorted(Counter(regions.values()).items()) == [("city", 11), ("county", 100), ("province", 1)]
    years = {}
    for region_id, year, _code, _value in approved_values(region_ids=list(regions)):
        years.setdefault(region_id, set()).add(year)
    # Every region 2015 up to the year before last; last year: nine in ten (the season's stragglers).
    assert all(years.get(pk, set()) >= set(range(2015, last)) for pk in regions)
    assert sum(last in y for y in years.values()) >= 0.8 * len(regions)


def test_the_warnings_of_the_latest_complete_year_cover_all_three_levels(demo):
    """Targets near each region's own trajectory: the barometer shows green, yellow and red,
    with green the most frequent and red a minority, for both intensity warnings."""
    from apps.monitoring.metrics import WARNING_METRICS
    from apps.monitoring.years import default_year
    from tests.factories import user_for

    year = default_year(user_for("provincial"))
    assert year == timezone.localdate().year - 1  # nine in ten regions have it approved
    for metric in WARNING_METRICS:
        levels = Counter(Assessment.objects.filter(year=year, metric=metric).values_list("level", flat=True))
        assert set(levels) == {"green", "yellow", "red"}, (metric, levels)
    for metric in [m for m in WARNING_METRICS if "intensity" in m]:
        for y in (year - 1, year):
            levels = Counter(Assessment.objects.filter(year=y, metric=metric).values_list("level", flat=True))
            total = sum(levels.values())
            assert levels["green"] >= 0.4 * total and levels["red"] <= 0.35 * total, (metric, y, levels)
