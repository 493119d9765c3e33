"""Demo annual reports (made-up figures, marked as demo in the report's remarks). Never for production.

Every Jiangxi region (the province, its 11 cities and 100 counties) has an approved report for
each year from 2015 to last year, with the figures of apps/regions/demo_figures.py (regions differ
in size, growth, energy mix and trend; cities and the province are the sums of their counties).
Last year's reporting season is still open for a few regions: a draft, reports submitted,
forwarded and returned, and two counties that have not started, so the workflow pages have
something to show — while about nine in ten regions have last year approved, so the dashboards'
default year (apps/monitoring/years.py: ≥ 80 % of the regions assessed) is last year.

Every step happened in the reporting season after the report year: created in February or
March, submitted mostly before the 31 March deadline (a few late), forwarded by the city and
approved by the province between April and June; the timelines say so.

Speed: the demo users' own reports and the open ones of last year go through the services
(their timelines are what the services write); the other ~1,200 region-years are written in
bulk, each validated with the same rules first, with the rows the services would write:
report, values, sections, history and the timeline events (created, saved, submitted,
forwarded, approved) dated in the season. Idempotent: a region-year that already has a report
is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from apps.regions import demo_figures as sim
from apps.regions.models import Region, RegionLevel

from . import services
from .models import EventKind, Report, ReportEvent, ReportSection, ReportStatus, ReportValue
from .selectors import indicators
from .validation import validate

DEMO_NOTE = "演示数据（虚构数字，仅供演示）/ Demo data: made-up figures for demonstration only."
REASON = "demo data (seed_demo)"
FORWARD_COMMENT = "已核对。（演示）"

SECTIONS = {
    "industry": "推进钢铁、建材等重点行业节能降碳改造，淘汰落后产能。（演示）",
    "energy": "新增光伏、风电装机，煤炭消费比重持续下降。（演示）",
    "transport": "公交车辆电动化，新能源汽车推广。（演示）",
    "carbon_sinks": "实施森林质量精准提升工程。（演示）",
}

# Last year's reports still in the workflow (region code → stage); None: not started.
OPEN_STAGES: dict[str, str | None] = {
    "360102": "draft",  # 东湖区 (demo user donghu)
    "360103": "submitted",  # 西湖区 (demo user xihu)
    "360104": "forwarded",
    "360111": "returned",  # returned by Nanchang
    "360400": "returned",  # 景德镇市, returned by the province
    "360702": "draft",
    "360722": "submitted",
    "360921": "forwarded",
    "361123": None,
    "361124": None,
}
# A value beyond its plausibility bounds, explained in its note, in a report under review: what
# a reviewer sees at the top of the report (issue 15). Region code → (indicator, factor, note).
EXPLAINED_FLAGS: dict[str, tuple[str, Decimal, str]] = {
    "360103": (
        "forest_stock",
        Decimal("0.90"),
        "2025年森林资源年度监测更新了蓄积量测算方法，较上年下降约8%，林业部门说明已作附件上传。（演示）",
    ),
}
# Region-years the services write in full (the demo users' own regions' latest report and the
# province's): their timelines are exactly what the services record.
SERVICE_APPROVED = ("360000", "360100")
HISTORY_YEARS = 3  # the values' history rows of the last three years (see _bulk_approve)


def last_year() -> int:
    """The latest report year: a year's report is written in the following year."""
    return timezone.localdate().year - 1


def demo_nodes() -> list[sim.Node]:
    rows = Region.objects.filter(path__startswith="360000/").values_list("code", "level", "parent__code")
    return [sim.Node(c, lvl, p if lvl != RegionLevel.PROVINCE else None) for c, lvl, p in rows]


def demo_figures() -> dict[str, dict[int, dict[str, Decimal]]]:
    """{region code: {year: values}} of every Jiangxi region, 2015 to last year."""
    return sim.figures(demo_nodes(), last_year())


# ---- when each step happened ----------------------------------------------------------------


