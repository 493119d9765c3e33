"""The tips API: the public's filing and lookup (bad input, floods, signed-in refusal) and the
staff's scoped list, handling steps and statistics."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from apps.disclosure.models import Tip, TipStatus
from tests.disclosure.tip_helpers import PDF, PNG, dept_staff, drc, file_tip, png
from tests.factories import MeasureFactory, dept, user_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/public/tips/"


def _public():
    """A visitor's client (no account), answered in English."""
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


GOOD = {"category": "statistics", "region": "360102", "description": "某企业能耗数据造假。"}


def test_a_visitor_files_a_tip_and_follows_it_by_number():
    api = _public()
    answer = api.post(URL, {**GOOD, "contact": "138 0000 0000"}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert set(body) == {"tracking_number", "status", "due_on"}
    assert body["status"] == "received"
    tip = Tip.objects.get()
    assert tip.display_number == body["tracking_number"] and tip.contact == "138 0000 0000"

    status = api.get(f"{URL}{body['tracking_number']}/")
    assert status.status_code == 200
    assert status.json() == {
        "tracking_number": body["tracking_number"],
        "status": "received",
        "status_label": "Received",
        "reply": "",
        "reply_published_at": None,
    }
    # lower case and without dashes works too; nothing but status and reply is ever shown
    plain = api.get(f"{URL}{body['tracking_number'].replace('-', '').lower()}/")
    assert plain.status_code == 200
    assert "138" not in plain.content.decode() and "能耗" not in plain.content.decode()


@pytest.fixture
def published(monkeypatch):
    """Every figure counts as published (publications are proved in test_publications.py)."""
    monkeypatch.setattr("apps.disclosure.tip_forms.figure_is_published", lambda *args: True)


def test_multipart_with_attachments_a_figure_and_a_measure(published):
    measure = MeasureFactory(plan__code="360100")
    answer = _public().post(
        URL,
        {
            **GOOD,
            "figure": "360102:2023:energy_intensity",
            "measure": str(measure.pk),
            "attachments": [png("site.png"), png("scan.pdf", PDF)],
        },
        format="multipart",
    )
    assert answer.status_code == 201, answer.json()
    tip = Tip.objects.get()
    assert (tip.figure_region.code, tip.figure_year, tip.figure_metric) == (
        "360102",
        2023,
        "energy_intensity",
    )
    assert tip.measure == measure
    assert sorted(a.name for a in tip.attachments.all()) == ["scan.pdf", "site.png"]
    assert {a.content_type for a in tip.attachments.all()} == {"image/png", "application/pdf"}


def test_json_figure_as_an_object_defaults_to_the_tips_region(published):
    answer = _public().post(
        URL, {**GOOD, "figure": {"year": 2022, "metric": "energy_total_assessed"}}, format="json"
    )
    assert answer.status_code == 201
    assert Tip.objects.get().figure_region.code == "360102"


def test_every_error_is_named_at_once():
    answer = _public().post(
        URL,
        {
            "category": "gossip",
            "region": "999999",
            "description": " ",
            "contact": "x" * 201,
            "figure": {"year": 1900, "metric": "no_such_metric"},
            "measure": 99999999,
        },
        format="json",
    )
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"detail", "errors"}
    assert {"category", "region", "description", "contact", "figure"} <= set(body["errors"])
    missing = _public().post(URL, {}, format="json").json()["errors"]
    assert {"category", "region", "description"} <= set(missing)
    bad_figure = _public().post(URL, {**GOOD, "figure": "2023"}, format="json").json()["errors"]
    assert set(bad_figure) == {"figure"}
    assert not Tip.objects.exists()


def test_a_measure_elsewhere_is_refused_naming_the_field():
    measure = MeasureFactory(plan__code="360400")  # Jiujiang's, the tip is about Donghu
    answer = _public().post(URL, {**GOOD, "measure": measure.pk}, format="json")
    assert answer.status_code == 400 and set(answer.json()["errors"]) == {"measure"}


