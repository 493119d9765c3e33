"""Completeness of the annual reports: a grid of regions × years, deadlines, lateness.

The reads live here (the grid, its filters, who may see it and who may set deadlines); the
deadline writes are in `services.py`, the workbook in `exports.py`, the reminder e-mails in
`reminders.py`.

What each viewer sees in a cell (shared/spec/roles.md, "A county's draft is private to
that county's staff until submitted"):

- Where the viewer may read drafts (`Action.READ_DRAFT_REPORT`: the region's own staff,
  administrators) the cell shows the real state: not started, draft, submitted (also
  forwarded to the province), returned, approved.
- Everywhere else (a city's view of its counties, the province, department staff,
  congress members) "not started", "draft" and "returned" all show as *not submitted*,
  so nobody learns whether a region has begun a report it has not yet submitted; the
  submission date of a returned report is hidden as well.
- A cell links to the report when the viewer may read it: drafts and returned reports
  for draft readers, submitted and forwarded reports for readers of submitted reports
  other than congress members, approved reports for every reader (congress members see
  the state "submitted", never the report under review).
- When an approved report is being corrected (a later revision under way), the cell
  stays "approved" and names the correction's state to those who may read it.
- "Late": submitted (or approved) with a first submission after the deadline.
  "Overdue": not submitted and the deadline has passed (for masked cells too: it leaks
  nothing, a masked cell is by definition not submitted).

The grid costs a constant number of queries whatever the number of regions: deadlines, the
regions matching the filters (with the viewer's draft access), the counts' report revisions,
and on screen one page of regions and their revisions (`build_grid(per_page=…)`). The counts
cover every matching region (`count_grid`, folded from plain tuples); cells are built for the
page's rows only, their permission decided in memory by `scoping.can()`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.regions.models import Region, RegionLevel
from apps.reports.models import EventKind, Report, ReportStatus

from .models import ReminderKind, ReminderLog, ReportingDeadline

YEAR_MIN, YEAR_MAX = 1990, 2100
MAX_YEARS = 30  # widest year range one grid shows
DEFAULT_YEARS = 5  # the last five report years by default


class CellState(models.TextChoices):
    NOT_STARTED = "not_started", gettext_lazy("Not started")
    DRAFT = "draft", gettext_lazy("Draft")
    SUBMITTED = "submitted", gettext_lazy("Submitted")
    RETURNED = "returned", gettext_lazy("Returned")
    APPROVED = "approved", gettext_lazy("Approved")
    NOT_SUBMITTED = "not_submitted", gettext_lazy("Not submitted")


STATE_OF_STATUS: dict[str, CellState] = {
    ReportStatus.DRAFT: CellState.DRAFT,
    ReportStatus.SUBMITTED: CellState.SUBMITTED,
    ReportStatus.FORWARDED: CellState.SUBMITTED,
    ReportStatus.RETURNED: CellState.RETURNED,
    ReportStatus.APPROVED: CellState.APPROVED,
}
# States that only draft readers may tell apart; everyone else sees NOT_SUBMITTED.
PRIVATE_STATES = frozenset({CellState.NOT_STARTED, CellState.DRAFT, CellState.RETURNED})
SUBMITTED_STATES = frozenset({CellState.SUBMITTED, CellState.APPROVED})
# Report statuses that count as "submitted" for reminders and lateness.
SUBMITTED_STATUSES = frozenset({ReportStatus.SUBMITTED, ReportStatus.FORWARDED, ReportStatus.APPROVED})


# ---------------------------------------------------------------------------
# Pure functions (no database): what one region-year is, and what a viewer sees of it.


@dataclass(frozen=True)
class Revision:
    """What the grid needs of one report revision."""

    report_id: int
    revision: int
    status: str
    first_submitted_on: date | None = None  # local date of its first submission, if any


@dataclass(frozen=True)
class RegionYear:
    """The true state of one region-year, from all its revisions."""

    state: CellState
    report_id: int | None = None  # the revision the state is about
    first_submitted_on: date | None = None  # earliest submission of any revision
    correction_state: CellState | None = None  # a revision under way after an approval
    correction_id: int | None = None


def summarize(revisions: Iterable[Revision]) -> RegionYear:
    """Fold a region-year's revisions into one state.

    The latest approved revision is in force and makes the region-year "approved" even
    while a correction is under way (the correction is reported separately). Without an
    approved revision there is at most one revision (the open one).
    """
    revisions = list(revisions)
    if not revisions:
        return RegionYear(state=CellState.NOT_STARTED)
    submitted = [r.first_submitted_on for r in revisions if r.first_submitted_on is not None]
    first = min(submitted) if submitted else None
    approved = [r for r in revisions if r.status == ReportStatus.APPROVED]
    open_ = sorted((r for r in revisions if r.status != ReportStatus.APPROVED), key=lambda r: -r.revision)
    if approved:
        in_force = max(approved, key=lambda r: r.revision)
        correction = open_[0] if open_ and open_[0].revision > in_force.revision else None
        return RegionYear(
            state=CellState.APPROVED,
            report_id=in_force.report_id,
            first_submitted_on=first,
            correction_state=STATE_OF_STATUS[correction.status] if correction else None,
            correction_id=correction.report_id if correction else None,
        )
    current = open_[0]
    return RegionYear(
        state=STATE_OF_STATUS[current.status], report_id=current.report_id, first_submitted_on=first
    )


@dataclass(frozen=True)
class Access:
    """What a viewer may read of one region's reports (decided by scoping)."""

    private: bool = False  # drafts and returned reports, and the distinction from "not started"
    submitted: bool = False  # submitted and forwarded reports
    approved: bool = False  # approved reports

    def may_open(self, state: CellState) -> bool:
        if state == CellState.NOT_SUBMITTED:
            return False  # a masked cell never links
        if state in PRIVATE_STATES:
            return self.private
        if state == CellState.APPROVED:
            return self.approved
        return self.submitted