def schedule(code: str, year: int) -> dict[str, datetime]:
    """The dates of a region-year's steps, spread over the reporting season after `year`:
    created in February or March, submitted mostly by 31 March (about one in fifteen late),
    forwarded by the city within two weeks, approved by the province from April to June."""

    def at(day: float, salt: str) -> datetime:
        start = datetime(year + 1, 2, 1, 9, 0)
        hour = sim.between(code, f"{salt}-hour{year}", 0, 8)
        return timezone.make_aware(start + timedelta(days=int(day), hours=hour))

    created = sim.between(code, f"created{year}", 0, 34)
    saved = created + sim.between(code, f"saved{year}", 1, 10)
    if sim.fraction(code, f"late{year}") < 0.07:
        submitted = sim.between(code, f"submitted{year}", 60, 95)  # April or early May: late
    else:
        submitted = min(58.0, saved + sim.between(code, f"submitted{year}", 1, 14))  # by 31 March
    forwarded = submitted + sim.between(code, f"forwarded{year}", 2, 14)
    approved = forwarded + sim.between(code, f"approved{year}", 5, 60)
    days = {
        EventKind.CREATED: created,
        EventKind.SAVED: saved,
        EventKind.SUBMITTED: submitted,
        EventKind.FORWARDED: forwarded,
        EventKind.RETURNED: forwarded + 1,
        EventKind.APPROVED: min(approved, 148.0),  # by the end of June
    }
    return {kind: at(day, kind) for kind, day in days.items()}


@contextmanager
def _own_timestamps(*models) -> Iterator[None]:
    """Let bulk writes keep the dates given (auto_now/auto_now_add would stamp them "now")."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _backdate(report: Report) -> None:
    """Move a service-written report's timeline into its reporting season (in step order)."""
    when = schedule(report.region.code, report.year)
    for event in ReportEvent.objects.filter(report=report).order_by("pk"):
        ReportEvent.objects.filter(pk=event.pk).update(created_at=when.get(event.kind, when[EventKind.SAVED]))
    fields = {"created_at": when[EventKind.CREATED], "updated_at": when[EventKind.SAVED]}
    for name, kind in (
        ("submitted_at", "submitted"),
        ("forwarded_at", "forwarded"),
        ("approved_at", "approved"),
    ):
        if getattr(report, name) is not None:
            fields[name] = when[kind]
            fields["updated_at"] = when[kind]
    Report.objects.filter(pk=report.pk).update(**fields)


# ---- writing ---------------------------------------------------------------------------------


def _actors():
    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["admin", "province", "nanchang", "donghu", "xihu"])
    }
    if "admin" not in users or "province" not in users:
        raise RuntimeError("reports demo needs the accounts demo users (admin, province)")
    staff = {"360100": users.get("nanchang"), "360102": users.get("donghu"), "360103": users.get("xihu")}
    return users, staff


