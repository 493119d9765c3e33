"""The inquiry API and pages: the workflow end to end, errors in the one body, 403/404/409 where
roles.md and the state say so, the Excel download with Chinese headers, the navigation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from apps.oversight import inquiries as svc
from apps.oversight.models import Inquiry, InquiryStatus
from tests.factories import dept
from tests.xlsx import xlsx_table

pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def client_as(user):
    """A signed-in browser that reads the pages in English (the language cookie)."""
    from django.conf import settings

    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def due(days=20):
    return (svc.today() + timedelta(days=days)).isoformat()


def test_the_api_workflow_put_answer_follow_up_close(people):
    member, staff = api_as(people["congress_donghu"]), api_as(people["ndrc_donghu"])
    ndrc = dept("360102", "development_reform")
    created = member.post(
        "/api/v1/inquiries/",
        {
            "kind": "inquiry",
            "department": ndrc.pk,
            "subject": "煤炭消费",
            "question": "为何上升？",
            "deadline": due(),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["region_code"] == "360102" and created.json()["addressee"] in (
        ndrc.name,
        ndrc.name_en,
    )
    upload = SimpleUploadedFile("reply.pdf", PDF, content_type="application/pdf")
    answered = staff.post(
        f"/api/v1/inquiries/{pk}/answer/", {"text": "已答复", "files": [upload]}, format="multipart"
    )
    assert answered.status_code == 201, answered.json()
    files = answered.json()["answers"][0]["attachments"]
    assert staff.get(files[0]["url"]).status_code == 200
    assert member.get(files[0]["url"]).status_code == 200
    assert api_as(people["congress_xihu"]).get(files[0]["url"]).status_code == 404
    again = staff.post(f"/api/v1/inquiries/{pk}/answer/", {"text": "再答"}, format="json")
    assert again.status_code == 409 and set(again.json()) == {"detail"}
    follow = member.post(
        f"/api/v1/inquiries/{pk}/follow-up/", {"question": "请补充", "deadline": due(5)}, format="json"
    )
    assert follow.status_code == 200 and follow.json()["round"] == 2
    staff.post(f"/api/v1/inquiries/{pk}/answer/", {"text": "补充答复"}, format="json")
    closed = member.post(f"/api/v1/inquiries/{pk}/close/", {"comment": "满意"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    kinds = [e["kind"] for e in closed.json()["timeline"]]
    assert kinds == ["put", "answered", "follow_up", "answered", "closed"]


def test_the_api_names_every_bad_field_at_once(people):
    member = api_as(people["congress_donghu"])
    bad = member.post(
        "/api/v1/inquiries/",
        {"kind": "question", "subject": "x", "question": "", "deadline": "2001-01-01", "signatories": ["甲"]},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"detail", "errors"}
    assert set(bad.json()["errors"]) == {"question", "deadline", "signatories"}
    assert not Inquiry.objects.exists()


def test_the_api_refuses_roles_and_foreign_objects(people):
    assert (
        api_as(people["donghu"]).post("/api/v1/inquiries/", {"kind": "inquiry"}, format="json").status_code
        == 403
    )
    other = api_as(people["congress_xihu"]).post(
        "/api/v1/inquiries/",
        {"kind": "inquiry", "subject": "s", "question": "q", "deadline": due(), "region": "360102"},
        format="json",
    )
    assert other.status_code == 403
    inquiry = svc.inquiry_put(
        user=people["congress_donghu"],
        kind="inquiry",
        region=people["congress_donghu"].region,
        department=dept("360102", "development_reform"),
        subject="s",
        question="q",
        deadline=svc.today() + timedelta(days=3),
    )
    # another department of the same county: it never sees it (404), so it cannot answer it
    assert (
        api_as(people["energy_donghu"])
        .post(f"/api/v1/inquiries/{inquiry.pk}/answer/", {"text": "x"})
        .status_code
        == 404
    )
    # the county government's staff see it but do not answer for their department (403)
    answer = api_as(people["donghu"]).post(
        f"/api/v1/inquiries/{inquiry.pk}/answer/", {"text": "x"}, format="json"
    )
    assert answer.status_code == 403
    assert api_as(people["congress_xihu"]).get(f"/api/v1/inquiries/{inquiry.pk}/").status_code == 404


def test_the_pages_take_a_member_through_putting_and_closing(people):
    member, staff = client_as(people["congress_donghu"]), client_as(people["ndrc_donghu"])
    ndrc = dept("360102", "development_reform")
    form = member.get("/oversight/inquiries/new/")
    assert form.status_code == 200 and ndrc.name_en in form.content.decode()
    bad = member.post(
        "/oversight/inquiries/new/", {"kind": "inquiry", "subject": "s", "deadline": "2000-01-01"}
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "This field is required." in page and "is in the past" in page
    made = member.post(
        "/oversight/inquiries/new/",
        {
            "kind": "inquiry",
            "addressee": ndrc.pk,
            "subject": "碳排放",
            "question": "进展如何？",
            "deadline": due(),
        },
    )
    inquiry = Inquiry.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/oversight/inquiries/{inquiry.pk}/"
    assert "Send the answer" in staff.get(made["Location"]).content.decode()
    assert "Send the answer" not in client_as(people["donghu"]).get(made["Location"]).content.decode()
    staff.post(f"/oversight/inquiries/{inquiry.pk}/answer/", {"text": "已落实"})
    assert member.post(f"/oversight/inquiries/{inquiry.pk}/close/", {}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.CLOSED
    assert client_as(people["energy_donghu"]).get(f"/oversight/inquiries/{inquiry.pk}/").status_code == 404
    assert (
        client_as(people["congress_xihu"]).post(f"/oversight/inquiries/{inquiry.pk}/close/").status_code
        == 404
    )


def test_the_list_highlights_overdue_ones_and_exports_with_chinese_headers(people):
    inquiry = svc.inquiry_put(
        user=people["congress_donghu"],
        kind="inquiry",
        region=people["congress_donghu"].region,
        subject="逾期的询问",
        question="q",
        deadline=svc.today() + timedelta(days=1),
    )
    Inquiry.objects.filter(pk=inquiry.pk).update(deadline=svc.today() - timedelta(days=2))
    member = client_as(people["congress_donghu"])
    page = member.get("/oversight/inquiries/", {"overdue": "true"}).content.decode()
    assert 'class="is-overdue"' in page and "逾期的询问" in page
    member.cookies["django_language"] = "zh-hans"
    header, rows = xlsx_table(member.get("/oversight/inquiries/", {"export": "xlsx"}).content)
    assert header[:4] == ["编号", "类别", "人大常委会", "答复机关"]
    assert rows[0][4] == "逾期的询问" and rows[0][9] == "是"
    member.cookies["django_language"] = "en"
    header, _rows = xlsx_table(member.get("/oversight/inquiries/", {"export": "xlsx"}).content)
    assert header[:4] == ["No.", "Kind", "Standing committee", "Answering body"]


def test_the_navigation_leads_members_and_addressees_to_inquiries(people):
    for who in ("congress_donghu", "ndrc_donghu", "donghu", "province"):
        assert 'href="/oversight/inquiries/"' in client_as(people[who]).get("/").content.decode(), who
    assert client_as(people["congress_donghu"]).get("/oversight/inquiries/").status_code == 200
