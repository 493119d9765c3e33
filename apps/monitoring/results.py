"""Writing a recompute's results: one row format, written by COPY (PostgreSQL) or by the ORM.

A set of regions is computed into a `Batch`: plain tuples in the column order of their table
(`ASSESSMENTS`, `TRACES`, `MISSING`, `SNAPSHOTS`). The same rows go to either writer, so the two
paths cannot drift apart: on PostgreSQL they become COPY text lines (streamed while the engine
computes the next region), elsewhere model instances for `bulk_create`. A region's results are
replaced all-or-nothing in the caller's transaction, under a per-region advisory lock; the
nightly run over everything writes the same rows into the staged tables of a `rebuild.Rebuild`.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Context, Decimal

from django.db import connection, models, transaction

from apps.regions.models import Region

from . import engine, rebuild
from .inputs import RegionInputs
from .inputs import compute as compute_inputs
from .inputs import digest as input_digest
from .models import Assessment, AssessmentTrace, HierarchyCheck, InputSnapshot, MissingFigure

log = logging.getLogger(__name__)

COPY_BLOCK = 1 << 18  # characters per COPY block: small enough to keep both cores busy
ORM_BATCH = 2000
LOCK_NAMESPACE = 7301  # advisory-lock key space of the monitoring app: one key per region
TABLE_LOCK_NAMESPACE = 7302  # key (7302, 0): held exclusively by a whole-table rebuild
#: Stored values are numeric(32, 15): the ORM rounds them as PostgreSQL rounds COPY's text
#: (half away from zero, 32 digits; Python's default context would round half to even and
#: refuse values of 10^13 and more).
VALUE_QUANTUM = Decimal("1e-15")
VALUE_CONTEXT = Context(prec=32, rounding=ROUND_HALF_UP)

# The one row format: a tuple per row, in the column order of its table.
AssessmentRow = tuple[int, int, str, float | None, str]  # region, year, metric, value, level or text
TraceRow = tuple[int, int, str, str, str, str, datetime, int | None, str]
MissingRow = tuple[int, int, str, str, datetime]  # region, year, metric, reason, computed at
SnapshotRow = tuple[str, int, str]  # digest, region, canonical JSON


# ---- COPY text ------------------------------------------------------------------------------


def copy_field(value: object) -> str:
    """One field of COPY's text format (NULL is \\N; backslash, tab and newline escaped)."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    text = value if isinstance(value, str) else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_lines(rows: Iterable[tuple]) -> list[str]:
    return ["\t".join([copy_field(v) for v in row]) + "\n" for row in rows]


def _assessment_lines(rows: Iterable[AssessmentRow]) -> list[str]:
    """`copy_lines` for result rows, without the per-field calls: a million of them a night, and
    their fields are numbers and metric, level, grade or outlook codes, which never need escaping."""
    return [
        f"{region}\t{year}\t{metric}\t\\N\t{level}\n"
        if value is None
        else f"{region}\t{year}\t{metric}\t{value!r}\t{level}\n"
        for region, year, metric, value, level in rows
    ]


def _trace_lines(rows: Iterable[TraceRow]) -> list[str]:
    """`copy_lines` for trace rows, escaping the columns shared by a run's rows once."""
    labels: dict[tuple, str] = {}
    out = []
    for region, year, *shared, snapshot in rows:
        key = tuple(shared)
        text = labels.get(key)
        if text is None:
            text = labels[key] = "\t".join([copy_field(v) for v in shared])
        out.append(f"{region}\t{year}\t{text}\t{snapshot}\n")
    return out


# ---- ORM objects ----------------------------------------------------------------------------


def _stored_value(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value)).quantize(VALUE_QUANTUM, context=VALUE_CONTEXT)


def _assessment_objects(rows: Iterable[AssessmentRow]) -> list[models.Model]:
    return [
        Assessment(region_id=region, year=year, metric=metric, value=_stored_value(value), level=level)
        for region, year, metric, value, level in rows
    ]


@dataclass(frozen=True)
class Table:
    """A result table as both writers see it: its model, its columns (the row format), and how a
    list of rows becomes COPY lines and model instances."""

    model: type[models.Model]
    columns: tuple[str, ...]
    lines: Callable[[Iterable[tuple]], list[str]] = copy_lines
    to_objects: Callable[[Iterable[tuple]], list[models.Model]] | None = None

    def objects(self, rows: Iterable[tuple]) -> list[models.Model]:
        if self.to_objects is not None:
            return self.to_objects(rows)
        return [self.model(**dict(zip(self.columns, row, strict=True))) for row in rows]

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table


