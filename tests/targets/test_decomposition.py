from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from apps.accounts.scoping import SYSTEM
from apps.targets import selectors
from apps.targets.models import RegionTarget

pytestmark = pytest.mark.django_db


def put(region, period, metric, value, year=None):
    return RegionTarget.objects.create(
        region=region, period=period, metric=metric, value=Decimal(value), year=year
    )


def cell(result, code, metric, year=None):
    row = (
        result.parent_row
        if result.parent.code == code
        else next(r for r in result.rows if r.region.code == code)
    )
    index = next(i for i, c in enumerate(result.columns) if (c.metric, c.year) == (metric, year))
    return row.cells[index]


def test_a_child_with_a_smaller_reduction_or_nonfossil_share_is_flagged_weaker(region, period_14):
    province, nanchang, xinyu = region("360000"), region("360100"), region("360500")
    for metric, value in (
        ("energy_intensity_reduction", "14"),
        ("co2_intensity_reduction", "18"),
        ("nonfossil_share", "18.3"),
    ):
        put(province, period_14, metric, value)
    put(nanchang, period_14, "energy_intensity_reduction", "14")  # equal: not weaker
    put(nanchang, period_14, "co2_intensity_reduction", "19")  # stronger
    put(nanchang, period_14, "nonfossil_share", "18.2")  # weaker
    put(xinyu, period_14, "energy_intensity_reduction", "13.9")  # weaker
    result = selectors.decomposition(SYSTEM, province, period_14)
    assert len(result.rows) == 11
    assert not cell(result, "360100", "energy_intensity_reduction").weaker
    assert not cell(result, "360100", "co2_intensity_reduction").weaker
    assert cell(result, "360100", "nonfossil_share").weaker
    assert cell(result, "360500", "energy_intensity_reduction").weaker
    assert cell(result, "360500", "co2_intensity_reduction").target is None  # not set: no flag
    assert not cell(result, "360500", "co2_intensity_reduction").weaker
    assert result.weaker_count == 2


def test_annual_targets_are_compared_year_by_year(region, period_14):
    nanchang, donghu = region("360100"), region("360102")
    put(nanchang, period_14, "energy_intensity_reduction_annual", "3.2", 2022)
    put(donghu, period_14, "energy_intensity_reduction_annual", "3.0", 2022)
    put(donghu, period_14, "energy_intensity_reduction_annual", "2.0", 2023)  # parent has none for 2023
    result = selectors.decomposition(SYSTEM, nanchang, period_14)
    with translation.override("en"):
        assert [c.label for c in result.columns if c.year] == [
            "Annual energy intensity reduction (%) 2022",
            "Annual energy intensity reduction (%) 2023",
        ]
    assert cell(result, "360102", "energy_intensity_reduction_annual", 2022).weaker
    assert not cell(result, "360102", "energy_intensity_reduction_annual", 2023).weaker


def test_the_sum_of_childrens_caps_above_the_parents_is_information_not_a_flag(region, period_14):
    nanchang = region("360100")
    put(nanchang, period_14, "energy_total_cap", "560")
    put(region("360102"), period_14, "energy_total_cap", "300")
    put(region("360103"), period_14, "energy_total_cap", "300")
    result = selectors.decomposition(SYSTEM, nanchang, period_14)
    assert result.cap_sum == Decimal("600")
    assert result.cap_sum_exceeds
    assert len(result.cap_children_missing) == 7
    assert not cell(result, "360102", "energy_total_cap").weaker
    assert result.weaker_count == 0


def test_caps_within_the_parents_cap_are_not_reported_as_exceeding(region, period_14):
    nanchang = region("360100")
    put(nanchang, period_14, "energy_total_cap", "560")
    put(region("360102"), period_14, "energy_total_cap", "28")
    result = selectors.decomposition(SYSTEM, nanchang, period_14)
    assert not result.cap_sum_exceeds


def test_without_parent_targets_nothing_is_flagged(region, period_14):
    put(region("360500"), period_14, "energy_intensity_reduction", "1")
    result = selectors.decomposition(SYSTEM, region("360000"), period_14)
    assert result.weaker_count == 0
    assert result.cap_parent is None


