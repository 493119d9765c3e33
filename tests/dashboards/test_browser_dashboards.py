"""End to end in Chromium: a provincial official opens the barometer, narrows it to one city,
drills down to a county, opens its dashboard, switches a chart to its table and downloads the
chart's CSV — whose rows are exactly the figures drawn."""

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from apps.accounts.roles import Role
from apps.monitoring.models import Assessment
from apps.regions.models import Region
from tests.dashboards.test_region import YEARS, _rows
from tests.factories import user_with
from tests.reports.test_browser_flow import browser, catalog, log_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NANCHANG, DONGHU = "360100", "360102"
YEAR = YEARS[-1]


@pytest.fixture
def figures(catalog):  # noqa: F811
    regions = list(
        Region.objects.filter(level__in=["province", "city"]) | Region.objects.filter(parent__code=NANCHANG)
    )
    rows = []
    for region in regions:
        rows += _rows(region, {"province": 10.0, "city": 1.0}.get(region.level, 0.1))
    Assessment.objects.bulk_create(rows)


def test_official_filters_drills_down_and_downloads_a_charts_figures(browser, live_server, figures):  # noqa: F811
    official = user_with(Role.PROVINCIAL_OFFICIAL, "360000", username="dash_official")
    context, page = log_in(browser, live_server, official)
    blocked = []  # the Content-Security-Policy forbids inline scripts: nothing may be refused
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(f"{live_server.url}/dashboards/?year={YEAR}")
    table = page.locator("main table").filter(has=page.locator("th[aria-sort], th a")).last
    assert table.locator("th[scope=row]", has_text="南昌市").count() == 1  # the cities

    # Narrow to one city with the filter form: the URL keeps the filter (shareable).
    page.select_option("select[name=parent]", NANCHANG)
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**parent=360100**")
    assert parse_qs(urlparse(page.url).query)["parent"] == [NANCHANG]
    assert page.locator("main th[scope=row] a", has_text="东湖区").count() >= 1
    assert page.locator("main th[scope=row] a", has_text="九江市").count() == 0

    # Drill down to a county: its dashboard.
    page.locator("main th[scope=row] a", has_text="东湖区").first.click()
    page.wait_for_url(f"**/dashboards/county/{DONGHU}/**")
    assert "东湖区" in page.inner_text("h1")

    # The charts are drawn (by the portal's own script files; no inline script is refused).
    page.wait_for_selector("section.chart-card .main-svg")
    assert blocked == []

    # Switch the first chart to its table.
    chart = page.locator("section.chart-card").first
    chart_table = chart.locator("details.chart-table table")
    assert not chart_table.is_visible()
    chart.locator("details.chart-table summary").click()
    assert chart_table.is_visible()
    shown_years = [int(y) for y in chart_table.locator("tbody th[scope=row]").all_inner_texts()]
    assert set(YEARS) <= set(shown_years)  # the observed years (paths may start at a base year)

    # Download exactly the figures drawn.
    with page.expect_download() as info:
        chart.locator("a", has_text="CSV").click()
    body = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {row["region_code"] for row in rows} == {DONGHU}
    assert [int(row["year"]) for row in rows] == shown_years  # the table's rows, no more, no less
    stored = {
        a.year: float(a.value)
        for a in Assessment.objects.filter(region__code=DONGHU, metric="energy_intensity")
    }
    drawn = {int(row["year"]): row["energy_intensity"] for row in rows if row["energy_intensity"]}
    assert {year: float(value) for year, value in drawn.items()} == stored
    context.close()
