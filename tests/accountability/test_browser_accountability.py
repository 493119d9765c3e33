"""End to end in Chromium (issue 13): the provincial official opens the candidates of a year,
decides, issues the drafted 通报 with one change, schedules a 约谈; the county answers its
rectification task; the official accepts it; a congress member sees the closed case."""

import pytest

from apps.accountability import candidates
from apps.accountability.models import Candidate, CaseStatus, Decision
from apps.accounts.roles import Role
from apps.monitoring.models import Assessment
from apps.regions.models import Region
from tests.factories import user_with
from tests.reports.test_browser_flow import browser, catalog, log_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YEAR = 2024
DONGHU = "360102"


@pytest.fixture
def red_county(catalog):  # noqa: F811
    donghu = Region.objects.get(code=DONGHU)
    Assessment.objects.bulk_create(
        [
            Assessment(region=donghu, year=YEAR, metric="energy_intensity_warning_progress", level="red"),
            Assessment(region=donghu, year=YEAR, metric="energy_intensity_reduction_cum", value=1.5),
            Assessment(region=donghu, year=YEAR, metric="energy_total_warning", level="green"),
        ]
    )
    candidates.refresh()
    return Candidate.objects.get(region=donghu, year=YEAR, rule="progress_red")


def test_the_ledger_from_candidate_to_closed_case(browser, live_server, red_county):  # noqa: F811
    official = user_with(Role.PROVINCIAL_OFFICIAL, "360000", username="acc_official")
    county = user_with(Role.REGION_STAFF, DONGHU, username="acc_county")
    congress = user_with(Role.CONGRESS_MEMBER, "360000", username="acc_congress")
    case_url = f"{live_server.url}/accountability/cases/{red_county.pk}/"

    # The official opens the candidates of the year and the county's case.
    context, page = log_in(browser, live_server, official)
    page.goto(f"{live_server.url}/accountability/?year={YEAR}")
    page.locator("main th[scope=row] a", has_text="东湖区").first.click()
    page.wait_for_url(case_url)
    assert "How these figures were computed" in page.inner_text("main")

    # Decides: notice and interview. The notice is drafted from the figures.
    page.check("input[name=outcome][value=both]")
    page.click("text=Record the decision")
    page.wait_for_selector("textarea[name=body]")
    draft = page.input_value("textarea[name=body]")
    assert "东湖区" in draft and "红色" in draft and "1.50%" in draft

    # Issues it with one change.
    page.fill("textarea[name=body]", draft + "\n特此通报。")
    page.click("button[name=issue]")
    page.wait_for_selector("div.notice-text")
    assert page.inner_text("div.notice-text").strip().endswith("特此通报。")
    assert "frozen" in page.inner_text("main")

    # Schedules the interview.
    page.fill("input[name=scheduled_for]", "2026-12-20")
    page.fill("input[name=interviewers]", "省发展改革委主任")
    page.fill("input[name=interviewees]", "东湖区区长")
    page.click("text=Schedule the interview")
    page.wait_for_selector("text=Record the interview as held")
    context.close()

    # The county answers its rectification task.
    context, page = log_in(browser, live_server, county)
    page.goto(case_url)
    page.fill("textarea[name=answer]", "已制定整改方案并关停两条落后产线。")
    page.click("text=Send the answer")
    page.wait_for_selector(".task-status:has-text('Answered')")
    context.close()

    # The official accepts it: the case is closed.
    context, page = log_in(browser, live_server, official)
    page.goto(case_url)
    page.click("button[name=accept]")
    page.wait_for_selector(".task-status:has-text('Accepted')")
    assert page.inner_text("#case-status") == "Closed"
    context.close()
    assert Decision.objects.get(candidate=red_county).status == CaseStatus.CLOSED

    # The congress member sees the closed case, with its issued notice and the answer.
    context, page = log_in(browser, live_server, congress)
    page.goto(f"{live_server.url}/accountability/?year={YEAR}&status=closed")
    page.locator("main th[scope=row] a", has_text="东湖区").first.click()
    page.wait_for_url(case_url)
    text = page.inner_text("main")
    assert "特此通报。" in text and "已制定整改方案" in text
    assert page.locator("button[name=accept]").count() == 0
    context.close()