def test_decomposition_costs_a_constant_number_of_queries(
    demo, region, period_14, django_assert_max_num_queries
):
    province = region("360000")
    with django_assert_max_num_queries(3):
        result = selectors.decomposition(SYSTEM, province, period_14)
        assert result.rows[0].cells[0].value is not None


def test_demo_data_shows_xinyu_weaker_and_the_cities_caps_above_the_province(demo, region, period_14):
    result = selectors.decomposition(SYSTEM, region("360000"), period_14)
    weaker = {row.region.code for row in result.rows if row.weaker_count}
    assert weaker == {"360500"}
    assert result.cap_sum_exceeds
    assert cell(result, "360000", "energy_intensity_reduction").value == Decimal("14")
    assert cell(result, "360000", "nonfossil_share").value == Decimal("18.3")
    for city in region("360000").children.all():  # every county has its targets, none weaker
        decomposition = selectors.decomposition(SYSTEM, city, period_14)
        assert decomposition.rows and all(r.cells[0].target for r in decomposition.rows)
        assert decomposition.weaker_count == 0


def test_demo_targets_cover_every_region_and_period_near_the_base_year_and_are_marked_as_demo(demo, region):
    from apps.regions.models import Region
    from apps.reports.selectors import approved_values
    from apps.targets.models import PlanPeriod

    out = StringIO()
    call_command("seed_demo", stdout=out)  # idempotent: a second seeding adds and changes nothing
    assert "0 created, 0 updated" in out.getvalue()
    regions = Region.objects.filter(path__startswith="360000/")
    periods = PlanPeriod.objects.filter(code__in=["2016-2020", "2021-2025", "2026-2030"])
    have = set(RegionTarget.objects.filter(year=None).values_list("region__code", "period__code", "metric"))
    metrics = {"energy_intensity_reduction", "co2_intensity_reduction", "energy_total_cap", "nonfossil_share"}
    assert have >= {(r.code, p.code, m) for r in regions for p in periods for m in metrics}
    made_up = RegionTarget.objects.exclude(
        region=region("360000"),
        period__code="2021-2025",
        metric__in=["energy_intensity_reduction", "nonfossil_share"],
    )
    assert all("demo" in t.note for t in made_up)
    # Caps consistent with the base year: above its assessed total (2021–2025: feedstock out),
    # by no more than the period could plausibly add.
    base = {}
    for region_id, _year, code, value in approved_values(years=[2020]):
        base.setdefault(region_id, {})[code] = value
    caps = RegionTarget.objects.filter(period__code="2021-2025", metric="energy_total_cap", year=None)
    for cap in caps:
        assessed = base[cap.region_id]["energy_total"] - base[cap.region_id]["feedstock_energy"]
        assert assessed < cap.value < assessed * Decimal("1.5"), cap
    # An intensity target of a few percent a year, never negative or absurd.
    reductions = RegionTarget.objects.filter(
        metric__in=["energy_intensity_reduction", "co2_intensity_reduction"]
    )
    assert all(Decimal(5) <= t.value <= Decimal(30) for t in reductions)


def test_a_county_sees_only_its_own_row_and_no_cap_sum_in_its_citys_decomposition(user_of, region, period_14):
    """roles.md v1.1: county staff read the targets of their subtree and of the regions above,
    not their sibling counties'; the sum of caps would disclose the siblings' caps."""
    nanchang = region("360100")
    put(nanchang, period_14, "energy_total_cap", "560")
    put(region("360102"), period_14, "energy_total_cap", "300")
    put(region("360103"), period_14, "energy_total_cap", "300")
    county = user_of("county")  # Donghu 360102
    result = selectors.decomposition(county, nanchang, period_14)
    assert [r.region.code for r in result.rows] == ["360102"]
    assert result.hidden_children == 8
    assert result.cap_parent == Decimal("560")
    assert result.cap_sum is None and not result.cap_sum_exceeds
    full = selectors.decomposition(user_of("city"), nanchang, period_14)
    assert len(full.rows) == 9 and full.hidden_children == 0 and full.cap_sum == Decimal("600")
