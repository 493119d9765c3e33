"""Helpers that put approved values and targets in the database the way the portal stores them."""

import csv
from decimal import Decimal
from pathlib import Path

from apps.indicators.models import Indicator
from apps.regions.selectors import by_codes
from apps.reports.models import Report, ReportStatus, ReportValue
from apps.targets.models import PlanPeriod, RegionTarget

DATA = Path(__file__).resolve().parent / "data"


def approve_values(rows: list[dict]) -> None:
    """Approved revision-1 reports holding the given (region_code, year, indicator, value) rows."""
    regions = by_codes({r["region_code"] for r in rows})
    indicators = {i.code: i for i in Indicator.objects.all()}
    reports: dict[tuple[str, int], Report] = {}
    for row in rows:
        key = (row["region_code"], int(row["year"]))
        if key not in reports:
            reports[key], _ = Report.objects.get_or_create(
                region=regions[key[0]], year=key[1], revision=1, defaults={"status": ReportStatus.APPROVED}
            )
        ReportValue.objects.update_or_create(
            report=reports[key],
            indicator=indicators[row["indicator"]],
            defaults={"value": Decimal(row["value"])},
        )


def set_targets(rows: list[dict]) -> None:
    regions = by_codes({r["region_code"] for r in rows})
    periods = {p.code: p for p in PlanPeriod.objects.all()}
    for row in rows:
        RegionTarget.objects.update_or_create(
            region=regions[row["region_code"]],
            period=periods[row["period"]],
            metric=row["metric"],
            year=int(row["year"]) if row.get("year") else None,
            defaults={"value": Decimal(row["value"])},
        )


def read_csv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_worked_example() -> None:
    approve_values(read_csv("worked_values.csv"))
    set_targets(read_csv("worked_targets.csv"))