def _json(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _bulk_approve(items, figures, users, staff) -> None:
    """Write approved reports of many region-years at once, as the services would have."""
    catalog = {i.code: i for i in indicators()}
    catalog_list = list(catalog.values())
    reports = []
    for region, year in items:
        values = figures[region.code][year]
        previous = figures[region.code].get(year - 1, {})
        parent = figures.get(region.parent.code, {}) if region.parent_id else {}
        result = validate(
            values,
            indicators=catalog_list,
            previous=previous,
            parent=parent.get(year, {}),
            parent_previous=parent.get(year - 1, {}),
            parent_name=region.parent.name if region.parent_id else "",
        )
        if not result.ok:  # the demo's own bug: never store what a reviewer could not approve
            raise RuntimeError(
                f"demo values of {region.code} {year} fail validation: {result.as_error_dict()}"
            )
        when = schedule(region.code, year)
        owner = staff.get(region.code) or users["admin"]
        report = Report(
            region=region,
            year=year,
            status=ReportStatus.APPROVED,
            remarks=DEMO_NOTE,
            created_by=owner,
            created_at=when[EventKind.CREATED],
            updated_at=when[EventKind.APPROVED],
            submitted_at=when[EventKind.SUBMITTED],
            forwarded_at=when[EventKind.FORWARDED] if region.level == RegionLevel.COUNTY else None,
            approved_at=when[EventKind.APPROVED],
            approved_by=users["province"],
        )
        report._history_date = when[EventKind.APPROVED]
        reports.append(report)
    with _own_timestamps(Report, ReportEvent):
        bulk_create_with_history(reports, Report, batch_size=500, default_change_reason=REASON)
    if reports and reports[0].pk is None:  # a backend that does not return keys
        keys = dict(
            ((r, y), pk)
            for r, y, pk in Report.objects.filter(region__in={r.region_id for r in reports}).values_list(
                "region_id", "year", "pk"
            )
        )
        for report in reports:
            report.pk = report.id = keys[(report.region_id, report.year)]
    values, sections, events = [], [], []
    for report in reports:
        figures_of = figures[report.region.code][report.year]
        when = schedule(report.region.code, report.year)
        owner = report.created_by
        for code, value in figures_of.items():
            row = ReportValue(report=report, indicator=catalog[code], value=value)
            row._history_date = when[EventKind.SAVED]
            values.append(row)
        for area, text in SECTIONS.items():
            section = ReportSection(report=report, area=area, text=text)
            section._history_date = when[EventKind.SAVED]
            sections.append(section)
        steps = [
            (EventKind.CREATED, owner, "", {}),
            (
                EventKind.SAVED,
                owner,
                "",
                {
                    "values": {c: [None, _json(v)] for c, v in sorted(figures_of.items())},
                    "sections": list(SECTIONS),
                    "remarks": True,
                },
            ),
            (EventKind.SUBMITTED, owner, "", {"resubmitted": False, "warnings": []}),
        ]
        if report.region.level == RegionLevel.COUNTY:
            reviewer = staff.get(report.region.parent.code) or users["admin"]
            steps.append((EventKind.FORWARDED, reviewer, FORWARD_COMMENT, {}))
        steps.append((EventKind.APPROVED, users["province"], "", {}))
        for kind, actor, reason, data in steps:
            events.append(
                ReportEvent(
                    report=report, kind=kind, actor=actor, reason=reason, data=data, created_at=when[kind]
                )
            )
    # The values' and sections' history rows (what the services' saves record) for the recent
    # years, where a reader opens it; the older years carry their timeline only (it is the
    # bulk of the rows, and the seeding has to stay quick).
    recent = last_year() - HISTORY_YEARS
    with _own_timestamps(Report, ReportEvent):
        for model, rows in ((ReportValue, values), (ReportSection, sections)):
            bulk_create_with_history(
                [r for r in rows if r.report.year > recent],
                model,
                batch_size=2000,
                default_change_reason=REASON,
            )
            model.objects.bulk_create([r for r in rows if r.report.year <= recent], batch_size=2000)
        ReportEvent.objects.bulk_create(events, batch_size=2000)


def _through_services(region: Region, year: int, stage: str, values, users, staff) -> Report:
    """One report written as its region's staff and reviewers would, up to `stage`."""
    owner = staff.get(region.code) or users["admin"]
    reviewer = (
        (staff.get(region.parent.code) or users["admin"]) if region.level == RegionLevel.COUNTY else None
    )
    report, _created = services.report_get_or_create(user=owner, region=region, year=year)
    notes = {}
    if region.code in EXPLAINED_FLAGS:
        code, factor, note = EXPLAINED_FLAGS[region.code]
        values = {**values, code: (values[code] * factor).quantize(Decimal("0.1"))}
        notes = {code: note}
    services.report_save_values(
        user=owner, report=report, values=values, notes=notes, sections=SECTIONS, remarks=DEMO_NOTE
    )
    if stage == "draft":
        services.report_save_values(
            user=owner, report=report, values={"nev_share": None, "forest_stock": None}
        )
        return report
    services.report_submit(user=owner, report=report)
    if stage == "returned" and reviewer is not None:
        services.report_return(
            user=reviewer,
            report=report,
            reason="请核实煤炭消费量并补充说明。（演示）",
            field_reasons={"energy_coal": "与统计部门初步数据不一致。（演示）"},
        )
    elif stage == "returned":
        services.report_return(
            user=users["province"],
            report=report,
            reason="请补充碳汇工作进展。（演示）",
            field_reasons={"carbon_sinks": "缺少造林面积数据。（演示）"},
        )
    elif stage in ("forwarded", "approved") and reviewer is not None:
        services.report_forward(user=reviewer, report=report, comment=FORWARD_COMMENT)
    if stage == "approved":
        services.report_approve(user=users["province"], report=report)
    report.refresh_from_db()
    return report


def seed(stdout) -> None:
    users, staff = _actors()
    figures = demo_figures()
    regions = list(
        Region.objects.filter(path__startswith="360000/").select_related("parent").order_by("path")
    )
    existing = set(Report.objects.filter(region__in=regions).values_list("region_id", "year"))
    final = last_year()
    bulk, by_service = [], []
    for year in range(sim.FIRST_YEAR, final + 1):
        for region in regions:
            if (region.pk, year) in existing:
                continue
            if year == final and region.code in OPEN_STAGES:
                if OPEN_STAGES[region.code] is not None:
                    by_service.append((region, year, OPEN_STAGES[region.code]))
            elif year == final and region.code in SERVICE_APPROVED:
                by_service.append((region, year, "approved"))
            else:
                bulk.append((region, year))
    _bulk_approve(bulk, figures, users, staff)
    for region, year, stage in by_service:
        report = _through_services(region, year, stage, figures[region.code][year], users, staff)
        _backdate(report)
    created = len(bulk) + len(by_service)
    stdout.write(f"  demo reports {sim.FIRST_YEAR}-{final}: {created} created, {len(existing)} kept")
