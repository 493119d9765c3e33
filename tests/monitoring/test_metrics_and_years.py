"""The metric catalog (names, units, display precision as data), the default year and the data version."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from apps.monitoring import engine, metrics, years
from apps.monitoring.models import Assessment, CompleteYear, RecomputeRun, RunStatus
from apps.regions.models import Region
from tests.factories import user_for


def test_every_stored_metric_has_a_catalog_entry_with_names_units_and_precision():
    catalog = metrics.catalog()
    assert set(catalog) == set(engine.METRICS)
    for code, entry in catalog.items():
        assert entry.name_zh and entry.name_en, code
        assert entry.kind in metrics.KINDS
        assert entry.is_text == (code in engine.TEXT_METRICS), code
        assert (entry.kind == "percent") == (code in engine.PERCENT_METRICS), code


def test_display_rounds_per_metric_and_translates_text_figures():
    assert metrics.display("energy_total_assessed", Decimal("3221.84295270478")) == "3,221.84"
    assert metrics.display("energy_intensity_reduction_cum", Decimal("12.345678")) == "12.35%"
    assert metrics.display("co2_peak_year", Decimal("2023")) == "2023"
    assert metrics.display("energy_intensity", None) == "—"
    with translation.override("zh-hans"):
        assert metrics.display("energy_total_warning", None, "red") == "红色"
        assert metrics.name("energy_total_warning") == "能源消费总量预警"
        assert metrics.info("energy_total_assessed").label == "能源消费总量（考核口径）（万吨标准煤）"
    with translation.override("en"):
        assert metrics.display("grade", None, "exceeded") == "Exceeded"
        assert metrics.info("energy_total_assessed").label == "Total energy use (as assessed) (10⁴ tce)"


def _figures(year: int, regions) -> None:
    Assessment.objects.bulk_create(
        Assessment(region=r, year=year, metric=years.COVERAGE_METRIC, value=Decimal(1)) for r in regions
    )


@pytest.mark.django_db
def test_default_year_ignores_a_single_early_approval_and_follows_a_declaration(db):
    province = user_for("provincial")
    regions = list(Region.objects.all())
    _figures(2023, regions)
    _figures(2024, regions[: int(len(regions) * 0.85)])
    _figures(2025, regions[:1])  # one early approval
    assert years.default_year(province) == 2024
    years.declare_complete(province, 2023)
    assert years.default_year(province) == 2023
    assert CompleteYear.history.filter(year=2023).count() == 1
    with pytest.raises(ValidationError) as err:
        years.withdraw_complete(province, 2023, "")
    assert "reason" in err.value.message_dict
    years.withdraw_complete(province, 2023, "declared by mistake")
    assert years.default_year(province) == 2024
    assert CompleteYear.history.filter(year=2023).latest().history_change_reason == "declared by mistake"


@pytest.mark.django_db
def test_only_provincial_officials_declare_a_year_and_only_years_with_figures(db):
    _figures(2024, Region.objects.all()[:3])
    for role in ("county", "city", "department", "congress"):
        with pytest.raises(PermissionDenied):
            years.declare_complete(user_for(role), 2024)
    with pytest.raises(ValidationError) as err:
        years.declare_complete(user_for("provincial"), 1999)
    assert "year" in err.value.message_dict


@pytest.mark.django_db
def test_data_version_names_the_latest_finished_run(db):
    assert years.data_version().run_id is None
    done = RecomputeRun.objects.create(
        status=RunStatus.DONE, finished_at=datetime(2026, 11, 30, 18, 31, tzinfo=UTC)
    )
    RecomputeRun.objects.create(status=RunStatus.RUNNING)
    version = years.data_version()
    assert version.run_id == done.pk
    with translation.override("zh-hans"):
        assert str(version) == f"数据版本 #{done.pk} · 2026-12-01 02:31 · 规范 v1.1"


@pytest.mark.django_db
def test_without_a_covered_year_the_default_is_the_year_most_regions_have():
    regions = list(Region.objects.all())
    _figures(2022, regions[:30])
    _figures(2023, regions[:40])
    _figures(2024, regions[:2])
    assert years.default_year(user_for("provincial")) == 2023
