"""A national data set for query-count tests: all 3,351 regions with stored figures and reports.

Issue 10 item 8: a page costs a small constant number of SQL queries whatever the number of
regions, so the proof needs the national region file, not Jiangxi's 112 regions. The data are
created inside the test's own transaction (function scope) and vanish with its rollback: other
tests keep assuming that only the Jiangxi regions exist. It stays fast by writing in bulk: COPY
on PostgreSQL, one ``executemany`` on SQLite (≈ 2–4 s for the whole set).

What it holds, for ``YEARS``:
- every region of ``apps/regions/data/china_divisions.csv`` (Jiangxi's are upserted in place);
- every metric of ``engine.METRICS`` per region-year, text figures in ``level`` (warnings
  cycling red/yellow/green, grades, peak outlooks), numbers elsewhere, and one trace per
  region-year (no snapshot: nothing here replays formulas);
- one report per region-year, statuses cycling approved / submitted / draft;
- a finished full ``RecomputeRun``.

Adding a page to the national query-count test is one line in ``NATIONAL_PAGES`` of
``tests/test_national_queries.py``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from apps.monitoring import engine, metrics
from apps.monitoring.models import Assessment, AssessmentTrace, RecomputeRun, RunStatus
from apps.regions.models import Region
from apps.regions.services import NATIONAL_CSV, load_regions_csv
from apps.reports.models import Report, ReportStatus

YEARS = (2023, 2024)
NATIONAL_REGIONS = 3351
GRADES = (
    engine.GRADE_EXCEEDED,
    engine.GRADE_COMPLETED,
    engine.GRADE_BASIC,
    engine.GRADE_FAILED,
    engine.GRADE_PENDING,
)
OUTLOOKS = (engine.OUTLOOK_PEAKED, engine.OUTLOOK_FALLING, engine.OUTLOOK_RISING)
REPORT_STATUSES = (ReportStatus.APPROVED, ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.DRAFT)


@dataclass(frozen=True)
class National:
    years: tuple[int, ...]
    regions: int
    figures: int
    run: RecomputeRun

    @property
    def year(self) -> int:
        """The latest year with figures."""
        return max(self.years)


def _text(metric: str, i: int) -> str:
    """The text of a text figure for the i-th region-year, '' for a number."""
    kind = metrics.info(metric).kind
    if kind == "warning":
        return metrics.LEVEL_ORDER[i % 3]
    if kind == "grade":
        return GRADES[i % len(GRADES)]
    if kind == "outlook":
        return OUTLOOKS[i % len(OUTLOOKS)]
    return ""


def _figure_rows(region_ids: list[int], years: tuple[int, ...]):
    """(region_id, year, metric, value, level) for every region, year and metric."""
    texts = {m: metrics.info(m).kind in ("warning", "grade", "outlook") for m in engine.METRICS}
    i = 0
    for region_id in region_ids:
        for year in years:
            i += 1
            for k, metric in enumerate(engine.METRICS):
                if texts[metric]:
                    yield region_id, year, metric, None, _text(metric, i + k)
                else:
                    yield region_id, year, metric, f"{(region_id * 7 + year + k) % 997 / 10:.3f}", ""


def _write(table: str, columns: tuple[str, ...], rows) -> int:
    """Insert rows in bulk on the test's connection (inside its transaction)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            buf = io.StringIO()
            n = 0
            for row in rows:
                buf.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
                n += 1
            buf.seek(0)
            cur.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)
            return n
        rows = list(rows)
        marks = ", ".join("%s" for _ in columns)
        cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        return len(rows)


def load_national(years: tuple[int, ...] = YEARS, *, reports: bool = True) -> National:
    """Load the national regions and their figures (and reports) in the current transaction."""
    load_regions_csv(NATIONAL_CSV)
    region_ids = list(Region.objects.order_by("path").values_list("pk", flat=True))
    now = timezone.now()
    run = RecomputeRun.objects.create(
        status=RunStatus.DONE,
        reason="national test data",
        started_at=now - timedelta(seconds=20),
        finished_at=now,
        regions_total=len(region_ids),
        regions_done=len(region_ids),
    )
    Assessment.objects.filter(year__in=years).delete()
    AssessmentTrace.objects.filter(year__in=years).delete()
    figures = _write(
        Assessment._meta.db_table,
        ("region_id", "year", "metric", "value", "level"),
        _figure_rows(region_ids, years),
    )
    _write(
        AssessmentTrace._meta.db_table,
        ("region_id", "year", "period", "rule_set", "factor_set", "spec_version", "computed_at", "run_id"),
        (
            (r, y, "2021-2025", "R2022", "default", engine.SPEC_VERSION, now.isoformat(), run.pk)
            for r in region_ids
            for y in years
        ),
    )
    run.results_written = figures
    run.save(update_fields=["results_written"])
    if reports:
        Report.objects.filter(year__in=years).delete()
        Report.objects.bulk_create(
            [
                _report(region_id, year, REPORT_STATUSES[(i + year) % len(REPORT_STATUSES)], now)
                for i, region_id in enumerate(region_ids)
                for year in years
            ],
            batch_size=2000,
        )
    return National(years=tuple(years), regions=len(region_ids), figures=figures, run=run)


def _report(region_id: int, year: int, status: str, now) -> Report:
    submitted = now - timedelta(days=30) if status != ReportStatus.DRAFT else None
    return Report(
        region_id=region_id,
        year=year,
        status=status,
        submitted_at=submitted,
        approved_at=now - timedelta(days=10) if status == ReportStatus.APPROVED else None,
    )
