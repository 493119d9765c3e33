"""The nightly run over every region rebuilds the result tables beside the live ones and swaps them in
(PostgreSQL, outside a transaction). Its results, schema and locking must be those of the
region-by-region path."""

import threading

import pytest
from django.db import connection, connections

from apps.monitoring import inputs, rebuild, results, services
from apps.monitoring.models import Assessment, AssessmentTrace, InputSnapshot, MissingFigure
from apps.regions.selectors import by_code
from tests.conftest import require_service

from .pipeline import approve_values, load_worked_example, read_csv

TABLES = [m._meta.db_table for m in results.REBUILT_MODELS]


@pytest.fixture
def pg(transactional_db, reference_data):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


def schema() -> dict[str, set]:
    """Each rebuilt table's index definitions (by name) and constraint definitions (by name)."""
    out = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
            indexes = {(name, definition) for name, definition in cursor.fetchall()}
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
                [table],
            )
            out[table] = indexes | set(cursor.fetchall())
    return out


def stored() -> set[tuple]:
    return set(Assessment.objects.values_list("region_id", "year", "metric", "value", "level"))


def second_region() -> None:
    """Another county with the worked example's figures, shifted, so a run covers two regions."""
    rows = read_csv("worked_values.csv")
    for row in rows:
        row["region_code"] = "360102"
        if row["indicator"] == "energy_total":
            row["value"] = str(float(row["value"]) * 1.01)
    approve_values(rows)


def test_a_run_over_everything_swaps_in_the_same_results_and_schema_as_region_by_region(pg):
    load_worked_example()
    second_region()
    before = schema()
    services.recompute(region_ids=inputs.region_ids_with_data())  # region by region (DELETE + COPY per chunk)
    expected = stored()
    traces = set(
        AssessmentTrace.objects.values_list("region_id", "year", "period", "rule_set", "snapshot_id")
    )
    assert len(expected) > 50 and {r[0] for r in expected} == set(inputs.region_ids_with_data())

    summary = services.recompute()  # whole tables, rebuilt and swapped
    assert summary.results == len(expected) and summary.regions == 2
    assert stored() == expected
    assert (
        set(AssessmentTrace.objects.values_list("region_id", "year", "period", "rule_set", "snapshot_id"))
        == traces
    )
    assert schema() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE %s", ["%" + rebuild.SUFFIX + "%"])
        assert cursor.fetchone()[0] == 0
    # The swapped-in tables take new rows (identity sequence) and keep the natural key unique.
    region = by_code("360100")
    extra = Assessment.objects.create(region=region, year=1999, metric="gdp_const", value=1)
    assert extra.pk > 0
    with pytest.raises(Exception, match="assessment_natural_key"):
        Assessment.objects.create(region=region, year=1999, metric="gdp_const", value=2)


def test_a_second_run_over_everything_replaces_and_drops_stale_rows(pg):
    load_worked_example()
    services.recompute()
    first = stored()
    Assessment.objects.create(region=by_code("360102"), year=2001, metric="gdp_const", value=5)
    MissingFigure.objects.create(
        region=by_code("360102"),
        year=2001,
        metric="gdp_const",
        reason="stale",
        computed_at="2020-01-01T00:00Z",
    )
    services.recompute()
    assert stored() == first
    assert not MissingFigure.objects.filter(year=2001).exists()
    assert InputSnapshot.objects.count() == 1


def test_a_failed_rebuild_leaves_the_live_results_and_releases_the_lock(pg, monkeypatch):
    load_worked_example()
    services.recompute()
    before = stored()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(rebuild.Rebuild, "swap", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        services.recompute()
    assert stored() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE %s", ["%" + rebuild.SUFFIX + "%"])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT pg_try_advisory_lock(%s, 0)", [results.TABLE_LOCK_NAMESPACE])
        assert cursor.fetchone()[0] is True
        cursor.execute("SELECT pg_advisory_unlock(%s, 0)", [results.TABLE_LOCK_NAMESPACE])


def test_region_writers_wait_while_a_rebuild_runs(pg):
    """A one-region recompute that starts during the rebuild is not lost in the swap: it waits."""
    load_worked_example()
    entered, release = threading.Event(), threading.Event()
    outcome = {}

    def hold_rebuild():
        try:
            with rebuild.Rebuild(results.REBUILT_MODELS, lock=(results.TABLE_LOCK_NAMESPACE, 0)):
                entered.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_rebuild)
    holder.start()
    assert entered.wait(30)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock_shared(%s, 0)", [results.TABLE_LOCK_NAMESPACE])
            outcome["during"] = cursor.fetchone()[0]
    finally:
        release.set()
        holder.join(30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock_shared(%s, 0)", [results.TABLE_LOCK_NAMESPACE])
        outcome["after"] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_advisory_unlock_shared(%s, 0)", [results.TABLE_LOCK_NAMESPACE])
    assert outcome == {"during": False, "after": True}


def test_a_long_reader_does_not_stall_the_swap_the_rows_are_copied_in_instead(pg, monkeypatch):
    """Renaming waits for every reader (and queues new ones behind it): it gives up after a short
    wait and replaces the rows in place, which readers do not block."""
    import psycopg2

    load_worked_example()
    services.recompute()
    expected = stored()
    Assessment.objects.filter(year=2021).delete()
    monkeypatch.setattr(rebuild, "LOCK_WAIT_MS", 50)
    monkeypatch.setattr(rebuild, "SWAP_ATTEMPTS", 2)
    reader = psycopg2.connect(**connection.get_connection_params())
    try:
        with reader.cursor() as cursor:  # an open transaction that has read the table
            cursor.execute(f"SELECT count(*) FROM {Assessment._meta.db_table}")
            assert cursor.fetchone()[0] == len(expected) - 32
            services.recompute()
            cursor.execute(f"SELECT count(*) FROM {Assessment._meta.db_table}")
            assert cursor.fetchone()[0] == len(expected)  # (read committed: sees the new rows)
    finally:
        reader.close()
    assert stored() == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE %s", ["%" + rebuild.SUFFIX + "%"])
        assert cursor.fetchone()[0] == 0
    extra = Assessment.objects.create(region=by_code("360100"), year=1999, metric="gdp_const", value=1)
    assert extra.pk > max(Assessment.objects.exclude(pk=extra.pk).values_list("pk", flat=True))