ASSESSMENTS = Table(
    Assessment, ("region_id", "year", "metric", "value", "level"), _assessment_lines, _assessment_objects
)
TRACES = Table(
    AssessmentTrace,
    (
        "region_id",
        "year",
        "period",
        "rule_set",
        "factor_set",
        "spec_version",
        "computed_at",
        "run_id",
        "snapshot_id",
    ),
    _trace_lines,
)
MISSING = Table(MissingFigure, ("region_id", "year", "metric", "reason", "computed_at"))
SNAPSHOTS = Table(InputSnapshot, ("digest", "region_id", "data"))
#: The tables the nightly run rebuilds and swaps in (`rebuild.py`).
REBUILT_MODELS = (Assessment, AssessmentTrace, MissingFigure, InputSnapshot)


# ---- a batch of rows ------------------------------------------------------------------------


@dataclass
class Batch:
    """A set of regions computed into rows: result rows are handed back region by region (to be
    streamed), traces, missing figures and snapshots are small and kept until written."""

    now: datetime
    run_id: int | None
    traces: list[TraceRow] = field(default_factory=list)
    missing: list[MissingRow] = field(default_factory=list)
    snapshots: dict[str, SnapshotRow] = field(default_factory=dict)  # by digest
    results: int = 0
    missing_count: int = 0
    errors: list[str] = field(default_factory=list)
    done_regions: list[int] = field(default_factory=list)
    energy_totals: dict[tuple[int, int], float] = field(default_factory=dict)  # for §12

    def add(self, inputs: RegionInputs, year: int | None) -> list[AssessmentRow]:
        """Compute one region (one year, or all); its result rows, or [] after logging an error."""
        try:
            results, missing, per_year = compute_inputs(inputs, year)
        except Exception as exc:  # one region's bad data must not stop the run
            log.exception("recompute of region %s failed", inputs.region_id)
            self.errors.append(f"region {inputs.region_id}: {exc}")
            return []
        region_id, now = inputs.region_id, self.now
        snapshot = inputs.to_json().decode()
        key = input_digest(snapshot.encode())
        self.snapshots[key] = (key, region_id, snapshot)
        self.done_regions.append(region_id)
        self.results += len(results)
        self.missing_count += len(missing)
        for y, row in sorted(inputs.values.items()):
            if "energy_total" in row:
                self.energy_totals[region_id, y] = row["energy_total"]
        for y in sorted({r.year for r in results}):
            period, rule, factor = per_year[y]
            self.traces.append(
                (region_id, y, period, rule, factor, engine.SPEC_VERSION, now, self.run_id, key)
            )
        self.missing.extend((region_id, m.year, m.metric, m.reason[:300], now) for m in missing)
        return [
            (region_id, r.year, r.metric, None, r.value)
            if type(r.value) is str  # a warning level, the grade or the peak outlook
            else (region_id, r.year, r.metric, r.value, "")
            for r in results
        ]

    def snapshot_rows(self, skip: Iterable[str] = ()) -> list[SnapshotRow]:
        skip = set(skip)
        return [row for key, row in self.snapshots.items() if key not in skip]


# ---- COPY writer ----------------------------------------------------------------------------


class _BlockReader(io.TextIOBase):
    """COPY source over blocks of lines, joined only up to psycopg2's read size.

    Blocks may be produced lazily: fed by the engine region by region, PostgreSQL parses and
    stores one block while Python computes the next (psycopg2 sends each block as soon as it
    is read, releasing the GIL while it waits), so both work at the same time on two cores.
    """

    def __init__(self, blocks: Iterable[list[str]]):
        self._blocks = iter(blocks)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        parts: list[str] = []
        total = 0
        for lines in self._blocks:
            parts.extend(lines)
            total += sum(map(len, lines))
            if 0 < size <= total:
                break
        return "".join(parts)

    readline = read


def copy_rows(cursor, table: Table, rows: Sequence[tuple], *, into: str | None = None) -> None:
    """COPY rows into the table (or into ``into``, a staged copy of it)."""
    if rows:
        lines = table.lines(rows)
        copy_blocks(cursor, table, (lines[i : i + 2000] for i in range(0, len(lines), 2000)), into=into)


def copy_blocks(cursor, table: Table, blocks: Iterable[list[str]], *, into: str | None = None) -> None:
    """COPY blocks of lines, produced as PostgreSQL reads them."""
    cursor.cursor.copy_expert(
        f"COPY {into or table.db_table} ({', '.join(table.columns)}) FROM STDIN",
        _BlockReader(blocks),
        size=COPY_BLOCK,
    )


def write_staged(tables: rebuild.Rebuild, loaded: Iterable[RegionInputs], batch: Batch) -> None:
    """Compute the regions into a rebuild's staged tables: result rows stream into COPY as the
    engine produces them, the rest follows."""
    with connection.cursor() as cursor:
        blocks: Iterator[list[str]] = (ASSESSMENTS.lines(batch.add(inputs, None)) for inputs in loaded)
        copy_blocks(cursor, ASSESSMENTS, blocks, into=tables[Assessment])
        for table, rows in (
            (SNAPSHOTS, batch.snapshot_rows()),
            (TRACES, batch.traces),
            (MISSING, batch.missing),
        ):
            copy_rows(cursor, table, rows, into=tables[table.model])


# ---- replacing regions ----------------------------------------------------------------------


