"""Reports in a given state, made directly (fast) for tests that are not about the workflow."""

from decimal import Decimal

from django.utils import timezone

from apps.indicators.models import Indicator
from apps.regions.selectors import by_code
from apps.reports.models import Report, ReportSection, ReportStatus, ReportValue
from tests.reports.conftest import GOOD_VALUES


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
    values = GOOD_VALUES if values is None else values
    now = timezone.now()
    report = Report.objects.create(
        region=by_code(code),
        year=year,
        status=status,
        revision=revision,
        previous=previous,
        submitted_at=now if status != ReportStatus.DRAFT else None,
        approved_at=now if status == ReportStatus.APPROVED else None,
    )
    indicators = {i.code: i for i in Indicator.objects.all()}
    notes = notes or {}
    ReportValue.objects.bulk_create(
        ReportValue(report=report, indicator=indicators[c], value=v, note=notes.get(c, ""))
        for c, v in values.items()
    )
    ReportSection.objects.bulk_create(
        ReportSection(report=report, area=a, text=t) for a, t in (sections or {}).items()
    )
    return report
