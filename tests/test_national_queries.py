"""On the national data set (3,351 regions, tests/national.py) a page costs a small constant
number of SQL queries, whatever the number of regions (issue 10 item 8). One test walks all
the pages on one load of the data set (a load costs seconds), naming every page over its limit.

To add a page: one line in NATIONAL_PAGES — (user kind of tests.factories.ROLE_PROFILES, URL
with ``{year}`` for the latest year of the data set, the most queries it may cost). The bench
harness measures the same pages' time (bench/pages.py, PAGES).
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import user_for
from tests.national import NATIONAL_REGIONS

#: (user kind, URL, max queries). The session, the user and the page's own reads included.
NATIONAL_PAGES: list[tuple[str, str, int]] = [
    ("admin", "/reports/completeness/", 12),
    ("admin", "/reports/completeness/?page=30", 12),
    ("admin", "/reports/completeness/?city=440000&level=county", 12),
    ("provincial", "/reports/completeness/", 12),
    ("admin", "/monitoring/?year={year}", 12),
    ("provincial", "/monitoring/?year={year}", 12),
    ("admin", "/api/v1/assessments/?year={year}", 10),
    ("provincial", "/api/v1/assessments/?year={year}", 10),
    ("admin", "/dashboards/?year={year}", 16),
    ("admin", "/dashboards/?year={year}&region_level=county", 16),
    ("provincial", "/dashboards/?year={year}&region_level=county", 16),
    ("admin", "/api/v1/barometer/?year={year}&region_level=county", 12),
    ("provincial", "/dashboards/city/360100/?year={year}", 30),  # with the planner's summary
    ("admin", "/dashboards/city/440100/?year={year}", 30),
]


def test_pages_cost_a_constant_number_of_queries_on_the_national_data(national, client):
    """Every page of NATIONAL_PAGES, on one load of the national data (a load costs seconds)."""
    from apps.monitoring.models import Assessment, AssessmentTrace
    from apps.regions.models import Region

    assert national.regions == Region.objects.count() == NATIONAL_REGIONS
    assert AssessmentTrace.objects.count() == NATIONAL_REGIONS * len(national.years)
    assert Assessment.objects.filter(metric="energy_intensity_warning_annual", level="red").exists()
    users = {role: user_for(role) for role in {role for role, _, _ in NATIONAL_PAGES}}
    too_many = []
    for role, url, max_queries in NATIONAL_PAGES:
        url = url.format(year=national.year)
        client.force_login(users[role])
        # In Chinese, as officials read them; override() restores the language for later tests.
        with translation.override("zh-hans"), CaptureQueriesContext(connection) as queries:
            client.cookies["django_language"] = "zh-hans"
            response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        if len(queries) > max_queries:
            too_many.append(f"{role} {url}: {len(queries)} queries > {max_queries}")
    assert not too_many, "\n".join(too_many)


def test_a_national_page_of_the_completeness_grid_stays_small(national, client):
    client.force_login(user_for("admin"))
    response = client.get("/reports/completeness/")
    assert response.status_code == 200
    assert len(response.content) < 300_000  # 50 rows of 3,351, not 4 MB
    assert "3,351" in response.content.decode() or "3351" in response.content.decode()


def test_the_overview_read_for_a_page_costs_four_queries_on_the_national_data(
    national, django_assert_max_num_queries
):
    from apps.monitoring.selectors import overview_rows

    admin = user_for("admin")
    with django_assert_max_num_queries(4):
        page = overview_rows(admin, national.year, ("energy_intensity_completion", "grade"), page=30)
    assert len(page.object_list) == 50 and page.paginator.count == NATIONAL_REGIONS
    assert all(set(row["figures"]) == {"energy_intensity_completion", "grade"} for row in page.object_list)
