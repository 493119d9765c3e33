"""`selectors.overview_rows`: one page of the overview, its regions chosen first, then only their figures."""

from decimal import Decimal

import pytest

from apps.monitoring.models import Assessment
from apps.monitoring.selectors import overview_rows
from apps.regions.selectors import by_code
from tests.factories import user_for

pytestmark = pytest.mark.django_db
METRICS = ("energy_intensity_reduction_cum", "energy_intensity_warning_annual")


def figures(code: str, year: int, level: str = "green") -> None:
    region = by_code(code)
    Assessment.objects.create(region=region, year=year, metric=METRICS[0], value=Decimal("3.5"))
    Assessment.objects.create(region=region, year=year, metric=METRICS[1], level=level)
    Assessment.objects.create(region=region, year=year, metric="gdp_const", value=Decimal("1"))


def test_a_page_holds_the_regions_with_figures_in_path_order_with_the_asked_metrics_only():
    for code in ("360400", "360100", "360102"):
        figures(code, 2024)
    figures("360200", 2023)
    page = overview_rows(user_for("provincial"), 2024, METRICS, per_page=2)
    assert [row["region"].code for row in page.object_list] == ["360100", "360102"]
    assert set(page.object_list[0]["figures"]) == set(METRICS)
    assert page.paginator.count == 3
    second = overview_rows(user_for("provincial"), 2024, METRICS, page=2, per_page=2)
    assert [row["region"].code for row in second.object_list] == ["360400"]


def test_the_level_filter_keeps_regions_with_a_figure_at_that_level():
    figures("360100", 2024, "red")
    figures("360400", 2024, "green")
    page = overview_rows(user_for("provincial"), 2024, METRICS, level="red")
    assert [row["region"].code for row in page.object_list] == ["360100"]


def test_a_county_sees_only_its_own_region(django_assert_max_num_queries):
    for code in ("360100", "360102", "360103"):
        figures(code, 2024)
    user = user_for("county")
    user.region  # noqa: B018 - loaded at login
    with django_assert_max_num_queries(4):
        page = overview_rows(user, 2024, METRICS)
    assert [row["region"].code for row in page.object_list] == ["360102"]
