"""The demo data is valid under the portal's own rules, reaches every stage, and is idempotent."""

import io

import pytest

from apps.reports import demo as reports_demo
from apps.reports import services
from apps.reports.models import Report, ReportStatus
from apps.reports.selectors import approved_values

pytestmark = pytest.mark.django_db


def test_demo_reports(demo):
    approved = Report.objects.filter(status=ReportStatus.APPROVED)
    assert approved.count() == (1 + 11 + 9) * 5  # province, cities, Nanchang's counties × 2020–2024
    assert set(Report.objects.filter(year=2025).values_list("status", flat=True)) == {
        ReportStatus.DRAFT,
        ReportStatus.SUBMITTED,
        ReportStatus.FORWARDED,
        ReportStatus.RETURNED,
    }
    for report in approved.select_related("region")[:40]:
        assert services.report_validate(report).ok, report
        assert "Demo data" in report.remarks
    assert len({(r, y) for r, y, _c, _v in approved_values()}) == 105
    count = Report.objects.count()
    reports_demo.seed(io.StringIO())
    assert Report.objects.count() == count


def test_past_demo_reports_were_submitted_before_the_deadline_and_approved_in_the_spring(demo):
    """Seeded today, the 2020–2024 demo reports still read as handled on time in the grid."""
    from django.utils import timezone

    from apps.completeness.selectors import GridFilters, build_grid
    from apps.reports.models import EventKind, ReportEvent
    from tests.factories import user_for

    for report in Report.objects.filter(status=ReportStatus.APPROVED):
        submitted = timezone.localtime(report.submitted_at).date()
        assert (submitted.year, submitted.month) == (report.year + 1, 3), report
        assert report.approved_at > report.submitted_at
    events = ReportEvent.objects.filter(report__year=2021, kind=EventKind.SUBMITTED)
    assert {timezone.localtime(e.created_at).date().isoformat() for e in events} == {"2022-03-10"}
    grid = build_grid(user_for("provincial"), GridFilters(year_from=2021, year_to=2024))
    assert all(c.counts["late"] == 0 for c in grid.columns)
