"""End to end in Chromium (issue 14, item 7, the summary part): a county official drafts, reviews
and issues the county's summary; a congress member opens it from the menu and downloads the PDF,
which is exactly the frozen file."""

import pytest

from apps.accounts.roles import Role
from apps.core.models import FrozenEdition
from apps.oversight.models import SUMMARY_KIND
from tests.dashboards.test_browser_dashboards import figures  # noqa: F401 (fixture)
from tests.dashboards.test_region import YEARS
from tests.factories import user_with
from tests.reports.test_browser_flow import browser, catalog, log_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YEAR = YEARS[-1]


@pytest.fixture(autouse=True)
def _private_roots(settings, tmp_path):
    settings.EDITIONS_PRIVATE_ROOT = tmp_path / "editions"


def test_an_official_issues_the_summary_and_a_congress_member_downloads_the_pdf(
    browser,  # noqa: F811
    live_server,
    figures,  # noqa: F811
):
    official = user_with(Role.REGION_STAFF, "360102", username="donghu_clerk")
    member = user_with(Role.CONGRESS_MEMBER, "360000", username="congress_member")

    context, page = log_in(browser, live_server, official)
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("dialog", lambda dialog: dialog.accept())  # "Issue and freeze this edition?"
    page.click("header nav a:has-text('Oversight summaries')")
    page.click(f"main a:has-text('{YEAR} summary')")
    page.wait_for_url(f"**/oversight/summaries/county/360102/{YEAR}/")
    assert "Draft preview" in page.inner_text("main")
    page.fill("#next-steps", "一、加快推进节能降碳改造。\n二、完善能耗统计。")
    page.click("button:has-text('Save draft')")
    page.wait_for_selector("text=Draft saved.")
    page.click("button:has-text('Mark reviewed')")
    page.wait_for_selector("text=it can be issued")
    page.click("button:has-text('Issue and freeze')")
    page.wait_for_selector("text=Edition 1 issued and frozen.")
    assert blocked == []
    context.close()

    edition = FrozenEdition.objects.get(kind=SUMMARY_KIND)
    stored = edition.files.get(name__endswith=".pdf")
    with stored.file.open("rb") as handle:
        frozen_pdf = handle.read()

    context, page = log_in(browser, live_server, member)
    page.click("header nav a:has-text('Oversight summaries')")
    page.click("main a:has-text('Edition 1')")
    page.wait_for_url(f"**/oversight/summaries/county/360102/{YEAR}/editions/1/")
    assert "加快推进节能降碳改造" in page.inner_text("main")
    assert page.locator("form textarea").count() == 0  # nothing to edit for a congress member
    with page.expect_download() as download:
        page.click("a:has-text('Download PDF')")
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read() == frozen_pdf
    assert download.value.suggested_filename.endswith(".pdf")
    context.close()
