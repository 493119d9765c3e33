"""Reads of computed results shared by the UI, the API and the export command (never computing)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Q, QuerySet

from apps.accounts import scoping
from apps.core.exports import write_csv
from apps.regions.models import Region

from .models import Assessment, AssessmentTrace, MeasuresScore

EXPORT_HEADER = ("region_code", "year", "metric", "value")


def attach_traces(assessments: Iterable[Assessment]) -> list[Assessment]:
    """Give each row its region-year trace (formula, inputs, rule set, …) in one query."""
    rows = list(assessments)
    keys = {(a.region_id, a.year) for a in rows}
    traces: dict[tuple[int, int], AssessmentTrace] = {}
    if keys:
        q = Q()
        for region_id in {k[0] for k in keys}:
            q |= Q(region_id=region_id, year__in=[y for r, y in keys if r == region_id])
        traces = {
            (t.region_id, t.year): t for t in AssessmentTrace.objects.filter(q).select_related("snapshot")
        }
    for a in rows:
        a.trace = traces.get((a.region_id, a.year))
    return rows


def stored_measures(region_ids: Sequence[int]) -> dict[int, dict[int, float]]:
    """§9 measures scores entered for the regions, region → year → score: one query for a chunk
    (what a recompute feeds to `inputs.load_inputs`)."""
    found: dict[int, dict[int, float]] = defaultdict(dict)
    for region_id, year, score in MeasuresScore.objects.filter(region_id__in=region_ids).values_list(
        "region_id", "year", "score"
    ):
        found[region_id][year] = float(score)
    return dict(found)


def assessments_for(user) -> QuerySet[Assessment]:
    return scoping.restrict(Assessment.objects.all(), user, scoping.Action.READ_ASSESSMENTS)


def format_value(value: Decimal | None, level: str) -> str:
    """Full precision without trailing zeros; warnings as their level (exchange.md)."""
    if level:
        return level
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def export_rows(*, user, year: int | None = None, region: Region | None = None) -> Iterator[tuple]:
    """(region_code, year, metric, value) rows the user may read, ordered (`scoping.SYSTEM`: all)."""
    qs = assessments_for(user)
    if year is not None:
        qs = qs.filter(year=year)
    if region is not None:
        qs = qs.filter(region=region)
    rows = qs.order_by("region__code", "region__path", "year", "metric").values_list(
        "region__code", "year", "metric", "value", "level"
    )
    for code, y, metric, value, level in rows.iterator(chunk_size=20000):
        yield code, y, metric, format_value(value, level)


def write_export(out: IO[str], *, user, year: int | None = None, region: Region | None = None) -> int:
    """Write the assessments CSV the user may read; on PostgreSQL the system's export streams through COPY."""
    if user is scoping.SYSTEM and connection.vendor == "postgresql":
        return _copy_export(out, year=year, region=region)
    return write_csv(
        out, EXPORT_HEADER, export_rows(year=year, region=region, user=user), lineterminator="\n"
    )


def _copy_export(out: IO[str], *, year: int | None, region: Region | None) -> int:
    where, params = [], []
    if year is not None:
        where.append("a.year = %s")
        params.append(year)
    if region is not None:
        where.append("a.region_id = %s")
        params.append(region.pk)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    table = Assessment._meta.db_table
    region_table = Region._meta.db_table
    with connection.cursor() as cursor:
        query = cursor.mogrify(
            f"""SELECT r.code AS region_code, a.year, a.metric,
                       CASE WHEN a.level <> '' THEN a.level ELSE trim_scale(a.value)::text END AS value
                FROM {table} a JOIN {region_table} r ON r.id = a.region_id {clause}
                ORDER BY r.code, r.path, a.year, a.metric""",
            params,
        ).decode()
        counter = _CountingWriter(out)
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", counter)
    return max(counter.lines - 1, 0)


class _CountingWriter:
    def __init__(self, out: IO[str]):
        self.out = out
        self.lines = 0

    def write(self, data) -> int:
        text = data.decode() if isinstance(data, bytes | bytearray | memoryview) else data
        if isinstance(data, memoryview):
            text = bytes(data).decode()
        self.lines += text.count("\n")
        return self.out.write(text)


def overview_rows(
    user,
    year: int,
    metrics: Sequence[str],
    *,
    level: str = "",
    page: int | str | None = None,
    per_page: int = 50,
) -> Page:
    """One page of the overview table: regions the user may read with figures in `year` (those
    with a figure at `level` when given), ordered by path; each row {"region", "figures":
    {metric: Assessment}} for `metrics`.

    Four queries for any number of regions (count, the page's regions, their figures; the
    level filter is a subquery): the page is chosen among the regions first and only its
    figures are read, where the overview read every region's figures (26,808 Assessment rows
    with their regions on the national data) and paged them in Python.
    """
    in_year = assessments_for(user).filter(year=year)
    with_figures = in_year.filter(metric__in=metrics)
    if level:
        with_figures = in_year.filter(level=level)
    regions = Region.objects.filter(pk__in=with_figures.values("region_id")).order_by("path")
    shown = Paginator(regions, per_page).get_page(page)
    region_list = list(shown.object_list)
    rows = {r.pk: {"region": r, "figures": {}} for r in region_list}
    if rows:
        for a in Assessment.objects.filter(region_id__in=list(rows), year=year, metric__in=metrics):
            rows[a.region_id]["figures"][a.metric] = a
    shown.object_list = list(rows.values())
    return shown
