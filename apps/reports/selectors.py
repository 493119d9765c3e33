"""Reads over annual reports shared by views, the API, exports and other apps."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from .models import Report, ReportStatus, ReportValue


def in_force_reports() -> QuerySet[Report]:
    """Approved revisions not superseded by a later approved revision of the same region-year.

    An approved report stays in force while a later revision is under way, so only a later
    *approved* revision supersedes it. The anti-join is one set-based query on every
    database (index report_status_region_year serves both sides).
    """
    later_approved = Report.objects.filter(
        status=ReportStatus.APPROVED,
        region_id=OuterRef("region_id"),
        year=OuterRef("year"),
        revision__gt=OuterRef("revision"),
    )
    return Report.objects.filter(status=ReportStatus.APPROVED).filter(~Exists(later_approved))


def approved_values(
    *, region_ids: Iterable[int] | None = None, years: Iterable[int] | None = None
) -> list[tuple[int, int, str, Decimal]]:
    """(region_id, year, indicator_code, value) of the report in force of each region-year.

    The monitoring engine's only input: values of approved reports only, one query,
    whatever the number of regions and years. Values left empty are not returned.
    """
    reports = in_force_reports()
    if region_ids is not None:
        reports = reports.filter(region_id__in=list(region_ids))
    if years is not None:
        reports = reports.filter(year__in=list(years))
    rows = (
        ReportValue.objects.filter(report__in=reports.values("pk"), value__isnull=False)
        .order_by("report__region_id", "report__year", "indicator__code")
        .values_list("report__region_id", "report__year", "indicator__code", "value")
    )
    return list(rows)