def test_attachments_are_checked_by_content_count_and_size():
    html = png("photo.png", b"<html><script>alert(1)</script></html>")
    answer = _public().post(URL, {**GOOD, "attachments": [html]}, format="multipart")
    assert answer.status_code == 400 and set(answer.json()["errors"]) == {"attachments"}
    too_many = [png(f"p{i}.png") for i in range(4)]
    answer = _public().post(URL, {**GOOD, "attachments": too_many}, format="multipart")
    assert answer.status_code == 400 and set(answer.json()["errors"]) == {"attachments"}
    with override_settings(TIP_ATTACHMENT_MAX_BYTES=50):
        answer = _public().post(URL, {**GOOD, "attachments": [png()]}, format="multipart")
    assert answer.status_code == 400 and "attachments" in answer.json()["errors"]
    with override_settings(TIP_ATTACHMENTS_MAX=1, TIP_ATTACHMENT_MAX_BYTES=100):
        big = png("big.png", PNG + b"0" * 400_000)
        answer = _public().post(URL, {**GOOD, "attachments": [big]}, format="multipart")
    assert answer.status_code == 413
    assert not Tip.objects.exists()


def test_the_honeypot_refuses_a_bot():
    answer = _public().post(URL, {**GOOD, "website": "http://spam.example"}, format="json")
    assert answer.status_code == 400
    assert not Tip.objects.exists()


@pytest.mark.parametrize("role", ["county", "provincial", "admin"])
def test_signed_in_users_are_refused_with_a_clear_message(role):
    api = _public()
    api.force_authenticate(user_for(role))
    answer = api.post(URL, GOOD, format="json")
    assert answer.status_code == 403
    assert "for the public" in answer.json()["detail"]
    assert not Tip.objects.exists()


def test_a_wrong_tracking_number_is_a_404_without_a_hint():
    tip = file_tip()
    api = _public()
    number = tip.tracking_number
    typo = number[:-2] + ("0" if number[-2] != "0" else "1") + number[-1]  # check symbol catches it
    other = "0" * 15
    unknown = other + __import__("apps.disclosure.tracking", fromlist=["x"]).check_symbol(other)
    answers = [api.get(f"{URL}{n}/") for n in (typo, unknown, "garbage", "<script>")]
    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1  # the same body whatever was wrong