def lock_regions(region_ids: Iterable[int]) -> None:
    """Serialise writers of the same regions, and wait for a whole-table rebuild to finish."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers itself
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [TABLE_LOCK_NAMESPACE])
        for region_id in sorted(set(region_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, region_id])


def replace_regions(
    region_ids: Sequence[int],
    year: int | None,
    rows: Sequence[AssessmentRow],
    batch: Batch,
    *,
    copy: bool | None = None,
) -> None:
    """Replace the regions' results (for one year, or all years) in the current transaction.

    ``copy``: write with COPY (default on PostgreSQL) or with the ORM (elsewhere); both take
    the same rows and store the same thing.
    """
    if copy is None:
        copy = connection.vendor == "postgresql"
    (_replace_by_copy if copy else _replace_by_orm)(region_ids, year, rows, batch)


def _replace_by_orm(
    region_ids: Sequence[int], year: int | None, rows: Sequence[AssessmentRow], batch: Batch
) -> None:
    scope = {"region_id__in": region_ids} | ({"year": year} if year is not None else {})
    for model in (Assessment, AssessmentTrace, MissingFigure):
        model.objects.filter(**scope).delete()
    existing = InputSnapshot.objects.filter(pk__in=batch.snapshots).values_list("pk", flat=True)
    for table, table_rows in (
        (SNAPSHOTS, batch.snapshot_rows(skip=existing)),
        (ASSESSMENTS, rows),
        (TRACES, batch.traces),
        (MISSING, batch.missing),
    ):
        table.model.objects.bulk_create(table.objects(table_rows), batch_size=ORM_BATCH)
    InputSnapshot.objects.filter(region_id__in=region_ids).exclude(
        pk__in=AssessmentTrace.objects.filter(region_id__in=region_ids).values("snapshot_id")
    ).delete()


def _replace_by_copy(
    region_ids: Sequence[int], year: int | None, rows: Sequence[AssessmentRow], batch: Batch
) -> None:
    where, params = "region_id = ANY(%s)", [list(region_ids)]
    if year is not None:
        where, params = where + " AND year = %s", [*params, year]
    with connection.cursor() as cursor:
        for table in (ASSESSMENTS, TRACES, MISSING):
            cursor.execute(f"DELETE FROM {table.db_table} WHERE {where}", params)
        cursor.execute(
            f"SELECT digest FROM {SNAPSHOTS.db_table} WHERE digest = ANY(%s)", [list(batch.snapshots)]
        )
        existing = [key for (key,) in cursor.fetchall()]
        copy_rows(cursor, SNAPSHOTS, batch.snapshot_rows(skip=existing))
        copy_rows(cursor, ASSESSMENTS, rows)
        copy_rows(cursor, TRACES, batch.traces)
        copy_rows(cursor, MISSING, batch.missing)
        cursor.execute(
            f"""DELETE FROM {SNAPSHOTS.db_table} s WHERE s.region_id = ANY(%s) AND NOT EXISTS (
                    SELECT 1 FROM {TRACES.db_table} t
                    WHERE t.region_id = s.region_id AND t.snapshot_id = s.digest)""",
            [list(region_ids)],
        )


# ---- §12 hierarchy checks -------------------------------------------------------------------


def hierarchy_checks(
    parents: Sequence[Region],
    children: Mapping[int, Sequence[int]],
    totals: Mapping[tuple[int, int], float],
    now: datetime,
) -> list[HierarchyCheck]:
    """Methodology §12 for each parent and year with a child's energy_total: the rows to store."""
    involved = {p.pk for p in parents} | {c for p in parents for c in children[p.pk]}
    years = {year for region_id, year in totals if region_id in involved}
    checks = []
    for parent in parents:
        for year in sorted(years):
            kids = [totals.get((c, year)) for c in children[parent.pk]]
            if all(k is None for k in kids):
                continue
            check = engine.hierarchy_check(totals.get((parent.pk, year)), kids)
            if check.children_sum is None:
                continue
            checks.append(
                HierarchyCheck(
                    region_id=parent.pk,
                    year=year,
                    own_value=None if check.own is None else Decimal(repr(check.own)),
                    children_sum=Decimal(repr(check.children_sum)),
                    children_count=len(kids),
                    discrepancy=None
                    if check.discrepancy is None or not math.isfinite(check.discrepancy)
                    else Decimal(repr(check.discrepancy * 100)).quantize(Decimal("1e-6")),
                    flagged=check.flagged,
                    derived_from_children=check.derived_from_children,
                    computed_at=now,
                )
            )
    return checks


def replace_hierarchy_checks(parents: Sequence[Region], checks: Sequence[HierarchyCheck]) -> None:
    """The parents' hierarchy checks, replaced in one transaction."""
    with transaction.atomic():
        lock_regions([p.pk for p in parents])
        HierarchyCheck.objects.filter(region__in=parents).delete()
        HierarchyCheck.objects.bulk_create(checks, batch_size=ORM_BATCH)
