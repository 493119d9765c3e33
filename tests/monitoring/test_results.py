"""Writing results: one row format for both writers. The COPY lines and the model instances are
made from the same rows, and on PostgreSQL the two writers store exactly the same thing."""

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction

from apps.monitoring import inputs, results
from apps.monitoring.results import ASSESSMENTS, MISSING, SNAPSHOTS, TRACES
from apps.regions.selectors import by_code

from .pipeline import approve_values, load_worked_example, read_csv

NOW = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
TABLES = (ASSESSMENTS, TRACES, MISSING, SNAPSHOTS)
#: Values where storing can go wrong: a tie at the 16th decimal, 16 integer digits, ~0, negatives.
EDGE_VALUES = [
    (7, 1999, "energy_intensity", 0.4665242165242165, ""),
    (7, 1999, "gdp_const", 9876543210123456.0, ""),
    (7, 1999, "co2_emissions", 1e-20, ""),
    (7, 1999, "energy_intensity_reduction_yoy", -0.4665242165242165, ""),
    (7, 1999, "co2_intensity_reduction_yoy", -2.5e-16, ""),
]


def test_each_table_row_names_every_stored_column_of_its_model():
    for table in TABLES:
        stored = {
            f.attname for f in table.model._meta.concrete_fields if not f.primary_key or f.name == "digest"
        }
        assert set(table.columns) == stored, table.model.__name__


def test_the_fast_line_formats_write_what_the_generic_one_writes():
    assessments = [
        (7, 2021, "energy_intensity", 0.1 + 0.2, ""),
        (7, 2021, "energy_total_warning", None, "red"),
    ]
    traces = [
        (7, 2021, "2021-2025", "R2022", "cn\teri\\x", "v1", NOW, None, "ab" * 32),
        (8, 2022, "2021-2025", "R2022", "cn\teri\\x", "v1", NOW, 42, "cd" * 32),
    ]
    assert ASSESSMENTS.lines(assessments) == results.copy_lines(assessments)
    assert ASSESSMENTS.lines(assessments)[0] == "7\t2021\tenergy_intensity\t0.30000000000000004\t\n"
    assert ASSESSMENTS.lines(assessments)[1] == "7\t2021\tenergy_total_warning\t\\N\tred\n"
    assert TRACES.lines(traces) == results.copy_lines(traces)
    assert TRACES.lines(traces)[0] == (
        f"7\t2021\t2021-2025\tR2022\tcn\\teri\\\\x\tv1\t{NOW.isoformat()}\t\\N\t{'ab' * 32}\n"
    )
    assert SNAPSHOTS.lines([("d", 7, '{"a":"x\\ny"}\n')]) == ['d\t7\t{"a":"x\\\\ny"}\\n\n']


def test_result_rows_become_model_instances_with_warnings_as_levels(db):
    warning, number = ASSESSMENTS.objects(
        [(7, 2021, "energy_total_warning", None, "red"), (7, 2021, "gdp_const", 1 / 3, "")]
    )
    assert (warning.value, warning.level) == (None, "red")
    assert str(number.value) == "0.333333333333333" and number.level == ""
    tie, large = ASSESSMENTS.objects(EDGE_VALUES[:2])  # rounded as numeric(32, 15) rounds COPY's text
    assert (str(tie.value), str(large.value)) == ("0.466524216524217", "9876543210123456.000000000000000")
    (missing,) = MISSING.objects([(7, 2021, "gdp_const", "no data", NOW)])
    assert (missing.region_id, missing.reason, missing.computed_at) == (7, "no data", NOW)


def _computed_batch() -> tuple[list[int], list[tuple], results.Batch]:
    load_worked_example()
    rows = read_csv("worked_values.csv")
    for row in rows:  # a second region, so that a batch spans several
        row["region_code"] = "360102"
    approve_values(rows)
    region_ids = inputs.region_ids_with_data()
    batch = results.Batch(NOW, run_id=None)
    config = inputs.load_config()
    rows = [row for region in inputs.load_inputs(region_ids, config) for row in batch.add(region, None)]
    return region_ids, rows, batch


def _stored() -> dict[str, Counter]:
    return {t.db_table: Counter(t.model.objects.values_list(*t.columns)) for t in TABLES}


def test_the_orm_and_the_copy_writer_store_the_same_rows(postgres_db):
    region_ids, rows, batch = _computed_batch()
    assert len(region_ids) == 2 and batch.missing and not batch.errors
    rows += [(region_ids[0], *row[1:]) for row in EDGE_VALUES]
    with transaction.atomic():
        results.replace_regions(region_ids, None, rows, batch, copy=False)
    by_orm = _stored()
    with transaction.atomic():
        results.replace_regions(region_ids, None, rows, batch, copy=True)
    by_copy = _stored()
    for t in by_copy:
        assert (by_copy[t] - by_orm[t], by_orm[t] - by_copy[t]) == (Counter(), Counter()), t
    assessments = by_copy[ASSESSMENTS.db_table]
    assert sum(assessments.values()) == len(rows) > 50
    assert (region_ids[0], 1999, "energy_intensity", Decimal("0.466524216524217"), "") in assessments
    assert any(level for *_, level in assessments) and any(value is not None for *_, value, _ in assessments)
    assert sum(by_copy[SNAPSHOTS.db_table].values()) == 2


def test_a_year_scoped_replacement_keeps_the_other_years_either_way(postgres_db):
    region_ids, rows, batch = _computed_batch()
    with transaction.atomic():
        results.replace_regions(region_ids, None, rows, batch, copy=True)
    everything = _stored()
    year_rows = [r for r in rows if r[1] == 2022]
    for copy in (False, True):
        with transaction.atomic():
            results.replace_regions(region_ids, 2022, year_rows, _year_batch(batch, 2022), copy=copy)
        assert _stored() == everything, f"copy={copy}"
    assert by_code("360102").pk in region_ids


def _year_batch(batch: results.Batch, year: int) -> results.Batch:
    """The batch's rows of one year (as a year-scoped recompute of unchanged inputs makes them)."""
    return results.Batch(
        batch.now,
        batch.run_id,
        traces=[t for t in batch.traces if t[1] == year],
        missing=[m for m in batch.missing if m[1] == year],
        snapshots=dict(batch.snapshots),
    )


def test_text_figures_are_levels_and_numbers_values_in_the_row_format(db):
    """v1.1: the grade and the peak outlook are stored like warning levels, 0/1 and years as values."""
    _region_ids, rows, _batch = _computed_batch()
    by_key = {(year, metric): (value, level) for _region, year, metric, value, level in rows}
    assert by_key[(2021, "grade")] == (None, "pending_review")
    assert by_key[(2022, "grade")] == (None, "not_completed")
    assert by_key[(2022, "co2_peak_year")] == (2021.0, "")
    assert by_key[(2022, "co2_peaked")] == (0.0, "")
    assert all((value is None) == bool(level) for value, level in by_key.values())
    lines = ASSESSMENTS.lines([r for r in rows if r[2] == "grade"])
    assert lines == results.copy_lines([r for r in rows if r[2] == "grade"])
