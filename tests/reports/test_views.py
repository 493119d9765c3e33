"""The server-rendered UI: scoping (404 for what one may not read, 403 for refused writes),
the form that never loses input, exports, attachments, templates and the import page."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from apps.reports import services
from apps.reports.models import Report, ReportStatus
from tests.factories import GOOD_VALUES, make_report
from tests.reports.test_import import WORKED
from tests.xlsx import header_row_of, xlsx_table

pytestmark = pytest.mark.django_db
S = ReportStatus
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def form_data(values=GOOD_VALUES, **extra):
    data = {f"value_{k}": str(v) for k, v in values.items()}
    data.update(extra)
    return data


@pytest.fixture
def login(client, users):
    def as_(who):
        client.force_login(users[who])
        return client

    return as_


def report_urls(report):
    pk = report.pk
    return [
        f"/reports/{pk}/",
        f"/reports/{pk}/edit/",
        f"/reports/{pk}/template.xlsx",
    ]


def post_urls(report):
    pk = report.pk
    return [f"/reports/{pk}/{a}/" for a in ("submit", "forward", "return", "approve", "open-revision")] + [
        f"/reports/{pk}/upload/",
        f"/reports/{pk}/attachments/",
    ]


# --- scoping --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.DRAFT, S.RETURNED, S.SUBMITTED, S.FORWARDED, S.APPROVED])
def test_a_county_user_can_never_reach_a_sibling_countys_report(login, status):
    report = make_report("360103", 2024, status)
    client = login("donghu")
    for url in report_urls(report):
        assert client.get(url).status_code == 404, url
    for url in post_urls(report):
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    assert client.post(f"/reports/{report.pk}/edit/", form_data()).status_code == 404
    assert report.values.get(indicator__code="energy_total").value == Decimal("500")
    Report.objects.filter(pk=report.pk, status=status).get()  # unchanged


@pytest.mark.parametrize("who", ["nanchang", "province", "congress", "dept", "xihu"])
def test_drafts_are_private_to_their_region(login, who):
    report = make_report("360102", 2024, S.DRAFT)
    client = login(who)
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    body = client.get("/reports/").content.decode()
    assert f"/reports/{report.pk}/" not in body
    assert "360102" not in client.get("/reports/export/values.csv").content.decode()


def test_the_city_sees_a_county_report_from_submission_on(login):
    report = make_report("360102", 2024, S.SUBMITTED)
    client = login("nanchang")
    assert client.get(f"/reports/{report.pk}/").status_code == 200
    assert f"/reports/{report.pk}/" in client.get("/reports/").content.decode()


def test_refused_writes_on_readable_reports_are_403(login):
    report = make_report("360102", 2024, S.SUBMITTED)
    city = login("nanchang")
    assert city.get(f"/reports/{report.pk}/edit/").status_code == 403
    assert city.post(f"/reports/{report.pk}/approve/").status_code == 403
    county = login("donghu")
    assert county.post(f"/reports/{report.pk}/forward/").status_code == 403
    assert county.post(f"/reports/{report.pk}/approve/").status_code == 403
    report.refresh_from_db()
    assert report.status == S.SUBMITTED


def test_congress_members_see_approved_reports_only(login):
    approved = make_report("360102", 2023, S.APPROVED)
    submitted = make_report("360102", 2024, S.SUBMITTED)
    client = login("congress")
    assert client.get(f"/reports/{approved.pk}/").status_code == 200
    assert client.get(f"/reports/{submitted.pk}/").status_code == 404
    assert "1 report" in client.get("/reports/").content.decode()


def test_anonymous_users_are_sent_to_the_login_page(client):
    report = make_report("360102", 2024, S.APPROVED)
    for url in ["/reports/", "/reports/mine/", f"/reports/{report.pk}/", "/reports/import/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_review_queues_need_the_reviewer_action(login):
    assert login("donghu").get("/reports/queue/city/").status_code == 403
    assert login("nanchang").get("/reports/queue/province/").status_code == 403
    assert login("province").get("/reports/queue/city/").status_code == 403
    make_report("360102", 2024, S.SUBMITTED)
    body = login("nanchang").get("/reports/queue/city/").content.decode()
    assert "东湖区" in body


# --- lists, filters, export -----------------------------------------------------------------


def test_list_filters_by_region_city_year_and_status(login):
    make_report("360102", 2023, S.APPROVED)
    make_report("360102", 2024, S.SUBMITTED)
    make_report("360402", 2024, S.APPROVED)
    client = login("province")
    assert "3 reports" in client.get("/reports/").content.decode()
    assert "1 report" in client.get("/reports/", {"year": 2024, "city": "360100"}).content.decode()
    assert "2 reports" in client.get("/reports/", {"status": "approved"}).content.decode()
    assert "1 report" in client.get("/reports/", {"region": "360402"}).content.decode()
    assert "0 reports" in client.get("/reports/", {"year": "abc"}).content.decode()


def test_exports_respect_scoping_and_filters(login):
    make_report("360102", 2023, S.APPROVED)
    make_report("360103", 2023, S.APPROVED)
    client = login("donghu")
    csv_text = client.get("/reports/export/values.csv").content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0] == "region_code,year,indicator,value,note,unit,revision,status"
    assert {line.split(",")[0] for line in lines[1:]} == {"360102"}
    response = login("province").get("/reports/export/reports.xlsx", {"region": "360103"})
    header, rows = xlsx_table(response.content)
    assert header[:2] == ["Region", "Region code"] and [row[1] for row in rows] == ["360103"]
    assert client.get("/reports/export/values.pdf").status_code == 404


# --- my reports and the form ----------------------------------------------------------------


def test_start_a_report_from_my_reports(login, users):
    client = login("donghu")
    response = client.post("/reports/mine/", {"year": 2024})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/edit/"
    assert report.region == users["donghu"].region
    assert "2100" in client.post("/reports/mine/", {"year": 2100}).content.decode()


def test_form_saves_what_it_can_and_shows_unreadable_input_back(login):
    report = make_report("360102", 2024, S.DRAFT, {})
    client = login("donghu")
    response = client.post(
        f"/reports/{report.pk}/edit/",
        form_data(
            {**GOOD_VALUES, "energy_coal": "three hundred"},
            note_energy_total="estimate",
            section_energy="Coal boilers replaced.",
            action="save",
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="three hundred"' in body  # the input is not lost
    assert "is not a number" in body
    values = dict(report.values.values_list("indicator__code", "value"))
    assert values["energy_total"] == Decimal("500") and "energy_coal" not in values
    assert report.sections.get(area="energy").text == "Coal boilers replaced."


def test_form_saves_a_draft_with_validation_errors_and_refuses_to_submit_it(login):
    report = make_report("360102", 2024, S.DRAFT, {})
    client = login("donghu")
    response = client.post(
        f"/reports/{report.pk}/edit/", form_data({**GOOD_VALUES, "energy_total": "900"}, action="submit")
    )
    assert response.status_code == 200
    assert "cannot be submitted" in response.content.decode()
    report.refresh_from_db()
    assert report.status == S.DRAFT
    assert report.values.get(indicator__code="energy_total").value == Decimal("900")


def test_form_save_and_submit(login):
    report = make_report("360102", 2024, S.DRAFT, {})
    response = login("donghu").post(f"/reports/{report.pk}/edit/", form_data(action="submit"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == S.SUBMITTED


def test_form_has_labels_units_and_last_years_value(login):
    make_report("360102", 2023, S.APPROVED, {**GOOD_VALUES, "energy_total": Decimal("400")})
    report = make_report("360102", 2024, S.DRAFT)
    body = login("donghu").get(f"/reports/{report.pk}/edit/").content.decode()
    assert '<label for="id_value_energy_total">' in body
    assert "万吨标准煤" in body or "10^4 tce" in body
    assert "+25.0%" in body  # 400 → 500
    assert 'name="action" value="submit"' in body


def test_a_submitted_report_cannot_be_edited(login):
    report = make_report("360102", 2024, S.SUBMITTED)
    response = login("donghu").get(f"/reports/{report.pk}/edit/")
    assert response.status_code == 302


# --- workflow buttons -----------------------------------------------------------------------


def test_workflow_through_the_ui(login):
    report = make_report("360102", 2024, S.DRAFT)
    assert login("donghu").post(f"/reports/{report.pk}/submit/").status_code == 302
    page = login("nanchang").get(f"/reports/{report.pk}/").content.decode()
    assert "/forward/" in page and "/approve/" not in page
    login("nanchang").post(f"/reports/{report.pk}/forward/", {"comment": "ok"})
    page = login("province").get(f"/reports/{report.pk}/").content.decode()
    assert "/approve/" in page
    login("province").post(f"/reports/{report.pk}/approve/")
    report.refresh_from_db()
    assert report.status == S.APPROVED
    donghu = login("donghu")
    donghu.cookies["django_language"] = "en"
    page = donghu.get(f"/reports/{report.pk}/").content.decode()
    assert "/open-revision/" in page and "/edit/" not in page
    timeline = page[page.index('id="h-timeline"') :]
    assert [
        k
        for k in ("Submitted", "Forwarded to the province", "Approved")
        if f"<strong>{k}</strong>" in timeline
    ] == [
        "Submitted",
        "Forwarded to the province",
        "Approved",
    ]
    assert "Reason: ok" in timeline


def test_return_with_field_reasons_and_wrong_state_message(login):
    report = make_report("360102", 2024, S.SUBMITTED)
    client = login("nanchang")
    client.post(f"/reports/{report.pk}/return/", {"reason": "Coal?", "field_energy_coal": "Too low"})
    report.refresh_from_db()
    assert report.status == S.RETURNED and report.return_field_reasons == {"energy_coal": "Too low"}
    page = login("donghu").get(f"/reports/{report.pk}/edit/").content.decode()
    assert "Too low" in page and "Coal?" in page
    response = login("nanchang").post(f"/reports/{report.pk}/return/", {"reason": "again"})
    assert response.status_code == 404  # returned: private to the county again


def test_open_revision_and_diff_on_the_page(login):
    first = make_report("360102", 2023, S.APPROVED)
    client = login("donghu")
    response = client.post(f"/reports/{first.pk}/open-revision/", {"reason": "Coal corrected"})
    revision = Report.objects.get(revision=2)
    assert response["Location"] == f"/reports/{revision.pk}/"
    client.post(
        f"/reports/{revision.pk}/edit/", form_data({**GOOD_VALUES, "energy_coal": "310"}, action="save")
    )
    page = client.get(f"/reports/{revision.pk}/").content.decode()
    assert "Coal corrected" in page
    assert "310" in page and 'id="h-diff"' in page


# --- attachments and templates --------------------------------------------------------------


def test_attachment_upload_download_and_remove(login, users):
    report = make_report("360102", 2024, S.DRAFT)
    client = login("donghu")
    client.post(f"/reports/{report.pk}/attachments/", {"file": SimpleUploadedFile("plan.pdf", PDF)})
    attachment = report.attachments.get()
    assert attachment.content_type == "application/pdf"
    response = client.get(f"/reports/{report.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert login("xihu").get(f"/reports/{report.pk}/attachments/{attachment.pk}/").status_code == 404
    assert login("nanchang").get(f"/reports/{report.pk}/attachments/{attachment.pk}/").status_code == 404
    client = login("donghu")
    client.post(f"/reports/{report.pk}/attachments/{attachment.pk}/remove/")
    assert not report.attachments.exists()


def test_attachment_of_another_report_is_not_reachable_through_mine(login, users):
    other = make_report("360103", 2024, S.DRAFT)
    services.attachment_add(user=users["xihu"], report=other, upload=SimpleUploadedFile("a.pdf", PDF))
    mine = make_report("360102", 2024, S.DRAFT)
    attachment = other.attachments.get()
    assert login("donghu").get(f"/reports/{mine.pk}/attachments/{attachment.pk}/").status_code == 404


TEMPLATE_HEADERS = {
    "en": [
        "Indicator code",
        "Indicator name",
        "Unit",
        "Required",
        "Checks",
        "Last year's value",
        "Value",
        "Note",
    ],
    "zh-hans": ["指标代码", "指标名称", "单位", "必填", "校验规则", "上年数值", "数值", "备注"],
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_template_download_and_upload(login, language):
    """The template has a title and instructions above a header in the user's language, and it
    imports again in either language."""
    make_report("360102", 2023, S.APPROVED)
    report = make_report("360102", 2024, S.DRAFT, {"energy_total": Decimal("500")})
    client = login("donghu")
    client.cookies["django_language"] = language
    response = client.get(f"/reports/{report.pk}/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["values"]
    header_at = header_row_of(sheet)
    assert header_at > 2 and "2024" in sheet["A1"].value
    header = [c.value for c in sheet[header_at]]
    assert header == TEMPLATE_HEADERS[language]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=header_at + 1, values_only=True)}
    assert rows["energy_total"][5] == 500 and rows["energy_total"][6] == 500
    assert "80" in rows["gdp_index"][4]
    for row in sheet.iter_rows(min_row=header_at + 1):
        if row[0].value in GOOD_VALUES:
            row[6].value = float(GOOD_VALUES[row[0].value])
        if row[0].value == "nev_share":
            row[6].value = "lots"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        f"/reports/{report.pk}/upload/", {"file": SimpleUploadedFile("t.xlsx", buffer.getvalue())}
    )
    assert response.status_code == 302
    values = dict(report.values.values_list("indicator__code", "value"))
    assert values["energy_coal"] == Decimal("300") and "nev_share" not in values


def test_template_of_another_report_is_refused(login):
    other = make_report("360102", 2023, S.DRAFT)
    report = make_report("360102", 2024, S.DRAFT, {})
    client = login("donghu")
    content = client.get(f"/reports/{other.pk}/template.xlsx").content
    client.post(f"/reports/{report.pk}/upload/", {"file": SimpleUploadedFile("t.xlsx", content)})
    assert not report.values.exists()


# --- import page ----------------------------------------------------------------------------


def test_import_page_for_provincial_officials_with_approve(login):
    client = login("province")
    assert 'name="approve"' in client.get("/reports/import/").content.decode()
    response = client.post(
        "/reports/import/",
        {"file": SimpleUploadedFile("worked_values.csv", WORKED.read_bytes()), "approve": "on"},
    )
    assert response.status_code == 200
    assert Report.objects.filter(status=S.APPROVED).count() == 3


def test_import_page_shows_row_errors_and_saves_nothing(login):
    response = login("province").post(
        "/reports/import/",
        {"file": SimpleUploadedFile("v.csv", b"region_code,year,indicator,value\n1,2,3,4\n")},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Row 2:" in body
    assert not Report.objects.exists()


def test_import_page_refuses_approve_without_the_right_and_roles_without_import(login):
    client = login("nanchang")
    assert 'name="approve"' not in client.get("/reports/import/").content.decode()
    response = client.post(
        "/reports/import/",
        {"file": SimpleUploadedFile("worked_values.csv", WORKED.read_bytes()), "approve": "on"},
    )
    assert response.status_code == 403
    assert login("congress").get("/reports/import/").status_code == 403
    assert not Report.objects.exists()


def test_navigation_entries_follow_the_actions(login):
    from apps.accounts.navigation import items_for

    def labels(who):
        return {str(i["url"]) for i in items_for(login(who).get("/").wsgi_request.user)}

    assert {"/reports/mine/", "/reports/"} <= labels("donghu")
    assert "/reports/queue/city/" not in labels("donghu")
    assert "/reports/queue/city/" in labels("nanchang")
    assert "/reports/queue/province/" in labels("province")
    assert "/reports/mine/" not in labels("congress") and "/reports/import/" not in labels("congress")


def test_every_ui_write_is_403_for_a_reader_without_the_right(login):
    submitted = make_report("360102", 2024, S.SUBMITTED)
    approved = make_report("360102", 2023, S.APPROVED)
    city = login("nanchang")  # reads both reports, edits neither
    pdf = SimpleUploadedFile("a.pdf", PDF)
    assert city.post(f"/reports/{submitted.pk}/edit/", form_data()).status_code == 403
    assert city.post(f"/reports/{submitted.pk}/submit/").status_code == 403
    assert city.post(f"/reports/{submitted.pk}/attachments/", {"file": pdf}).status_code == 403
    assert city.post(f"/reports/{submitted.pk}/upload/", {"file": pdf}).status_code == 403
    assert city.post(f"/reports/{approved.pk}/open-revision/", {"reason": "x"}).status_code == 403
    county = login("donghu")
    assert county.post(f"/reports/{submitted.pk}/return/", {"reason": "x"}).status_code == 403
    dept = login("dept")
    assert dept.post(f"/reports/{submitted.pk}/forward/").status_code == 403
    assert dept.post(f"/reports/{approved.pk}/open-revision/", {"reason": "x"}).status_code == 403
    assert Report.objects.count() == 2 and not submitted.attachments.exists()
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