@override_settings(TIP_RATE_PER_IP="3/h")
def test_a_flood_from_one_address_gets_429_after_the_limit():
    api = _public()
    codes = [api.post(URL, GOOD, format="json", REMOTE_ADDR="10.0.0.7").status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    # a forged X-Forwarded-For does not make a new client (no trusted proxy configured)
    forged = api.post(URL, GOOD, format="json", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert forged.status_code == 429
    assert set(forged.json()) == {"detail"} and forged["Retry-After"] == "3600"
    assert api.post(URL, GOOD, format="json", REMOTE_ADDR="10.0.0.8").status_code == 201
    assert Tip.objects.count() == 4


@override_settings(TIP_RATE_PER_IP="2/h", TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_client_is_counted():
    api = _public()
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    first = [
        api.post(URL, GOOD, format="json", HTTP_X_FORWARDED_FOR="1.1.1.1", **proxy).status_code
        for _ in range(3)
    ]
    assert first == [201, 201, 429]
    assert api.post(URL, GOOD, format="json", HTTP_X_FORWARDED_FOR="2.2.2.2", **proxy).status_code == 201


@override_settings(TIP_LOOKUP_RATE_PER_IP="3/m")
def test_lookups_are_rate_limited_too():
    api = _public()
    codes = [api.get(f"{URL}{'0' * 16}/").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


# --- staff ---------------------------------------------------------------------------------------------


def _api(user):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    return api


def test_staff_list_is_scoped_and_shows_the_contact_to_handlers_only():
    donghu = file_tip("360102", contact="13800000000")
    file_tip("360400")
    nanchang_drc = drc("360100")
    rows = _api(nanchang_drc).get("/api/v1/tips/").json()["results"]
    assert [r["id"] for r in rows] == [donghu.pk]
    assert rows[0]["contact"] == "13800000000"
    assert _api(drc("360400")).get(f"/api/v1/tips/{donghu.pk}/").status_code == 404
    assert len(_api(user_for("provincial")).get("/api/v1/tips/").json()["results"]) == 2
    for role in ("county", "congress", "city"):
        assert _api(user_for(role)).get("/api/v1/tips/").status_code == 403
    assert _public().get("/api/v1/tips/").status_code in (401, 403)
    filtered = _api(user_for("provincial")).get("/api/v1/tips/", {"region": "360400"}).json()["results"]
    assert len(filtered) == 1 and filtered[0]["region"] == "360400"


def test_staff_route_investigate_answer_publish_and_the_public_sees_the_reply():
    tip = file_tip("360102")
    triager, answerer = drc("360100"), dept_staff("360100", "statistics")
    statistics = dept("360100", "statistics")
    # the department cannot route; the triager can
    assert (
        _api(answerer).post(f"/api/v1/tips/{tip.pk}/route/", {"department": statistics.pk}).status_code == 404
    )
    routed = _api(triager).post(f"/api/v1/tips/{tip.pk}/route/", {"department": statistics.pk}, format="json")
    assert routed.status_code == 200 and routed.json()["status"] == "assigned"
    assert (
        _api(triager).post(f"/api/v1/tips/{tip.pk}/answer/", {"reply": "x"}, format="json").status_code == 403
    )
    api = _api(answerer)
    assert (
        api.post(f"/api/v1/tips/{tip.pk}/investigate/", {}, format="json").json()["status"] == "investigating"
    )
    again = api.post(f"/api/v1/tips/{tip.pk}/investigate/", {}, format="json")
    assert again.status_code == 409 and set(again.json()) == {"detail"}
    answered = api.post(f"/api/v1/tips/{tip.pk}/answer/", {"reply": "<b>已核实</b>"}, format="json")
    assert answered.json()["status"] == "answered"
    public = _public().get(f"{URL}{tip.display_number}/").json()
    assert public["status"] == "answered" and public["reply"] == ""
    assert api.post(f"/api/v1/tips/{tip.pk}/publish-reply/").status_code == 200
    public = _public().get(f"{URL}{tip.display_number}/").json()
    assert public["reply"] == "<b>已核实</b>" and public["reply_published_at"]
    closed = _api(triager).post(f"/api/v1/tips/{tip.pk}/close/", {}, format="json")
    assert closed.json()["status"] == TipStatus.CLOSED


def test_route_by_sector_and_errors_name_the_field():
    tip = file_tip("360102")
    api = _api(user_for("provincial"))
    assert api.post(f"/api/v1/tips/{tip.pk}/route/", {}, format="json").json()["errors"].keys() == {
        "department"
    }
    far = dept("360400", "statistics")
    refused = api.post(f"/api/v1/tips/{tip.pk}/route/", {"department": far.pk}, format="json")
    assert refused.status_code == 400 and "department" in refused.json()["errors"]
    routed = api.post(f"/api/v1/tips/{tip.pk}/route/", {"sector": "transport"}, format="json").json()
    assert routed["department"] == dept("360102", "transport").pk


def test_statistics_api_is_scoped():
    file_tip("360102")
    file_tip("360400")
    assert _api(user_for("provincial")).get("/api/v1/tips/statistics/").json()["total"] == 2
    county = _api(user_for("county")).get("/api/v1/tips/statistics/").json()
    assert county["total"] == 1 and [r["code"] for r in county["by_region"]] == ["360102"]
    assert _api(user_for("county")).get("/api/v1/tips/statistics/", {"region": "360400"}).status_code == 404
    assert _public().get("/api/v1/tips/statistics/").status_code in (401, 403)


def test_the_schema_documents_the_tip_endpoints():
    api = _api(user_for("admin"))
    schema = api.get("/api/schema/", {"format": "json"}).json()
    filing = schema["paths"]["/api/v1/public/tips/"]["post"]
    assert "201" in filing["responses"] and "429" in filing["responses"]
    assert {"application/json", "multipart/form-data"} <= set(filing["requestBody"]["content"])
    assert "/api/v1/public/tips/{tracking_number}/" in schema["paths"]
    assert "/api/v1/tips/{id}/route/" in schema["paths"]
    assert "/api/v1/tips/statistics/" in schema["paths"]
