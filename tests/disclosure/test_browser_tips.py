"""End to end in Chromium: a visitor files a tip with an attachment and looks it up by its number;
the development and reform commission routes it, the department answers and publishes the reply;
the visitor sees the reply (as text: the script in it does not run)."""

from __future__ import annotations

import pytest

from apps.disclosure.models import Tip
from tests.disclosure.tip_helpers import PNG, dept_staff, drc
from tests.reports.test_browser_flow import browser, catalog, log_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visitor(browser, live_server):  # noqa: F811
    context = browser.new_context(locale="en-US")
    # English, as the language switcher would choose it (the browser's Accept-Language is not used)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    context.set_default_timeout(20_000)
    return context, context.new_page()


def _look_up(page, live_server, number: str) -> None:
    page.goto(f"{live_server.url}/disclosure/tips/track/")
    page.fill("#id_number", number)
    page.click("main form button[type=submit]")


def test_visitor_files_staff_route_answer_publish_and_visitor_reads(browser, live_server, catalog, tmp_path):  # noqa: F811
    photo = tmp_path / "chimney.png"
    photo.write_bytes(PNG)
    blocked = []

    # An anonymous visitor files a tip with an attachment.
    visitor, page = _visitor(browser, live_server)
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/disclosure/tips/new/")
    # the honeypot stays out of sight (off the page) and out of the keyboard's way
    assert page.locator("#id_website").evaluate("e => e.getBoundingClientRect().right <= 0")
    assert page.locator("#id_website").get_attribute("tabindex") == "-1"
    page.select_option("#id_category", "statistics")
    page.select_option("#id_region", "360102")
    page.fill("#id_description", "东湖区某企业虚报能耗数据 <script>window.pwned=1</script>")
    page.set_input_files("#id_attachments", str(photo))
    page.fill("#id_contact", "13800000000")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/disclosure/tips/filed/")
    number = page.inner_text("#tracking-number").strip()
    tip = Tip.objects.get()
    assert number == tip.display_number and tip.attachments.count() == 1

    # The visitor looks it up: received, no reply yet, nothing else of the tip.
    _look_up(page, live_server, number.lower())
    assert page.inner_text("#tip-status") == "Received"
    assert "13800000000" not in page.content() and "虚报" not in page.content()

    # The commission of Nanchang routes it to Donghu's statistics bureau (the suggestion).
    triager = drc("360100", username="nanchang_drc_clerk")
    context, staff = log_in(browser, live_server, triager)
    staff.goto(f"{live_server.url}/disclosure/tips/")
    staff.click(f"text={number}")
    assert "13800000000" in staff.inner_text("main")  # the contact, to the staff handling it
    assert "<script>" in staff.inner_text("#tip-description")  # shown as text, not run
    assert staff.evaluate("window.pwned") is None
    with staff.expect_download() as download:
        staff.click("main a:has-text('chimney.png')")
    assert download.value.suggested_filename == "chimney.png"
    assert "统计局" in staff.locator("#id_department option:checked").inner_text()
    staff.click("#route-form button[type=submit]")
    assert staff.inner_text("#tip-status") == "Assigned"
    context.close()

    # The bureau investigates, answers and publishes the reply.
    answerer = dept_staff("360102", "statistics", username="donghu_stats_clerk")
    context, staff = log_in(browser, live_server, answerer)
    staff.goto(f"{live_server.url}/disclosure/tips/{tip.pk}/")
    staff.click("#investigate-form button[type=submit]")
    assert staff.inner_text("#tip-status") == "Under investigation"
    staff.fill("#answer-form textarea", "经核查，该企业已更正数据。<b>谢谢</b>")
    staff.click("#answer-form button[type=submit]")
    assert staff.inner_text("#tip-status") == "Answered"
    staff.click("#publish-form button[type=submit]")
    assert "Reply published" in staff.inner_text("main")
    timeline = staff.locator("ol.timeline li").all_inner_texts()
    assert len(timeline) == 5
    context.close()

    # The visitor sees the published reply, as text.
    _look_up(page, live_server, number)
    assert page.inner_text("#tip-status") == "Answered"
    assert "经核查，该企业已更正数据。<b>谢谢</b>" in page.inner_text("#tip-reply")
    assert blocked == []
    visitor.close()
