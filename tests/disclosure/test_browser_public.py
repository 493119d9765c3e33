"""End to end in Chromium (issue 12 item 6, the disclosure part): an anonymous visitor opens the
public overview, follows a region, sees its charts drawn and downloads its CSV — exactly the
published figures. (The tips part of the flow is in tests/disclosure/test_browser_tips*.)"""

import csv
import io
from pathlib import Path

import pytest

from apps.accounts.roles import Role
from apps.disclosure import publications as service
from apps.monitoring.models import Assessment
from apps.regions.models import Region
from tests.dashboards.test_region import YEARS, _rows
from tests.factories import user_with
from tests.reports.test_browser_flow import browser, catalog  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NANCHANG = "360100"
YEAR = YEARS[-1]


@pytest.fixture
def published(catalog):  # noqa: F811
    regions = list(Region.objects.filter(level__in=["province", "city"]))
    rows = []
    for region in regions:
        rows += _rows(region, {"province": 10.0, "city": 1.0}.get(region.level, 0.1))
    Assessment.objects.bulk_create(rows)
    official = user_with(Role.PROVINCIAL_OFFICIAL, "360000", username="public_official")
    return service.publish(user=official, year=YEAR, region="360000")


def test_anonymous_visitor_reads_the_public_pages_and_downloads_the_csv(browser, live_server, published):  # noqa: F811
    context = browser.new_context(locale="en-US")
    # English, as the language switcher would choose it (the browser's Accept-Language is not used)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    context.set_default_timeout(20_000)
    page = context.new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(f"{live_server.url}/")
    page.locator("main a", has_text="published for the public").first.click()
    page.wait_for_url(f"{live_server.url}/disclosure/")
    assert str(YEAR) in page.inner_text("h1")
    assert page.locator("main .tile-grid .tile").count() >= 1

    page.locator("main table.barometer th[scope=row] a", has_text="南昌市").click()
    page.wait_for_url(f"**/disclosure/{YEAR}/{NANCHANG}/")
    assert "南昌市" in page.inner_text("h1")
    page.wait_for_selector("section.chart-card .main-svg")
    assert blocked == []

    with page.expect_download() as info:
        page.locator("main a", has_text="CSV").last.click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows and {r["region_code"] for r in rows} == {NANCHANG}
    stored = Assessment.objects.get(region__code=NANCHANG, level="", year=YEAR, metric="energy_intensity")
    published_value = next(
        r["value"] for r in rows if r["metric"] == "energy_intensity" and r["year"] == str(YEAR)
    )
    assert float(published_value) == float(stored.value)
    context.close()