def access_for(user, region: Region) -> Access:
    """The viewer's access to a region's reports; no query once `user.region` is loaded."""
    return Access(
        private=scoping.can(user, Action.READ_DRAFT_REPORT, region=region),
        submitted=scoping.can(user, Action.READ_SUBMITTED_REPORT, region=region),
        approved=scoping.can(user, Action.READ_APPROVED_REPORT, region=region),  # congress: only these
    )


@dataclass(frozen=True)
class Cell:
    year: int
    state: CellState
    report_id: int | None = None  # set only when the viewer may open the report
    submitted_on: date | None = None  # first submission, shown only on submitted/approved cells
    late: bool = False  # submitted after the deadline
    overdue: bool = False  # not submitted and the deadline has passed
    correction_state: CellState | None = None
    correction_id: int | None = None

    @property
    def label(self) -> str:
        return str(self.state.label)

    links: tuple[str, str] | None = None  # (report URL, correction URL), resolved once per page

    @property
    def url(self) -> str | None:
        if not self.report_id:
            return None
        return self.links[0] if self.links else reverse("reports:detail", args=[self.report_id])

    @property
    def correction_url(self) -> str | None:
        if not self.correction_id:
            return None
        return self.links[1] if self.links else reverse("reports:detail", args=[self.correction_id])


_PLACEHOLDER_ID = 987654321


def with_links(cell: Cell, pattern: str) -> Cell:
    """The cell with its links resolved from `pattern` (the report URL of _PLACEHOLDER_ID):
    a page of the grid links hundreds of cells, and `reverse` for each cost more than the rest."""
    if not cell.report_id and not cell.correction_id:
        return cell
    marker = str(_PLACEHOLDER_ID)
    return replace(
        cell,
        links=(
            pattern.replace(marker, str(cell.report_id)) if cell.report_id else "",
            pattern.replace(marker, str(cell.correction_id)) if cell.correction_id else "",
        ),
    )


def visible_cell(facts: RegionYear, access: Access, *, year: int, due: date | None, today: date) -> Cell:
    """What a viewer with `access` sees of a region-year (see the module docstring)."""
    state = facts.state
    if state in PRIVATE_STATES and not access.private:
        state = CellState.NOT_SUBMITTED
    submitted = state in SUBMITTED_STATES
    submitted_on = facts.first_submitted_on if submitted else None
    correction_state = correction_id = None
    if facts.correction_state is not None and access.may_open(facts.correction_state):
        correction_state, correction_id = facts.correction_state, facts.correction_id
    return Cell(
        year=year,
        state=state,
        report_id=facts.report_id if facts.report_id and access.may_open(facts.state) else None,
        submitted_on=submitted_on,
        late=bool(submitted and due and submitted_on and submitted_on > due),
        overdue=bool(not submitted and due and today > due),
        correction_state=correction_state,
        correction_id=correction_id,
    )


