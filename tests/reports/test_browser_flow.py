"""End to end in Chromium: county staff fill and submit a report, the city forwards it, a
provincial official approves it — all through the UI, with the keyboard-friendly form."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from apps.accounts.roles import Role
from apps.reports.models import Report, ReportStatus
from tests.conftest import IN_CI
from tests.factories import GOOD_VALUES, user_with

# Playwright's sync API runs an event loop in this thread; the ORM calls here are ordinary ones.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
YEAR = 2024

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog(reference_data):
    """Transactional tests run on a flushed database: reload the indicator catalog if it is gone."""
    from dataclasses import asdict

    from apps.indicators.catalog import INDICATORS
    from apps.indicators.models import Indicator

    if not Indicator.objects.exists():
        Indicator.objects.bulk_create(
            Indicator(order=n, **asdict(d)) for n, d in enumerate(INDICATORS, start=1)
        )


@pytest.fixture
def browser():
    if not CHROMIUM.exists() and not IN_CI:
        pytest.skip("/usr/bin/chromium is not installed (the test runs in CI)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # The ORM calls made while Playwright's loop runs got their own connection (Django's
            # connections are context-local); close it, or PostgreSQL keeps a session open.
            from django.db import connections

            connections.close_all()


def log_in(browser, live_server, user):
    context = browser.new_context(locale="en-US")
    # English, as the language switcher would choose it (the browser's Accept-Language is not used)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def test_county_submits_city_forwards_province_approves(browser, live_server, catalog):
    county = user_with(Role.REGION_STAFF, "360102", username="county_clerk")
    city = user_with(Role.REGION_STAFF, "360100", username="city_reviewer")
    official = user_with(Role.PROVINCIAL_OFFICIAL, "360000", username="province_official")

    # County staff start the report of the year from "My reports" and fill the form.
    context, page = log_in(browser, live_server, county)
    page.goto(f"{live_server.url}/reports/mine/")
    page.fill("#id_year", str(YEAR))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/edit/")
    # A first save with a typo keeps the input and shows the error next to the field.
    page.fill("#id_value_energy_total", "5OO")
    page.click("button[name=action][value=save]")
    assert page.input_value("#id_value_energy_total") == "5OO"
    assert page.locator(".field-error").first.is_visible()
    # Fill every value with the keyboard: focus the first field and tab through value and note.
    for code, value in GOOD_VALUES.items():
        page.fill(f"#id_value_{code}", str(value))
    page.fill("#id_section_energy", "Coal boilers replaced by gas and heat pumps.")
    page.focus("#id_value_gdp_current")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_note_gdp_current"
    page.click("button[name=action][value=submit]")
    page.wait_for_selector("#report-status .status-submitted")
    report = Report.objects.get(region__code="360102", year=YEAR)
    assert report.status == ReportStatus.SUBMITTED
    context.close()

    # City staff review it from their queue and forward it to the province.
    context, page = log_in(browser, live_server, city)
    page.goto(f"{live_server.url}/reports/queue/city/")
    page.click(f"a[href='/reports/{report.pk}/']")
    page.fill("#forward-comment", "Checked against the statistics bureau's figures.")
    page.click(f"form[action='/reports/{report.pk}/forward/'] button[type=submit]")
    page.wait_for_selector("#report-status .status-forwarded")
    context.close()

    # A provincial official approves it from the approval queue.
    context, page = log_in(browser, live_server, official)
    page.goto(f"{live_server.url}/reports/queue/province/")
    page.click(f"a[href='/reports/{report.pk}/']")
    page.click(f"form[action='/reports/{report.pk}/approve/'] button[type=submit]")
    status = page.wait_for_selector("#report-status .status-approved")
    assert status.inner_text() == "Approved"
    assert "Checked against the statistics bureau" in page.inner_text(".timeline")
    context.close()

    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.approved_by == official
