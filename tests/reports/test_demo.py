"""The demo data is valid under the portal's own rules, reaches every stage, and is idempotent."""

import io

import pytest
from django.utils import timezone

from apps.regions.models import Region
from apps.reports import demo as reports_demo
from apps.reports import services
from apps.reports.models import EventKind, Report, ReportEvent, ReportStatus
from apps.reports.selectors import approved_values

pytestmark = pytest.mark.django_db


def test_demo_reports(demo):
    last = timezone.localdate().year - 1
    regions = Region.objects.filter(path__startswith="360000/").count()
    approved = Report.objects.filter(status=ReportStatus.APPROVED)
    assert approved.filter(year__lt=last).count() == regions * (last - 2015)  # every region, 2015–
    assert set(Report.objects.filter(year=last).values_list("status", flat=True)) == {
        ReportStatus.DRAFT,
        ReportStatus.SUBMITTED,
        ReportStatus.FORWARDED,
        ReportStatus.RETURNED,
        ReportStatus.APPROVED,
    }
    assert approved.filter(year=last).count() >= 0.8 * regions  # the dashboards default to last year
    # Bulk-written and service-written reports alike pass the rules a reviewer applies.
    sample = list(approved.filter(year__in=[2015, 2016, 2021, last]).select_related("region"))
    for report in sample[::7]:
        assert services.report_validate(report).ok, report
        assert "Demo data" in report.remarks
    assert len({(r, y) for r, y, _c, _v in approved_values()}) == approved.count()
    count = Report.objects.count()
    reports_demo.seed(io.StringIO())
    assert Report.objects.count() == count


def test_no_seeded_report_breaks_a_rule_and_the_review_queue_shows_an_explained_flag(demo):
    """Every approved report in force passes every rule (the parent-relative bounds read the
    parents' approved figures); one report under review carries a flag with its explanation."""
    from apps.reports.selectors import in_force_reports

    invalid = [r for r in in_force_reports().select_related("region") if not services.report_validate(r).ok]
    assert invalid == []
    xihu = Report.objects.get(region__code="360103", year=timezone.localdate().year - 1)
    assert xihu.status == ReportStatus.SUBMITTED
    [flag] = services.report_validate(xihu).flags
    assert flag.field == "forest_stock" and flag.level == "warning" and "演示" in flag.flag.note


def test_every_demo_report_has_a_timeline_in_its_reporting_season(demo):
    """Seeded today, the demo reports read as handled in the season after their year:
    created from February, submitted mostly by the 31 March deadline, approved by June."""
    from apps.completeness.selectors import GridFilters, build_grid
    from tests.factories import user_for

    approved = Report.objects.filter(status=ReportStatus.APPROVED).select_related("region")
    submitted_by_deadline = 0
    for report in approved:
        created, submitted, approved_at = (
            timezone.localtime(t).date() for t in (report.created_at, report.submitted_at, report.approved_at)
        )
        assert created.year == submitted.year == approved_at.year == report.year + 1, report
        assert created.month >= 2 and approved_at.month <= 6, report
        assert report.created_at < report.submitted_at < report.approved_at, report
        submitted_by_deadline += (submitted.month, submitted.day) <= (3, 31)
    assert 0.85 * approved.count() <= submitted_by_deadline < approved.count()  # a few late ones
    # Spread over the season, not one day: many distinct submission days in a year.
    days = {timezone.localtime(r.submitted_at).date() for r in approved.filter(year=2021)}
    assert len(days) > 20
    # Every report's timeline: created, saved, submitted, (forwarded,) approved, in that order.
    report = approved.filter(region__level="county", year=2018).first()
    kinds = list(
        ReportEvent.objects.filter(report=report).order_by("created_at").values_list("kind", flat=True)
    )
    assert kinds == [
        EventKind.CREATED,
        EventKind.SAVED,
        EventKind.SUBMITTED,
        EventKind.FORWARDED,
        EventKind.APPROVED,
    ]
    assert not ReportEvent.objects.filter(created_at__date__gte=timezone.localdate()).exists()
    grid = build_grid(user_for("provincial"), GridFilters(year_from=2021, year_to=2024))
    late = sum(c.counts["late"] for c in grid.columns)
    cells = sum(c.counts["approved"] for c in grid.columns)
    assert 0 < late < 0.15 * cells  # the grid shows a few late reports, not every demo report
