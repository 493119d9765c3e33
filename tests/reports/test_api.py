"""REST API: scoped lists and details (404 outside), actions (403 refused, 409 wrong state,
400 bad input), draft saving, import, export and the values list."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.reports.models import Report, ReportStatus
from tests.factories import GOOD_VALUES, make_report
from tests.reports.test_import import WORKED
from tests.xlsx import xlsx_table

pytestmark = pytest.mark.django_db
S = ReportStatus
ACTIONS = ("submit", "forward", "return", "approve", "open-revision")


@pytest.fixture
def api(users):
    def as_(who):
        client = APIClient()
        client.force_authenticate(users[who])
        return client

    return as_


def test_anonymous_calls_are_401():
    client = APIClient()
    assert client.get("/api/v1/reports/").status_code == 401
    assert client.get("/api/v1/report-values/").status_code == 401
    assert client.post("/api/v1/reports/import/").status_code == 401


def test_list_is_scoped_and_filtered(api):
    make_report("360102", 2023, S.APPROVED)
    make_report("360102", 2024, S.DRAFT)
    make_report("360103", 2024, S.SUBMITTED)
    make_report("360402", 2024, S.APPROVED)
    data = api("donghu").get("/api/v1/reports/").json()
    assert {(r["region_code"], r["year"]) for r in data["results"]} == {("360102", 2023), ("360102", 2024)}
    data = api("province").get("/api/v1/reports/", {"year": 2024}).json()
    assert {r["region_code"] for r in data["results"]} == {"360103", "360402"}
    data = api("province").get("/api/v1/reports/", {"city": "360100"}).json()
    assert {r["region_code"] for r in data["results"]} == {"360102", "360103"}
    data = api("province").get("/api/v1/reports/", {"status": "approved", "region": "360402"}).json()
    assert data["count"] == 1
    assert data["results"][0]["values"][0].keys() >= {"indicator", "value", "unit", "note"}
    assert api("congress").get("/api/v1/reports/").json()["count"] == 2


def test_list_query_count_does_not_grow_with_the_number_of_reports(api):
    for year in (2020, 2021, 2022, 2023):
        make_report("360102", year, S.APPROVED)
    client = api("province")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/reports/")
    for year in (2016, 2017, 2018, 2019):
        make_report("360103", year, S.APPROVED)
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/reports/")
    assert len(many) == len(few)


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.APPROVED])
def test_a_sibling_countys_report_is_404_for_every_call(api, status):
    report = make_report("360103", 2024, status)
    client = api("donghu")
    assert client.get(f"/api/v1/reports/{report.pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/reports/{report.pk}/", {"values": {"energy_total": "1"}}, format="json"
        ).status_code
        == 404
    )
    for action in ACTIONS:
        assert client.post(f"/api/v1/reports/{report.pk}/{action}/", {"reason": "x"}).status_code == 404
    for path in ("diff", "validation", "template"):
        assert client.get(f"/api/v1/reports/{report.pk}/{path}/").status_code == 404
    assert client.get("/api/v1/report-values/", {"report": report.pk}).json()["count"] == 0
    report.refresh_from_db()
    assert report.status == status


def test_create_save_and_submit_through_the_api(api):
    client = api("donghu")
    response = client.post("/api/v1/reports/", {"region_code": "360102", "year": 2024}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert (
        client.post("/api/v1/reports/", {"region_code": "360102", "year": 2024}, format="json").status_code
        == 200
    )
    response = client.patch(
        f"/api/v1/reports/{pk}/",
        {"values": {"energy_total": "500", "energy_coal": "-1"}, "sections": {"energy": "Text"}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert any(e["field"] == "energy_coal" and e["code"] == "non_negative" for e in body["errors"])
    assert body["report"]["sections"] == {"energy": "Text"}
    assert client.post(f"/api/v1/reports/{pk}/submit/").status_code == 400  # errors block submission
    values = {k: str(v) for k, v in GOOD_VALUES.items()}
    assert client.patch(f"/api/v1/reports/{pk}/", {"values": values}, format="json").status_code == 200
    response = client.post(f"/api/v1/reports/{pk}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    response = client.patch(f"/api/v1/reports/{pk}/", {"values": {"energy_total": "1"}}, format="json")
    assert response.status_code == 409


def test_create_refused_outside_own_region_and_bad_input(api):
    assert api("donghu").post("/api/v1/reports/", {"region_code": "360103", "year": 2024}).status_code == 403
    assert (
        api("province").post("/api/v1/reports/", {"region_code": "360102", "year": 2024}).status_code == 403
    )
    assert api("donghu").post("/api/v1/reports/", {"region_code": "999999", "year": 2024}).status_code == 400
    assert api("donghu").post("/api/v1/reports/", {"region_code": "360102", "year": 2099}).status_code == 400
    report = make_report("360102", 2024)
    response = api("donghu").patch(
        f"/api/v1/reports/{report.pk}/", {"values": {"energy_total": "x"}}, format="json"
    )
    assert response.status_code == 400 and "energy_total" in response.json()["errors"]


def test_full_workflow_and_refusals_through_the_api(api):
    report = make_report("360102", 2024, S.DRAFT)
    url = f"/api/v1/reports/{report.pk}"
    assert api("donghu").post(f"{url}/approve/").status_code == 403
    assert api("donghu").post(f"{url}/submit/").status_code == 200
    assert api("province").post(f"{url}/approve/").status_code == 409  # the city reviews first
    assert api("province").post(f"{url}/forward/").status_code == 403
    assert api("jiujiang").post(f"{url}/forward/").status_code == 404  # not theirs to read
    assert api("congress").post(f"{url}/forward/").status_code == 404
    assert api("dept").post(f"{url}/forward/").status_code == 403  # reads it, may not review it
    assert api("nanchang").post(f"{url}/forward/", {"comment": "ok"}).status_code == 200
    assert api("nanchang").post(f"{url}/forward/").status_code == 409
    assert api("nanchang").post(f"{url}/approve/").status_code == 403
    response = api("province").post(f"{url}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert [e["kind"] for e in response.json()["events"]] == ["submitted", "forwarded", "approved"]
    assert api("province").post(f"{url}/approve/").status_code == 409
    assert api("xihu").post(f"{url}/open-revision/", {"reason": "x"}).status_code == 404
    assert api("nanchang").post(f"{url}/open-revision/", {"reason": "x"}).status_code == 403
    assert api("donghu").post(f"{url}/open-revision/", {"reason": ""}).status_code == 400
    response = api("donghu").post(f"{url}/open-revision/", {"reason": "Coal corrected"}, format="json")
    assert response.status_code == 201 and response.json()["revision"] == 2
    revision = response.json()["id"]
    assert api("donghu").post(f"{url}/open-revision/", {"reason": "again"}).status_code == 409
    api("donghu").patch(
        f"/api/v1/reports/{revision}/",
        {"values": {"energy_coal": "301", "energy_total": "501"}},
        format="json",
    )
    diff = api("donghu").get(f"/api/v1/reports/{revision}/diff/").json()
    assert {c["code"] for c in diff["values"]} == {"energy_coal", "energy_total"}
    assert api("donghu").get(f"{url}/diff/").status_code == 404  # revision 1 has no predecessor


def test_return_through_the_api(api):
    report = make_report("360102", 2024, S.SUBMITTED)
    url = f"/api/v1/reports/{report.pk}/return/"
    assert api("donghu").post(url, {"reason": "x"}).status_code == 403
    assert api("jiujiang").post(url, {}, format="json").status_code == 404
    assert api("nanchang").post(url, {}, format="json").status_code == 400
    response = api("nanchang").post(
        url, {"reason": "Check coal", "field_reasons": {"energy_coal": "low"}}, format="json"
    )
    assert response.status_code == 200 and response.json()["return_field_reasons"] == {"energy_coal": "low"}
    report.refresh_from_db()
    assert report.status == S.RETURNED


def test_refused_user_with_a_bad_body_still_gets_403(api):
    report = make_report("360102", 2024, S.SUBMITTED)
    assert api("dept").post(f"/api/v1/reports/{report.pk}/return/", {}, format="json").status_code == 403


def test_report_values_list_is_scoped_with_filters(api):
    make_report("360102", 2023, S.APPROVED)
    first = make_report("360103", 2023, S.APPROVED)
    make_report(
        "360103",
        2023,
        S.SUBMITTED,
        {**GOOD_VALUES, "energy_total": Decimal("501")},
        revision=2,
        previous=first,
    )
    make_report("360102", 2024, S.DRAFT)
    client = api("nanchang")
    data = client.get("/api/v1/report-values/", {"indicator": "energy_total"}).json()
    assert {(r["region_code"], r["revision"]) for r in data["results"]} == {
        ("360102", 1),
        ("360103", 1),
        ("360103", 2),
    }
    data = client.get("/api/v1/report-values/", {"indicator": "energy_total", "in_force": "true"}).json()
    assert {(r["region_code"], r["value"]) for r in data["results"]} == {
        ("360102", "500.000000"),
        ("360103", "500.000000"),
    }
    assert api("donghu").get("/api/v1/report-values/", {"region": "360103"}).json()["count"] == 0


def test_import_endpoint(api):
    client = api("province")
    response = client.post(
        "/api/v1/reports/import/",
        {"file": SimpleUploadedFile("worked_values.csv", WORKED.read_bytes()), "approve": "true"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert len(response.json()["approved"]) == 3
    response = client.post(
        "/api/v1/reports/import/",
        {
            "file": SimpleUploadedFile(
                "bad.csv", b"region_code,year,indicator,value\n360100,2021,gdp_index,abc\n"
            )
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 2, "message": "value: “abc” is not a number."}]
    garbage = SimpleUploadedFile("garbage.csv", b"\x00\xff" * 1024 * 1024)
    response = client.post("/api/v1/reports/import/", {"file": garbage}, format="multipart")
    assert response.status_code == 400 and len(response.json()["errors"]) == 1
    response = api("nanchang").post(
        "/api/v1/reports/import/",
        {"file": SimpleUploadedFile("worked_values.csv", WORKED.read_bytes()), "approve": "true"},
        format="multipart",
    )
    assert response.status_code == 403
    assert (
        api("congress")
        .post("/api/v1/reports/import/", {"file": SimpleUploadedFile("v.csv", b"x")})
        .status_code
        == 403
    )


def test_export_endpoint_is_scoped(api):
    make_report("360102", 2023, S.APPROVED)
    make_report("360103", 2023, S.APPROVED)
    response = api("donghu").get("/api/v1/reports/export/", {"content": "values", "file_format": "csv"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert {line.split(",")[0] for line in lines[1:]} == {"360102"}
    response = api("province").get("/api/v1/reports/export/", {"file_format": "xlsx", "region": "360103"})
    header, rows = xlsx_table(response.content)
    assert header[:2] == ["Region", "Region code"] and [r[1] for r in rows] == ["360103"]
    assert api("province").get("/api/v1/reports/export/", {"file_format": "pdf"}).status_code == 400


def test_attachments_through_the_api(api):
    report = make_report("360102", 2024)
    pdf = b"%PDF-1.4 test"
    client = api("donghu")
    response = client.post(
        f"/api/v1/reports/{report.pk}/attachments/",
        {"file": SimpleUploadedFile("a.pdf", pdf)},
        format="multipart",
    )
    assert response.status_code == 201
    attachment = response.json()["id"]
    response = client.get(f"/api/v1/reports/{report.pk}/attachments/{attachment}/")
    assert b"".join(response.streaming_content) == pdf
    bad = client.post(
        f"/api/v1/reports/{report.pk}/attachments/",
        {"file": SimpleUploadedFile("a.pdf", b"MZ")},
        format="multipart",
    )
    assert bad.status_code == 400
    assert api("xihu").get(f"/api/v1/reports/{report.pk}/attachments/{attachment}/").status_code == 404
    assert client.delete(f"/api/v1/reports/{report.pk}/attachments/{attachment}/").status_code == 204
    assert not report.attachments.exists()
    assert Report.objects.count() == 1


def test_every_api_write_is_403_for_a_reader_without_the_right(api):
    submitted = make_report("360102", 2024, S.SUBMITTED)
    approved = make_report("360102", 2023, S.APPROVED)
    city = api("nanchang")
    assert (
        city.patch(
            f"/api/v1/reports/{submitted.pk}/", {"values": {"energy_total": "1"}}, format="json"
        ).status_code
        == 403
    )
    assert city.post(f"/api/v1/reports/{submitted.pk}/submit/").status_code == 403
    response = city.post(
        f"/api/v1/reports/{submitted.pk}/attachments/",
        {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
        format="multipart",
    )
    assert response.status_code == 403
    assert city.post(f"/api/v1/reports/{approved.pk}/open-revision/", {"reason": "x"}).status_code == 403
    assert api("donghu").post(f"/api/v1/reports/{submitted.pk}/return/", {"reason": "x"}).status_code == 403
    assert (
        api("congress").post(f"/api/v1/reports/{approved.pk}/open-revision/", {"reason": "x"}).status_code
        == 403
    )
    assert Report.objects.count() == 2 and not submitted.attachments.exists()
