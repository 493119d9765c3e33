"""End to end in Chromium (issue 14, item 7, the inquiry part): the county congress member puts
an inquiry to the county's development and reform commission from the navigation, its staff
answer with a file, and the member marks the answer satisfactory, closing it."""

from datetime import timedelta

import pytest

from apps.accounts.roles import Role
from apps.oversight import inquiries
from apps.oversight.models import Inquiry, InquiryStatus
from tests.factories import user_with
from tests.reports.test_browser_flow import browser, catalog, log_in  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.OVERSIGHT_PRIVATE_ROOT = tmp_path / "private"


def test_county_member_puts_an_inquiry_the_department_answers_the_member_closes(
    browser,  # noqa: F811
    live_server,
    catalog,  # noqa: F811
    tmp_path,
):
    member = user_with(Role.CONGRESS_MEMBER, "360102", username="donghu_member", last_name="东湖区人大 委员")
    staff = user_with(
        Role.DEPARTMENT_STAFF, "360102", department_kind="development_reform", username="donghu_ndrc_clerk"
    )
    deadline = (inquiries.today() + timedelta(days=14)).isoformat()

    # The member finds inquiries in the menu and puts one to the development and reform commission.
    context, page = log_in(browser, live_server, member)
    page.locator("nav a", has_text="Inquiries").first.click()
    page.wait_for_url("**/oversight/inquiries/")
    page.click("text=Put an inquiry")
    page.wait_for_url("**/oversight/inquiries/new/")
    page.select_option("#id_addressee", label="Development and Reform Commission, 东湖区 (360102)")
    page.fill("#id_subject", "单位GDP能耗下降滞后")
    page.fill("#id_question", "请说明今年能耗强度下降滞后的原因和整改措施。")
    page.fill("#id_deadline", deadline)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/oversight/inquiries/*/")
    assert "单位GDP能耗下降滞后" in page.inner_text("h1")
    assert "Awaiting an answer" in page.inner_text("dl.facts")
    inquiry = Inquiry.objects.get()
    context.close()

    # The department's staff see it in their list and answer it, with a file.
    context, page = log_in(browser, live_server, staff)
    page.locator("nav a", has_text="Inquiries").first.click()
    page.locator("main table a", has_text="单位GDP能耗下降滞后").click()
    page.wait_for_url(f"**/oversight/inquiries/{inquiry.pk}/")
    page.fill("#id_text", "已制定工业节能专项行动，预计明年一季度扭转。")
    reply = tmp_path / "答复.pdf"
    reply.write_bytes(PDF)
    page.set_input_files("#id_files", str(reply))
    page.click("text=Send the answer")
    page.wait_for_url(f"**/oversight/inquiries/{inquiry.pk}/")
    assert "Answered" in page.inner_text("dl.facts")
    assert page.locator("a", has_text="答复.pdf").count() == 1
    context.close()

    # The member reads the answer and marks it satisfactory: the inquiry is closed.
    context, page = log_in(browser, live_server, member)
    page.goto(f"{live_server.url}/oversight/inquiries/{inquiry.pk}/")
    assert "预计明年一季度扭转" in page.inner_text("main")
    page.click("text=Mark satisfactory and close")
    page.wait_for_url(f"**/oversight/inquiries/{inquiry.pk}/")
    assert "Closed as satisfactory" in page.inner_text("dl.facts")
    steps = page.locator("ol.timeline li strong").all_inner_texts()
    assert steps == ["Put", "Answered", "Closed as satisfactory"]
    context.close()
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.CLOSED