def count_states(cells: Iterable[Cell]) -> dict[str, int]:
    """Cells per state (every state present, in display order) plus late and overdue counts."""
    counts = {state.value: 0 for state in CellState}
    counts.update(late=0, overdue=0)
    for cell in cells:
        counts[cell.state.value] += 1
        counts["late"] += cell.late
        counts["overdue"] += cell.overdue
    return counts


# ---------------------------------------------------------------------------
# Filters


@dataclass(frozen=True)
class GridFilters:
    year_from: int
    year_to: int
    city: str = ""  # a city's code: the city and its counties
    level: str = ""  # a RegionLevel value

    @property
    def years(self) -> list[int]:
        return list(range(self.year_from, self.year_to + 1))

    def as_query(self) -> dict[str, str]:
        query = {"years": f"{self.year_from}-{self.year_to}"}
        if self.city:
            query["city"] = self.city
        if self.level:
            query["level"] = self.level
        return query


def default_years(today: date) -> tuple[int, int]:
    """The last DEFAULT_YEARS report years: a year's report is written the year after."""
    return today.year - DEFAULT_YEARS, today.year - 1


def _year(value: str, name: str) -> int:
    if not re.fullmatch(r"\d{4}", value):
        raise ValidationError({name: _("Enter a four-digit year.")})
    year = int(value)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError(
            {name: _("The year must lie between %(min)s and %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX}}
        )
    return year


def parse_filters(params: Mapping[str, str], *, today: date) -> GridFilters:
    """Read `years` ("2021-2025" or "2024") or `year_from`/`year_to`, `city`, `level`.

    Raises ValidationError naming the offending parameter.
    """
    start, end = default_years(today)
    years = (params.get("years") or "").strip()
    if years:
        match = re.fullmatch(r"(\d{4})(?:\s*[-–~]\s*(\d{4}))?", years)
        if not match:
            raise ValidationError({"years": _("Enter a year or a range such as 2021-2025.")})
        start = _year(match.group(1), "years")
        end = _year(match.group(2), "years") if match.group(2) else start
    else:
        if (params.get("year_from") or "").strip():
            start = _year(params["year_from"].strip(), "year_from")
        if (params.get("year_to") or "").strip():
            end = _year(params["year_to"].strip(), "year_to")
    if end < start:
        raise ValidationError({"years": _("The last year comes before the first.")})
    if end - start + 1 > MAX_YEARS:
        raise ValidationError({"years": _("Show at most %(n)d years at once.") % {"n": MAX_YEARS}})
    city = (params.get("city") or "").strip()
    if city and not re.fullmatch(r"\d{6}", city):
        raise ValidationError({"city": _("Enter a six-digit region code.")})
    level = (params.get("level") or "").strip()
    if level and level not in RegionLevel.values:
        raise ValidationError({"level": _("Unknown level.")})
    return GridFilters(year_from=start, year_to=end, city=city, level=level)


# ---------------------------------------------------------------------------
# Selectors


def visible_regions(user) -> QuerySet[Region]:
    """Regions whose completeness the user may see: where they read reports (approved ones or drafts)."""
    return Region.objects.filter(
        Q(pk__in=scoping.regions_for(user, Action.READ_APPROVED_REPORT).values("pk"))
        | Q(pk__in=scoping.regions_for(user, Action.READ_DRAFT_REPORT).values("pk"))
    )


def _local_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value is not None else None


def revisions_by_region_year(regions: QuerySet[Region], years: list[int]) -> dict[tuple[int, int], list]:
    """Every revision of the regions' reports in the years, with its first submission; one query.

    The first submission is the earliest "submitted" event; reports loaded by import carry
    no such event, so their submitted/forwarded/approved time stands in.
    """
    rows = (
        Report.objects.filter(region__in=regions.values("pk"), year__in=years)
        .order_by()
        .values(
            "id", "region_id", "year", "revision", "status", "submitted_at", "forwarded_at", "approved_at"
        )
        .annotate(first_event=Min("events__created_at", filter=Q(events__kind=EventKind.SUBMITTED)))
    )
    result: dict[tuple[int, int], list[Revision]] = defaultdict(list)
    for row in rows:
        when = row["first_event"] or row["submitted_at"] or row["forwarded_at"] or row["approved_at"]
        result[(row["region_id"], row["year"])].append(
            Revision(row["id"], row["revision"], row["status"], _local_date(when))
        )
    return result


def deadlines_for(years: Iterable[int]) -> dict[int, ReportingDeadline]:
    return {d.year: d for d in ReportingDeadline.objects.filter(year__in=list(years))}


@dataclass
class YearColumn:
    year: int
    deadline: ReportingDeadline | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def due_date(self) -> date | None:
        return self.deadline.due_date if self.deadline else None


@dataclass
class GridRow:
    region: Region
    cells: list[Cell]


@dataclass
class Grid:
    filters: GridFilters
    today: date
    columns: list[YearColumn]
    rows: list[GridRow]  # the rows of `page` (every region when not paged)
    totals: dict[str, int]
    page: Page | None = None  # the page of regions shown, when paged
    region_count: int = 0  # regions matching the filters (every page)

    @property
    def states(self) -> list[CellState]:
        return list(CellState)

    @property
    def summary(self) -> list[dict]:
        """Per state: its counts per year and in total (the summary table, in display order)."""
        return [
            {
                "state": state,
                "counts": [col.counts[state.value] for col in self.columns],
                "total": self.totals[state.value],
            }
            for state in CellState
        ]


#: Rows per page of the grid on screen (the export has every row).
PAGE_SIZE = 50


def _filtered_regions(user, filters: GridFilters) -> QuerySet[Region]:
    regions_qs = visible_regions(user)
    if filters.city:
        # A path is "province/city/county/": the city's code appears only in its own subtree.
        regions_qs = regions_qs.filter(path__contains=f"/{filters.city}/")
    if filters.level:
        regions_qs = regions_qs.filter(level=filters.level)
    return regions_qs.order_by("path")


def _rows(user, regions: list[Region], columns: list[YearColumn], today: date) -> list[GridRow]:
    """The cells of these regions as `user` sees them: one query for their report revisions."""
    years = [c.year for c in columns]
    shown = Region.objects.filter(pk__in=[r.pk for r in regions])
    revisions = revisions_by_region_year(shown, years) if regions else {}
    rows = []
    pattern = reverse("reports:detail", args=[_PLACEHOLDER_ID])
    for region in regions:
        access = access_for(user, region)
        cells = [
            with_links(
                visible_cell(
                    summarize(revisions.get((region.pk, col.year), ())),
                    access,
                    year=col.year,
                    due=col.due_date,
                    today=today,
                ),
                pattern,
            )
            for col in columns
        ]
        rows.append(GridRow(region=region, cells=cells))
    return rows


def count_grid(
    user, regions_qs: QuerySet[Region], columns: list[YearColumn], today: date
) -> tuple[int, dict[int, dict[str, int]]]:
    """(number of regions, per year the cells per state plus late and overdue), two queries.

    The same answer as `count_states` over every row's `visible_cell` (tested), folded from
    plain tuples: at national scale (3,351 regions × 5 years) building every cell took a second.
    Only a region's draft access matters for the counts (it unmasks the private states); the
    first submission is read from the events only when a year has a deadline (it only decides
    "late").
    """
    years = [c.year for c in columns]
    due = {c.year: c.due_date for c in columns}
    drafts = scoping.regions_for(user, Action.READ_DRAFT_REPORT).filter(pk=OuterRef("pk"))
    private = dict(regions_qs.annotate(private=Exists(drafts)).values_list("pk", "private"))
    facts: dict[tuple[int, int], list] = {}  # (region, year) → [approved?, open revision, open status, first]
    if private:
        reports = (
            Report.objects.filter(region__in=regions_qs.values("pk"), year__in=years)
            .order_by()
            .values_list(
                "region_id", "year", "revision", "status", "submitted_at", "forwarded_at", "approved_at"
            )
        )
        with_deadline = any(due.values())
        if with_deadline:
            reports = reports.annotate(
                first_event=Min("events__created_at", filter=Q(events__kind=EventKind.SUBMITTED))
            )
        for row in reports:
            region_id, year, revision, status, submitted_at, forwarded_at, approved_at = row[:7]
            when = (row[7] if with_deadline else None) or submitted_at or forwarded_at or approved_at
            fact = facts.get((region_id, year))
            if fact is None:
                fact = facts[(region_id, year)] = [False, 0, None, None]
            if status == ReportStatus.APPROVED:
                fact[0] = True
            elif revision > fact[1]:
                fact[1], fact[2] = revision, status
            if when is not None and (fact[3] is None or when < fact[3]):
                fact[3] = when
    counts = {year: count_states(()) for year in years}
    for region_id, may_read_drafts in private.items():
        for year in years:
            fact = facts.get((region_id, year))
            if fact is None:
                state, first = CellState.NOT_STARTED, None
            elif fact[0]:
                state, first = CellState.APPROVED, fact[3]
            else:
                state, first = STATE_OF_STATUS[fact[2]], fact[3]
            if state in PRIVATE_STATES and not may_read_drafts:
                state = CellState.NOT_SUBMITTED
            c = counts[year]
            c[state.value] += 1
            deadline = due[year]
            if not deadline:
                continue
            if state in SUBMITTED_STATES:
                c["late"] += bool(first and _local_date(first) > deadline)
            else:
                c["overdue"] += today > deadline
    return len(private), counts


def build_grid(
    user, filters: GridFilters, *, today: date | None = None, page: int | str | None = None, per_page: int = 0
) -> Grid:
    """The completeness grid as `user` may see it, for any number of regions in constant queries.

    With `per_page`, `rows` holds only the regions of `page` (the counts still cover every
    region matching the filters); without it, every region (the export).
    """
    today = today or timezone.localdate()
    regions_qs = _filtered_regions(user, filters)
    deadlines = deadlines_for(filters.years)
    columns = [YearColumn(year=y, deadline=deadlines.get(y)) for y in filters.years]
    region_count, counts = count_grid(user, regions_qs, columns, today)
    for col in columns:
        col.counts = counts[col.year]
    totals = count_states(())
    for c in counts.values():
        for key, n in c.items():
            totals[key] += n
    shown: Page | None = None
    if per_page:
        shown = Paginator(_CountedQuerySet(regions_qs, region_count), per_page).get_page(page)
        regions = list(shown.object_list)
    else:
        regions = list(regions_qs)
    rows = _rows(user, regions, columns, today)
    return Grid(
        filters=filters,
        today=today,
        columns=columns,
        rows=rows,
        totals=totals,
        page=shown,
        region_count=region_count,
    )


class _CountedQuerySet:
    """A queryset whose length is already known: the paginator slices it without a COUNT query."""

    def __init__(self, qs: QuerySet, count: int):
        self.qs, self._count = qs, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.qs[key]


def cities_for_filter(user) -> QuerySet[Region]:
    """Cities offered in the grid's city filter: those with a visible region in their subtree."""
    visible = visible_regions(user)
    return (
        Region.objects.filter(level=RegionLevel.CITY)
        .filter(Q(pk__in=visible.values("pk")) | Q(children__in=visible))
        .distinct()
        .order_by("path")
    )


# ---------------------------------------------------------------------------
# Deadlines: who may set them (the writes are in services.py)


def may_edit_deadlines(user) -> bool:
    """Deadlines bind every region: EDIT_DEADLINES held over every top-level region (roles.md)."""
    return scoping.holds_everywhere(user, Action.EDIT_DEADLINES)


# ---------------------------------------------------------------------------
# The reminder log


def reminder_queryset(user, params: Mapping[str, str]) -> QuerySet[ReminderLog]:
    """The reminder log `user` may read (EDIT_DEADLINES), filtered by `year`, `region` (code),
    `kind`; bad values filter to nothing."""
    qs = scoping.restrict(ReminderLog.objects.all(), user, Action.EDIT_DEADLINES)
    qs = qs.select_related("region").order_by("-sent_at", "-pk")
    year = (params.get("year") or "").strip()
    if year:
        qs = qs.filter(year=int(year)) if year.isdigit() else qs.none()
    region = (params.get("region") or "").strip()
    if region:
        qs = qs.filter(region__code=region)
    kind = (params.get("kind") or "").strip()
    if kind:
        qs = qs.filter(kind=kind) if kind in ReminderKind.values else qs.none()
    return qs
