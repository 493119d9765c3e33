"""Tip pages: the public form and lookup, the staff's inbox, detail, steps, attachments, statistics."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from apps.disclosure import tips
from apps.disclosure.models import Tip, TipStatus
from tests.disclosure.tip_helpers import dept_staff, drc, english_client, file_tip, png
from tests.factories import dept, user_for

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert('x')</script>"
FORM = {"category": "emissions", "region": "360102", "description": "夜间偷排。"}


def _client(user=None):
    client = english_client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_visitor_files_a_tip_with_an_attachment_and_gets_the_number_once():
    client = english_client()
    page = client.get("/disclosure/tips/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="website"' in html and 'class="hp"' in html  # the honeypot, out of sight
    assert "东湖区" in html and 'value="360102"' in html  # regions by name
    answer = client.post("/disclosure/tips/new/", {**FORM, "attachments": [png()]})
    assert answer.status_code == 302 and answer["Location"] == "/disclosure/tips/filed/"
    tip = Tip.objects.get()
    assert tip.attachments.count() == 1
    filed = client.get("/disclosure/tips/filed/")
    assert tip.display_number in filed.content.decode()
    # shown once: the number lives in the session, never in a URL
    again = client.get("/disclosure/tips/filed/")
    assert again.status_code == 302 and tip.display_number not in again.content.decode()


def test_a_public_page_links_to_the_form_with_its_figure():
    page = english_client().get(
        "/disclosure/tips/new/",
        {"region": "360100", "figure_year": "2023", "figure_metric": "energy_intensity"},
    )
    form = page.context["form"]
    assert form.initial == {"region": "360100", "figure_year": "2023", "figure_metric": "energy_intensity"}
    assert '<option value="energy_intensity" selected>' in page.content.decode()


def test_the_form_names_every_error_at_once():
    answer = english_client().post("/disclosure/tips/new/", {"figure_year": "2023"})
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert {"category", "region", "description", "figure_metric"} <= set(errors)
    assert 'role="alert"' in answer.content.decode()


def test_the_honeypot_refuses_the_form():
    answer = english_client().post("/disclosure/tips/new/", {**FORM, "website": "x"})
    assert answer.status_code == 400 and not Tip.objects.exists()


def test_a_signed_in_user_sees_why_and_cannot_file():
    client = _client(user_for("provincial"))
    page = client.get("/disclosure/tips/new/")
    assert page.status_code == 200
    assert "signed-in users cannot file tips" in page.content.decode()
    assert 'name="description"' not in page.content.decode()
    assert client.post("/disclosure/tips/new/", FORM).status_code == 403
    assert not Tip.objects.exists()


@override_settings(TIP_RATE_PER_SESSION="2/h", TIP_RATE_PER_IP="100/h")
def test_a_flood_from_one_session_gets_429():
    client = english_client()
    assert client.get("/disclosure/tips/new/").cookies.get("sessionid") is None  # a view starts none
    codes = [client.post("/disclosure/tips/new/", FORM).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert Tip.objects.count() == 2


def test_lookup_shows_status_and_published_reply_only_and_escapes_it():
    tip = file_tip("360102", description="DESCRIPTION TEXT", contact="CONTACT TEXT")
    client = english_client()
    page = client.post("/disclosure/tips/track/", {"number": tip.display_number.lower()})
    html = page.content.decode()
    assert page.status_code == 200 and page.context["status"].status == "received"
    for secret in ("DESCRIPTION TEXT", "CONTACT TEXT", "东湖区"):
        assert secret not in html
    staff = user_for("provincial")
    tips.tip_route(user=staff, tip=tip, department=dept("360100", "ecology_environment"))
    tips.tip_answer(user=staff, tip=tip, reply=f"已处理 {SCRIPT}")
    assert (
        "已处理"
        not in client.post("/disclosure/tips/track/", {"number": tip.display_number}).content.decode()
    )
    tips.tip_publish_reply(user=staff, tip=tip)
    html = client.post("/disclosure/tips/track/", {"number": tip.display_number}).content.decode()
    assert "已处理" in html and SCRIPT not in html and "&lt;script&gt;" in html


def test_a_wrong_number_is_the_same_404():
    file_tip()
    client = english_client()
    answers = [client.post("/disclosure/tips/track/", {"number": n}) for n in ("0" * 16, "nonsense", "")]
    assert {a.status_code for a in answers} == {404}
    assert len({a.context["not_found"] for a in answers}) == 1


def test_staff_detail_escapes_script_and_shows_the_contact_to_handlers():
    tip = file_tip("360102", description=f"看这里 {SCRIPT}", contact="13912345678")
    page = _client(drc("360100")).get(f"/disclosure/tips/{tip.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert SCRIPT not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "13912345678" in html
    for user in (drc("360400"), dept_staff("360100", "statistics")):
        assert _client(user).get(f"/disclosure/tips/{tip.pk}/").status_code == 404
    for role in ("county", "congress"):
        assert _client(user_for(role)).get(f"/disclosure/tips/{tip.pk}/").status_code == 403


def test_staff_handle_a_tip_through_the_pages():
    tip = file_tip("360102")
    triager, answerer = drc("360100"), dept_staff("360100", "statistics")
    statistics = dept("360100", "statistics")
    client = _client(triager)
    assert client.post(f"/disclosure/tips/{tip.pk}/route/", {"department": ""}).status_code == 400
    assert client.post(f"/disclosure/tips/{tip.pk}/route/", {"department": statistics.pk}).status_code == 302
    client = _client(answerer)
    assert client.post(f"/disclosure/tips/{tip.pk}/investigate/", {"note": "核查"}).status_code == 302
    assert client.post(f"/disclosure/tips/{tip.pk}/answer/", {"reply": ""}).status_code == 400
    assert client.post(f"/disclosure/tips/{tip.pk}/answer/", {"reply": "已核实"}).status_code == 302
    assert client.post(f"/disclosure/tips/{tip.pk}/publish/").status_code == 302
    assert client.post(f"/disclosure/tips/{tip.pk}/close/").status_code == 403  # closing is the triager's
    tip.refresh_from_db()
    assert tip.status == TipStatus.ANSWERED and tip.reply_published_at
    assert _client(triager).post(f"/disclosure/tips/{tip.pk}/close/").status_code == 302
    tip.refresh_from_db()
    assert tip.status == TipStatus.CLOSED
    page = _client(triager).get(f"/disclosure/tips/{tip.pk}/").content.decode()
    assert page.count("<li><time") == 6  # the timeline


def test_the_inbox_filters_and_flags_overdue_tips():
    late = file_tip("360102", category="statistics")
    file_tip("360103", category="project")
    Tip.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    client = _client(drc("360100"))
    page = client.get("/disclosure/tips/").content.decode()
    assert page.count('class="is-overdue"') == 1
    assert late.display_number in page
    overdue = client.get("/disclosure/tips/", {"overdue": "on"})
    assert [t.pk for t in overdue.context["page"]] == [late.pk]
    projects = client.get("/disclosure/tips/", {"category": "project"})
    assert [t.category for t in projects.context["page"]] == ["project"]
    by_region = client.get("/disclosure/tips/", {"region": "360103"})
    assert [t.region.code for t in by_region.context["page"]] == ["360103"]


def test_attachments_go_to_handlers_only_with_safe_headers():
    html_in_png = png("evil.html", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>")
    tip = file_tip("360102")
    from apps.core.files import check_upload

    checked = check_upload(html_in_png, field="attachments", max_bytes=10_000)
    tip = file_tip("360102", uploads=[(html_in_png, checked)])
    attachment = tip.attachments.get()
    url = f"/disclosure/tips/{tip.pk}/attachments/{attachment.pk}/"
    answer = _client(drc("360100")).get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/png"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert (
        answer["Content-Disposition"].startswith("attachment;")
        and "evil.png" in answer["Content-Disposition"]
    )
    assert "sandbox" in answer["Content-Security-Policy"]
    assert "no-store" in answer["Cache-Control"]
    assert _client(drc("360400")).get(url).status_code == 404
    assert english_client().get(url).status_code == 302  # to the login page
    assert re.match(r"^tips/[0-9a-f]{32}\.png$", attachment.file.name)


def test_statistics_page_and_its_xlsx():
    file_tip("360102", category="statistics")
    file_tip("360400", category="emissions")
    client = _client(user_for("congress"))
    page = client.get("/disclosure/tips/statistics/")
    assert page.status_code == 200 and page.context["stats"].total == 2
    export = client.get("/disclosure/tips/statistics/", {"export": "xlsx"})
    workbook = load_workbook(io.BytesIO(export.content))
    assert len(workbook.sheetnames) == 4
    cells = [c for row in workbook.worksheets[2].iter_rows(values_only=True) for c in row]
    assert "360102" in cells and "360400" in cells
    county = _client(user_for("county")).get("/disclosure/tips/statistics/")
    assert county.context["stats"].total == 1
    assert (
        _client(user_for("county")).get("/disclosure/tips/statistics/", {"region": "360400"}).status_code
        == 404
    )
