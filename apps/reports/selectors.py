"""Reads over annual reports shared by views, the API, exports and other apps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, FloatField, OuterRef, Q, QuerySet
from django.db.models.functions import Cast

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.indicators.models import Indicator
from apps.regions.models import Region, RegionLevel

from .models import PRIVATE_STATUSES, Report, ReportStatus, ReportValue


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
    *, region_ids: Iterable[int] | None = None, years: Iterable[int] | None = None, as_float: bool = False
) -> list[tuple[int, int, str, Decimal | float]]:
    """(region_id, year, indicator_code, value) of the report in force of each region-year.

    The monitoring engine's only input: values of approved reports only, one query,
    whatever the number of regions and years, in no particular order. Values left empty
    are not returned. ``as_float``: values as the nearest float, converted by PostgreSQL
    (numeric → float8 rounds correctly, as ``float(Decimal)`` does) rather than by building
    700,000 Decimals at national scale.
    """
    reports = in_force_reports()
    if region_ids is not None:
        reports = reports.filter(region_id__in=list(region_ids))
    if years is not None:
        reports = reports.filter(year__in=list(years))
    rows = ReportValue.objects.filter(report__in=reports.values("pk"), value__isnull=False).order_by()
    # (no sort: 700,000 rows at national scale would spill to disk for nothing)
    if as_float and connection.vendor == "postgresql":
        rows = rows.annotate(as_float=Cast("value", FloatField()))
        query = rows.values_list("report__region_id", "report__year", "indicator__code", "as_float").query
        sql, params = query.sql_with_params()
        with connection.cursor() as cursor:  # plain tuples: no per-row converters
            cursor.execute(sql, params)
            return cursor.fetchall()
    rows = rows.values_list("report__region_id", "report__year", "indicator__code", "value")
    if as_float:
        return [(r, y, c, float(v)) for r, y, c, v in rows]
    return list(rows)


def readable_reports(user) -> QuerySet[Report]:
    """Report revisions `user` may read (roles.md), as one filterable queryset.

    Drafts and returned reports: READ_DRAFT_REPORT (the region's own staff); submitted and
    forwarded: READ_SUBMITTED_REPORT; approved: READ_APPROVED_REPORT (congress members hold
    only this one). Everything else does not exist for the user.
    """
    qs = Report.objects.all()
    if scoping.is_admin(user):
        return qs
    drafts = scoping.restrict(qs.filter(status__in=PRIVATE_STATUSES), user, Action.READ_DRAFT_REPORT)
    under_review = scoping.restrict(
        qs.exclude(status__in=PRIVATE_STATUSES).exclude(status=ReportStatus.APPROVED),
        user,
        Action.READ_SUBMITTED_REPORT,
    )
    approved = scoping.restrict(qs.filter(status=ReportStatus.APPROVED), user, Action.READ_APPROVED_REPORT)
    return qs.filter(
        Q(pk__in=drafts.values("pk")) | Q(pk__in=under_review.values("pk")) | Q(pk__in=approved.values("pk"))
    )


def can_read(user, report: Report) -> bool:
    return readable_reports(user).filter(pk=report.pk).exists()


def readable_values(user) -> QuerySet[ReportValue]:
    return ReportValue.objects.filter(report__in=readable_reports(user).values("pk"))


def previous_year_values(region_id: int, year: int) -> dict[str, Decimal]:
    """Last year's values of the report in force: the base of the year-on-year checks."""
    return {
        code: value
        for _region, _year, code, value in approved_values(region_ids=[region_id], years=[year - 1])
    }


@dataclass(frozen=True)
class ParentFigures:
    """The parent region's approved values of a year and the year before (the parent-relative bounds)."""

    name: str = ""
    current: dict[str, Decimal] = field(default_factory=dict)
    previous: dict[str, Decimal] = field(default_factory=dict)


def parent_figures(region_id: int, year: int) -> ParentFigures:
    """The parent's values in force for `year` and `year − 1` (empty for the province: no parent).

    Only approved values count, like last year's own values: a parent still under review has
    no change to compare with yet, and the indicator's own bounds apply meanwhile.
    """
    parent = Region.objects.filter(children__pk=region_id).only("pk", "name").first()
    if parent is None:
        return ParentFigures()
    by_year: dict[int, dict[str, Decimal]] = {year: {}, year - 1: {}}
    for _region, y, code, value in approved_values(region_ids=[parent.pk], years=[year - 1, year]):
        by_year[y][code] = value
    return ParentFigures(parent.name, by_year[year], by_year[year - 1])


def report_values(report: Report) -> tuple[dict[str, Decimal | None], dict[str, str]]:
    """The values and notes of one revision, keyed by indicator code."""
    values: dict[str, Decimal | None] = {}
    notes: dict[str, str] = {}
    for code, value, note in report.values.values_list("indicator__code", "value", "note"):
        values[code] = value
        if note:
            notes[code] = note
    return values, notes


def report_sections(report: Report) -> dict[str, str]:
    return dict(report.sections.values_list("area", "text"))


def superseding_revision(report: Report) -> Report | None:
    """The later approved revision that replaced this approved one, if any."""
    if report.status != ReportStatus.APPROVED:
        return None
    return (
        Report.objects.filter(
            region_id=report.region_id,
            year=report.year,
            status=ReportStatus.APPROVED,
            revision__gt=report.revision,
        )
        .order_by("-revision")
        .first()
    )


def revisions_of(user, report: Report) -> QuerySet[Report]:
    """Every revision of the same region-year that `user` may read, newest first."""
    return readable_reports(user).filter(region_id=report.region_id, year=report.year).order_by("-revision")


def review_queue(user, *, stage: str) -> QuerySet[Report]:
    """Reports waiting for the user's review: stage "city" (county reports to forward or return)
    or "province" (forwarded county reports and submitted city/province reports to approve)."""
    qs = readable_reports(user).select_related("region")
    if stage == "city":
        return qs.filter(
            status=ReportStatus.SUBMITTED,
            region__level=RegionLevel.COUNTY,
            region__in=scoping.regions_for(user, Action.REVIEW_COUNTY_REPORT),
        )
    return qs.filter(
        Q(status=ReportStatus.FORWARDED)
        | (Q(status=ReportStatus.SUBMITTED) & ~Q(region__level=RegionLevel.COUNTY)),
        region__in=scoping.regions_for(user, Action.APPROVE_REPORT),
    )


@dataclass(frozen=True)
class ValueChange:
    code: str
    name: str
    unit: str
    old: Decimal | None
    new: Decimal | None
    old_note: str
    new_note: str


@dataclass(frozen=True)
class SectionChange:
    area: str
    label: str
    old: str
    new: str


@dataclass
class RevisionDiff:
    old: Report
    new: Report
    values: list[ValueChange]
    sections: list[SectionChange]
    attachments_added: list[str]
    attachments_removed: list[str]

    @property
    def empty(self) -> bool:
        return not (self.values or self.sections or self.attachments_added or self.attachments_removed)


def revision_diff(old: Report, new: Report) -> RevisionDiff:
    """What changed from one revision to another: value by value, section by section, attachments."""
    from apps.indicators.models import Indicator

    from .models import SectionArea

    old_values, old_notes = report_values(old)
    new_values, new_notes = report_values(new)
    values = []
    for ind in Indicator.objects.order_by("order", "code"):
        a, b = old_values.get(ind.code), new_values.get(ind.code)
        na, nb = old_notes.get(ind.code, ""), new_notes.get(ind.code, "")
        if a != b or na != nb:
            values.append(ValueChange(ind.code, ind.name, ind.unit_label, a, b, na, nb))
    old_sections, new_sections = report_sections(old), report_sections(new)
    sections = [
        SectionChange(area, label, old_sections.get(area, ""), new_sections.get(area, ""))
        for area, label in SectionArea.choices
        if old_sections.get(area, "") != new_sections.get(area, "")
    ]
    old_files = {a.sha256: a.original_name for a in old.attachments.all()}
    new_files = {a.sha256: a.original_name for a in new.attachments.all()}
    return RevisionDiff(
        old=old,
        new=new,
        values=values,
        sections=sections,
        attachments_added=[n for h, n in new_files.items() if h not in old_files],
        attachments_removed=[n for h, n in old_files.items() if h not in new_files],
    )


def indicators() -> list[Indicator]:
    """The indicator catalog in display order."""
    return list(Indicator.objects.order_by("order", "code"))


@dataclass(frozen=True)
class TimelineValue:
    name: str
    old: str
    new: str
    note_changed: bool


def timeline(report: Report) -> list:
    """The report's events for people: changed values and sections, and the reviewer's reasons
    per field, named from the catalog (events store codes); a value that moved nowhere (only its
    note changed) says so instead of "— → —"."""
    from apps.core.display import format_number

    from .models import SectionArea

    catalog = indicators()
    order = {i.code: n for n, i in enumerate(catalog)}  # values in the catalog's order
    names = {i.code: i.name for i in catalog} | {str(a): str(label) for a, label in SectionArea.choices}
    events = list(report.events.select_related("actor"))
    for event in events:
        data = event.data or {}
        event.value_changes = [
            TimelineValue(
                names.get(code, code),
                format_number(change[0]) if change and change[0] is not None else "—",
                format_number(change[1]) if len(change) > 1 and change[1] is not None else "—",
                "note" in change[2:],
            )
            for code, change in sorted((data.get("values") or {}).items(), key=lambda i: order.get(i[0], 999))
            if isinstance(change, list)
        ]
        event.section_names = [names.get(code, code) for code in data.get("sections") or ()]
        event.remarks_changed = bool(data.get("remarks"))
        reasons = event.field_reasons or {}
        event.reason_rows = [(names.get(code, code), text) for code, text in reasons.items()]
    return events
