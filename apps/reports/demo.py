"""Demo annual reports (made-up figures, marked as demo in the report's remarks). Never for production.

Approved reports 2020–2024 for the province, its eleven cities and Nanchang's counties, and
reports at every stage for 2025. The figures are invented but consistent with the validation
rules (fuels add up to the total, year-on-year changes within ±20 %, …). Everything goes
through the services, so the timelines look like real ones. Idempotent: a region-year that
already has a report is left alone.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.regions.models import Region, RegionLevel

from . import services
from .models import EventKind, Report, ReportEvent

DEMO_NOTE = "演示数据（虚构数字，仅供演示）/ Demo data: made-up figures for demonstration only."
YEARS = range(2020, 2025)
D = Decimal

SECTIONS = {
    "industry": "推进钢铁、建材等重点行业节能降碳改造，淘汰落后产能。（演示）",
    "energy": "新增光伏、风电装机，煤炭消费比重持续下降。（演示）",
    "transport": "公交车辆电动化，新能源汽车推广。（演示）",
    "carbon_sinks": "实施森林质量精准提升工程。（演示）",
}


def _factor(code: str, salt: str, low: float, high: float) -> Decimal:
    """A stable pseudo-random number in [low, high) from a region code (same demo every run)."""
    digest = hashlib.sha256(f"{code}:{salt}".encode()).digest()
    fraction = int.from_bytes(digest[:4], "big") / 2**32
    return D(str(low + (high - low) * fraction))


def _q(value: Decimal, places: str = "0.01") -> Decimal:
    return value.quantize(D(places), rounding=ROUND_HALF_UP)


def demo_values(region: Region, year: int) -> dict[str, Decimal]:
    """Plausible, self-consistent made-up values of a region for a year."""
    scale = {RegionLevel.PROVINCE: D(1), RegionLevel.CITY: D("0.09"), RegionLevel.COUNTY: D("0.012")}[
        region.level
    ]
    scale *= _factor(region.code, "size", 0.6, 1.4) if region.level != RegionLevel.PROVINCE else D(1)
    k = year - 2020
    growth = D("1.0") + _factor(region.code, "growth", 0.02, 0.045)
    energy_total = _q(D(9800) * scale * growth**k)
    coal_share = D("0.58") - D("0.015") * k + _factor(region.code, "coal", -0.05, 0.05)
    coal = _q(energy_total * coal_share)
    oil = _q(energy_total * D("0.16"))
    gas = _q(energy_total * (D("0.05") + D("0.004") * k))
    nonfossil = energy_total - coal - oil - gas  # the fuels add up to the total exactly
    gdp_growth = D("1.0") + _factor(region.code, "gdp", 0.05, 0.085)
    gdp_current = _q(D(25700) * scale * _factor(region.code, "gdp-size", 0.9, 1.2) * gdp_growth**k)
    return {
        "gdp_current": gdp_current,
        "gdp_index": _q(D(100) * gdp_growth - D("1.5"), "0.1"),  # real growth below nominal
        "energy_total": energy_total,
        "energy_coal": coal,
        "energy_oil": oil,
        "energy_gas": gas,
        "energy_nonfossil": nonfossil,
        "renewable_power": _q(nonfossil * (D("0.62") + D("0.02") * k)),
        "feedstock_energy": _q(energy_total * D("0.035")),
        "electricity_net_import": _q(D(320) * scale * _factor(region.code, "import", -0.4, 1.2)),
        "forest_coverage": _q(D("61.5") + _factor(region.code, "forest", -8, 8) + D("0.1") * k, "0.1"),
        "forest_stock": _q(D(80000) * scale * (D("1.02") ** k), "1"),
        "nev_share": _q(D(6) + D(7) * k + _factor(region.code, "nev", -2, 2), "0.1"),
    }


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


def _fill(region: Region, year: int, owner) -> Report:
    report, _created = services.report_get_or_create(user=owner, region=region, year=year)
    services.report_save_values(
        user=owner, report=report, values=demo_values(region, year), sections=SECTIONS, remarks=DEMO_NOTE
    )
    return report


def _approve(region, report, owner, users, staff):
    services.report_submit(user=owner, report=report)
    if region.level == RegionLevel.COUNTY:
        reviewer = staff.get(region.parent.code) or users["admin"]
        services.report_forward(user=reviewer, report=report, comment="已核对。（演示）")
    services.report_approve(user=users["province"], report=report)


# When each step of a past year's demo report happened: in the spring after the report year,
# before the usual 31 March deadline, so that the completeness grid does not flag every demo
# report as late merely because the demo was seeded today.
PAST_STEPS = {
    EventKind.CREATED: (2, 20),
    EventKind.SAVED: (3, 1),
    EventKind.SUBMITTED: (3, 10),
    EventKind.FORWARDED: (3, 20),
    EventKind.APPROVED: (4, 15),
}


def _backdate(report: Report, year: int) -> None:
    """Date a past year's demo report and its timeline in the spring of the following year."""

    def at(step: EventKind) -> datetime:
        month, day = PAST_STEPS[step]
        return timezone.make_aware(datetime(year + 1, month, day, 10, 0))

    for step in PAST_STEPS:
        ReportEvent.objects.filter(report=report, kind=step).update(created_at=at(step))
    rows = Report.objects.filter(pk=report.pk)
    rows.update(
        created_at=at(EventKind.CREATED),
        submitted_at=at(EventKind.SUBMITTED),
        approved_at=at(EventKind.APPROVED),
    )
    rows.filter(forwarded_at__isnull=False).update(forwarded_at=at(EventKind.FORWARDED))


def seed(stdout) -> None:
    users, staff = _actors()
    nanchang = Region.objects.get(code="360100", level=RegionLevel.CITY)
    regions = list(
        Region.objects.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY], path__startswith="360000/")
    ) + list(Region.objects.filter(parent=nanchang))
    existing = set(Report.objects.filter(region__in=regions).values_list("region_id", "year"))
    created = 0
    for year in YEARS:
        for region in regions:
            if (region.pk, year) in existing:
                continue
            owner = staff.get(region.code) or users["admin"]
            report = _fill(region, year, owner)
            _approve(region, report, owner, users, staff)
            _backdate(report, year)
            created += 1

    # 2025: every stage of the workflow.
    by_code = {r.code: r for r in regions}
    plan_2025 = [
        ("360102", "draft"),
        ("360103", "submitted"),
        ("360104", "forwarded"),
        ("360111", "returned"),
        ("360100", "submitted"),
        ("360400", "returned"),
    ]
    for code, stage in plan_2025:
        region = by_code[code]
        if (region.pk, 2025) in existing:
            continue
        owner = staff.get(code) or users["admin"]
        report = _fill(region, 2025, owner)
        created += 1
        if stage == "draft":
            services.report_save_values(
                user=owner, report=report, values={"nev_share": None, "forest_stock": None}
            )
            continue
        services.report_submit(user=owner, report=report)
        reviewer = None
        if region.level == RegionLevel.COUNTY:
            reviewer = staff.get(region.parent.code) or users["admin"]
        if stage == "forwarded":
            services.report_forward(user=reviewer, report=report, comment="已核对。（演示）")
        elif stage == "returned" and region.level == RegionLevel.COUNTY:
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
    stdout.write(f"  demo reports: {created} created, {len(existing)} kept")
