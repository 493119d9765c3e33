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
