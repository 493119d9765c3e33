"""Traceability: each region-year's trace points at a snapshot of the inputs the engine read, and
replaying it gives back every stored figure with its formula and inputs."""

import math
from decimal import Decimal

import pytest

from apps.monitoring import services
from apps.monitoring.inputs import RegionInputs, digest, region_ids_with_data
from apps.monitoring.models import Assessment, AssessmentTrace, InputSnapshot
from apps.reports.models import ReportValue

from .pipeline import load_worked_example

pytestmark = pytest.mark.django_db


def test_every_stored_figure_is_given_back_by_replaying_its_snapshot():
    load_worked_example()
    services.recompute()
    traces = {(t.region_id, t.year): t for t in AssessmentTrace.objects.select_related("snapshot")}
    assert Assessment.objects.count() == 72
    for a in Assessment.objects.all():
        figure = traces[a.region_id, a.year].figures[a.metric]
        assert figure["f"]
        if a.level:
            assert a.level in figure["f"] or figure["f"].startswith(a.level)
        else:
            # (PostgreSQL keeps numeric(32, 15) exactly; SQLite stores a double)
            assert math.isclose(_replayed_value(a), float(a.value), rel_tol=1e-14, abs_tol=1e-15), a.metric


def _replayed_value(a: Assessment) -> float:
    from apps.monitoring.inputs import replay

    return replay(a.trace.snapshot.data, a.year)[a.metric].value


def test_a_snapshot_is_addressed_by_its_content_and_holds_what_the_engine_read():
    load_worked_example()
    services.recompute()
    snapshot = InputSnapshot.objects.get()
    assert snapshot.digest == digest(snapshot.data.encode())
    inputs = RegionInputs.from_json(snapshot.data)
    assert inputs.to_json().decode() == snapshot.data  # canonical: round trip gives the same bytes
    assert inputs.values[2021]["energy_total"] == 520.0
    assert {p.code for p in inputs.periods} >= {"2021-2025"}
    assert any(r[1] == "energy_intensity_reduction" for r in inputs.target_records)
    assert inputs.groups[0].factors.coal > 2.7  # carbon content × 44/12


def test_an_unchanged_recompute_reuses_the_snapshot_and_a_change_replaces_it():
    load_worked_example()
    services.recompute()
    first = InputSnapshot.objects.get().digest
    services.recompute(region_ids=region_ids_with_data())
    assert list(InputSnapshot.objects.values_list("digest", flat=True)) == [first]

    ReportValue.objects.filter(report__year=2022, indicator__code="energy_total").update(
        value=Decimal("1234.5")
    )
    services.recompute(region_ids=region_ids_with_data())
    second = InputSnapshot.objects.get().digest  # the old one is gone: nothing points at it
    assert second != first
    assert set(AssessmentTrace.objects.values_list("snapshot_id", flat=True)) == {second}


def test_a_year_scoped_recompute_keeps_the_other_years_snapshot():
    load_worked_example()
    services.recompute()
    first = InputSnapshot.objects.get().digest
    ReportValue.objects.filter(report__year=2022, indicator__code="energy_total").update(
        value=Decimal("1234.5")
    )
    services.recompute(year=2022)
    by_year = dict(AssessmentTrace.objects.values_list("year", "snapshot_id"))
    assert by_year[2021] == first and by_year[2022] != first
    assert InputSnapshot.objects.count() == 2
    # Each year's figures replay from the inputs they were computed with.
    trace_2021 = AssessmentTrace.objects.get(year=2021)
    assert trace_2021.figures["energy_intensity"]["in"]["energy_total"] == 520.0
    assert AssessmentTrace.objects.get(year=2022).figures["energy_intensity"]["in"]["energy_total"] == 1234.5
