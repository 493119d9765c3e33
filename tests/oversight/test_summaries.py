"""Oversight summaries (issue 14, items 2, 3, 6): contents gathered from stored figures, the PDF
(CJK fonts embedded, "— N —" page numbers), the DOCX, the draft → reviewed → issued workflow with
frozen editions, corrections with what changed, scoping (404 outside), the API and the command."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from docx import Document
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.core.editions import edition_verify
from apps.core.models import FrozenEdition, FrozenError
from apps.monitoring import services as monitoring_services
from apps.monitoring.models import Assessment
from apps.oversight import documents, summaries
from apps.oversight import summary_contents as contents
from apps.oversight.models import SUMMARY_KIND, SummaryStatus
from apps.regions.selectors import by_code
from apps.targets.models import RegionTarget
from tests.factories import user_with

COUNTY_YEAR = 2024  # Donghu's latest approved year in the demo data
CITY_YEAR = 2025


def _issue(user, region, year, reason=""):
    summaries.summary_save(
        user=user, region=region, year=year, next_steps="一、加快产业结构调整。\n二、严控能耗。"
    )
    summaries.summary_review(user=user, region=region, year=year)
    return summaries.summary_issue(user=user, region=region, year=year, correction_reason=reason)


def _file(edition, fmt: str) -> bytes:
    row = edition.files.get(name__endswith=f".{fmt}")
    with row.file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def donghu(demo):
    return User.objects.get(username="donghu")


# --- contents -------------------------------------------------------------------------------------


def test_the_summary_states_the_six_warnings_with_their_rules_grade_and_regions_behind(demo):
    nanchang = by_code("360100")
    figures = summaries.gather(nanchang, CITY_YEAR)
    assert [w["metric"] for w in figures["warnings"]] == list(summaries.metrics.WARNING_METRICS)
    stored = dict(
        Assessment.objects.filter(
            region=nanchang, year=CITY_YEAR, metric__endswith="warning_progress"
        ).values_list("metric", "level")
    )
    assert {w["metric"]: w["level"] for w in figures["warnings"] if w["metric"] in stored} == stored
    with translation.override("zh-hans"):
        body = documents.render_body(figures)
    for heading in ("一、基本情况", "二、工作进展和成效", "三、存在的问题", "四、下一步工作", "五、附表"):
        assert heading in body
    for name in ("能耗强度年度预警", "能耗强度进度预警", "能源消费总量预警", "非化石能源比重预警"):
        assert name in body
    assert "R_t" in body or "r_t" in body  # each warning's rule is stated
    assert "考核等级" in body or "等级" in body
    behind = contents.behind_target(figures)
    for child in behind:
        assert child["name"] in body  # named, not coded
    assert contents.version_text(figures) in body


def test_the_sections_of_other_apps_plug_into_the_problems(demo):
    section = contents.SummarySection(
        "test_open_rectifications",
        "Open rectification tasks",
        (("region", "Region"), ("task", "Task")),
        lambda region, year, on: [{"region": region.name, "task": "整改任务甲"}],
    )
    contents.register_section(section)
    try:
        figures = summaries.gather(by_code("360100"), CITY_YEAR)
        assert figures["sections"]["test_open_rectifications"] == [{"region": "南昌市", "task": "整改任务甲"}]
        with translation.override("en"):
            assert "整改任务甲" in documents.render_body(figures)
    finally:
        contents._REGISTERED.pop("test_open_rectifications")


def test_a_region_year_without_figures_has_no_summary(demo):
    with pytest.raises(summaries.SummaryUnavailable):
        summaries.gather(by_code("360102"), 2099)


def test_the_pdf_embeds_cjk_fonts_and_numbers_its_pages(demo, tmp_path):
    figures = summaries.gather(by_code("360102"), COUNTY_YEAR)
    path = tmp_path / "summary.pdf"
    path.write_bytes(documents.render(figures, "pdf"))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert any("CJK" in row[0] for row in rows), fonts
    # every font embedded (emb = yes): no reader substitutes boxes for the Chinese glyphs
    assert rows and all(row[-5] == "yes" for row in rows), fonts  # the "emb" column
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    numbered = [page for page in pages if page.strip()]
    assert len(numbered) >= 2
    for n, page in enumerate(numbered, start=1):  # pdftotext drops the spaces of "— N —"
        assert page.rstrip().replace(" ", "").endswith(f"—{n}—"), page[-200:]
    assert "东湖区2024年碳达峰工作情况监督摘要" in text.replace(" ", "")  # Chinese text, not boxes
    assert "基本情况" in text


def test_the_docx_has_the_document_headings_as_word_styles(demo):
    figures = summaries.gather(by_code("360102"), COUNTY_YEAR, next_steps="加快推进节能改造")
    document = Document(io.BytesIO(documents.render(figures, "docx")))
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    assert ("Title", "东湖区2024年碳达峰工作情况监督摘要") in headings
    assert ("Heading 1", "一、基本情况") in headings and ("Heading 1", "四、下一步工作") in headings
    assert any(p.text == "加快推进节能改造" for p in document.paragraphs)
    section = document.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert "PAGE" in section.footer._element.xml


# --- the workflow and frozen editions --------------------------------------------------------------


def test_a_county_official_drafts_reviews_and_issues_a_frozen_edition(donghu):
    region = by_code("360102")
    edition = _issue(donghu, region, COUNTY_YEAR)
    assert edition.kind == SUMMARY_KIND and edition.number == 1
    assert sorted(f.name.rsplit(".", 1)[1] for f in edition.files.all()) == ["docx", "html", "pdf"]
    assert _file(edition, "pdf").startswith(b"%PDF")
    assert edition.figures["next_steps"].startswith("一、加快产业结构调整")
    assert edition_verify(edition).ok
    assert summaries.draft_of(region, COUNTY_YEAR).status == SummaryStatus.ISSUED
    kinds = [e.kind for e in summaries.timeline(summaries.draft_of(region, COUNTY_YEAR))]
    assert kinds == ["drafted", "edited", "reviewed", "issued"]


def test_only_a_reviewed_draft_is_issued(donghu):
    region = by_code("360102")
    summaries.summary_save(user=donghu, region=region, year=COUNTY_YEAR, next_steps="x")
    with pytest.raises(ValidationError) as error:
        summaries.summary_issue(user=donghu, region=region, year=COUNTY_YEAR)
    assert "status" in error.value.message_dict
    assert not FrozenEdition.objects.filter(kind=SUMMARY_KIND).exists()


def test_an_issued_edition_stays_byte_identical_after_a_recompute(demo):
    province = User.objects.get(username="province")
    nanchang = by_code("360100")
    edition = _issue(province, nanchang, CITY_YEAR)
    before = {fmt: _file(edition, fmt) for fmt in ("pdf", "docx", "html")}
    figures_before = edition.figures_json
    # a correction of approved inputs and the recompute it starts
    RegionTarget.objects.filter(
        region=nanchang, year__isnull=True, metric="energy_intensity_reduction"
    ).update(value=Decimal("25"))
    run = monitoring_services.run_execute(
        monitoring_services.run_create(region=nanchang, year=CITY_YEAR, reason="test").pk
    )
    assert run.status == "done"
    stored = FrozenEdition.objects.get(pk=edition.pk)
    assert stored.figures_json == figures_before
    assert {fmt: _file(stored, fmt) for fmt in before} == before
    assert edition_verify(stored).ok
    # the live figures did change: a corrected edition says what changed
    summaries.summary_save(user=province, region=nanchang, year=CITY_YEAR, next_steps="更正后")
    summaries.summary_review(user=province, region=nanchang, year=CITY_YEAR)
    with pytest.raises(ValidationError) as error:
        summaries.summary_issue(user=province, region=nanchang, year=CITY_YEAR)
    assert "correction_reason" in error.value.message_dict
    second = summaries.summary_issue(
        user=province, region=nanchang, year=CITY_YEAR, correction_reason="能耗强度目标更正"
    )
    assert second.number == 2 and second.supersedes_id == edition.pk
    changes = {c.path for c in summaries.edition_diff(edition, second).changes}
    assert "targets." in " ".join(changes) or any(p.startswith("targets") for p in changes)
    assert "next_steps" in changes and "data_version.run_id" in changes
    client = Client()
    client.force_login(User.objects.get(username="congress"))
    page = client.get(f"/oversight/summaries/city/360100/{CITY_YEAR}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "能耗强度目标更正" in text or "energy" in text.lower()
    assert "diff-h" in text  # the changes between editions are shown


def test_an_issued_edition_cannot_be_edited_by_anyone(donghu):
    region = by_code("360102")
    edition = _issue(donghu, region, COUNTY_YEAR)
    edition.title = "changed"
    with pytest.raises(FrozenError):
        edition.save()
    with pytest.raises(FrozenError):
        FrozenEdition.objects.filter(pk=edition.pk).update(title="changed")
    with pytest.raises(FrozenError):
        edition.files.first().delete()
    admin = APIClient()
    admin.force_authenticate(User.objects.get(username="admin"))
    url = f"/api/v1/oversight/summary-editions/{edition.pk}/"
    for method in ("put", "patch", "delete"):
        assert getattr(admin, method)(url, {"title": "x"}, format="json").status_code == 405
    # saving the draft again starts the next edition; the issued one is untouched
    summaries.summary_save(user=donghu, region=region, year=COUNTY_YEAR, next_steps="新的文字")
    assert FrozenEdition.objects.get(pk=edition.pk).figures["next_steps"].startswith("一、加快")
    assert edition_verify(edition).ok


# --- scoping -------------------------------------------------------------------------------------


def test_only_the_regions_government_drafts_and_issues(demo):
    donghu_region, xihu = by_code("360102"), by_code("360103")
    for user in (
        User.objects.get(username="xihu"),  # another county
        User.objects.get(username="congress"),
        user_with(Role.DEPARTMENT_STAFF, "360102", department_kind="energy"),
    ):
        with pytest.raises(PermissionDenied):
            summaries.summary_save(user=user, region=donghu_region, year=COUNTY_YEAR, next_steps="x")
    nanchang_staff = User.objects.get(username="nanchang")
    with pytest.raises(PermissionDenied):  # a city drafts its own summary, not its counties'
        summaries.summary_save(user=nanchang_staff, region=donghu_region, year=COUNTY_YEAR, next_steps="x")
    assert xihu is not None


def test_pages_outside_the_jurisdiction_and_unknown_ones_are_404(donghu):
    client = Client()
    client.force_login(donghu)
    assert client.get(f"/oversight/summaries/county/360102/{COUNTY_YEAR}/").status_code == 200
    assert client.get(f"/oversight/summaries/county/360103/{COUNTY_YEAR}/").status_code == 404  # sibling
    assert client.get(f"/oversight/summaries/city/360100/{CITY_YEAR}/").status_code == 404  # above
    assert client.get("/oversight/summaries/county/999999/2024/").status_code == 404  # unknown region
    assert client.get("/oversight/summaries/county/360102/2099/").status_code == 404  # unknown year
    assert client.get("/oversight/summaries/planet/360102/2024/").status_code == 404
    assert (
        client.post(
            f"/oversight/summaries/county/360103/{COUNTY_YEAR}/save/", {"next_steps": "x"}
        ).status_code
        == 404
    )
    congress = Client()
    congress.force_login(user_with(Role.CONGRESS_MEMBER, "360100"))
    assert congress.get(f"/oversight/summaries/city/360400/{CITY_YEAR}/").status_code == 404  # Jiujiang
    assert congress.get(f"/oversight/summaries/county/360102/{COUNTY_YEAR}/").status_code == 200
    assert congress.post(f"/oversight/summaries/county/360102/{COUNTY_YEAR}/save/").status_code == 403


def test_congress_members_read_issued_editions_of_their_subtree_never_drafts(donghu):
    region = by_code("360102")
    summaries.summary_save(user=donghu, region=region, year=COUNTY_YEAR, next_steps="草稿中的秘密")
    provincial_congress = Client()
    provincial_congress.force_login(User.objects.get(username="congress"))
    page = provincial_congress.get(f"/oversight/summaries/county/360102/{COUNTY_YEAR}/").content.decode()
    assert "草稿中的秘密" not in page and "next-steps" not in page
    assert (
        provincial_congress.get(f"/oversight/summaries/county/360102/{COUNTY_YEAR}/draft.docx").status_code
        == 403
    )
    summaries.summary_review(user=donghu, region=region, year=COUNTY_YEAR)
    edition = summaries.summary_issue(user=donghu, region=region, year=COUNTY_YEAR)
    page = provincial_congress.get(f"/oversight/summaries/county/360102/{COUNTY_YEAR}/")
    assert "草稿中的秘密" in page.content.decode()  # now issued: part of the edition
    pdf = provincial_congress.get(f"/oversight/summaries/county/360102/{COUNTY_YEAR}/editions/1.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == _file(edition, "pdf")
    listing = provincial_congress.get("/oversight/summaries/").content.decode()
    assert "东湖区" in listing
    # a congress member of another city's subtree never sees it
    other = APIClient()
    other.force_authenticate(user_with(Role.CONGRESS_MEMBER, "360400"))
    assert other.get("/api/v1/oversight/summary-editions/").json()["results"] == []
    assert other.get(f"/api/v1/oversight/summary-editions/{edition.pk}/").status_code == 404
    assert other.get(f"/api/v1/oversight/summary-editions/{edition.pk}/files/pdf/").status_code == 404


# --- API and command --------------------------------------------------------------------------------


def test_the_api_drafts_issues_lists_and_downloads(donghu):
    api = APIClient()
    api.force_authenticate(donghu)
    base = f"/api/v1/oversight/summaries/county/360102/{COUNTY_YEAR}/"
    assert api.get(base).json()["draft"] is None
    assert api.post(f"{base}issue/", {}, format="json").status_code == 400  # nothing reviewed
    saved = api.post(f"{base}save/", {"next_steps": "下一步"}, format="json")
    assert saved.status_code == 200 and saved.json()["draft"]["status"] == "draft"
    assert api.post(f"{base}review/").json()["draft"]["status"] == "reviewed"
    issued = api.post(f"{base}issue/", {}, format="json")
    assert issued.status_code == 201
    body = issued.json()
    assert body["number"] == 1 and body["region"] == "360102" and body["year"] == COUNTY_YEAR
    assert {f["format"] for f in body["files"]} == {"pdf", "docx", "html"}
    congress = APIClient()
    congress.force_authenticate(User.objects.get(username="congress"))
    listed = congress.get(
        "/api/v1/oversight/summary-editions/", {"region": "360102", "year": COUNTY_YEAR}
    ).json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    pdf = congress.get(f"/api/v1/oversight/summary-editions/{body['id']}/files/pdf/")
    assert pdf.status_code == 200 and pdf["X-Content-SHA256"] == next(
        f["sha256"] for f in body["files"] if f["format"] == "pdf"
    )
    assert congress.get(f"{base}").json()["draft"] is None  # congress: editions only
    wrong = api.post(f"{base}save/", {}, format="json")
    assert wrong.status_code == 400 and "next_steps" in wrong.json()["errors"]


def test_the_editions_api_names_a_malformed_region_code_instead_of_failing(demo):
    congress = APIClient()
    congress.force_authenticate(User.objects.get(username="congress"))
    for bad in ("36\x000102", "abc"):
        answer = congress.get("/api/v1/oversight/summary-editions/", {"region": bad})
        assert answer.status_code == 400 and "region" in answer.json()["errors"]
    assert congress.get("/api/v1/oversight/summary-editions/", {"region": "999999"}).status_code == 200


def test_the_command_writes_the_format_of_the_extension(demo, tmp_path):
    html, docx = tmp_path / "s.html", tmp_path / "s.docx"
    call_command("oversight_summary", "--region", "360102", "--year", str(COUNTY_YEAR), "--output", str(html))
    assert "东湖区" in html.read_text(encoding="utf-8") and "<svg" in html.read_text(encoding="utf-8")
    call_command("oversight_summary", "--region", "360102", "--year", str(COUNTY_YEAR), "--output", str(docx))
    assert docx.read_bytes().startswith(b"PK")
    with pytest.raises(CommandError) as error:
        call_command(
            "oversight_summary", "--region", "999999", "--year", "2099", "--output", str(tmp_path / "s.txt")
        )
    assert "--region" in str(error.value) and "--output" in str(error.value)


def test_a_provincial_official_opens_any_regions_summary_from_the_list(demo):
    client = Client()
    client.force_login(User.objects.get(username="province"))
    listing = client.get("/oversight/summaries/").content.decode()
    assert 'value="county/360102"' in listing and "东湖区" in listing
    opened = client.get("/oversight/summaries/open/", {"region": "county/360102", "year": COUNTY_YEAR})
    assert opened.status_code == 302 and opened["Location"].endswith(f"/county/360102/{COUNTY_YEAR}/")
    assert (
        client.get("/oversight/summaries/open/", {"region": "county/999999", "year": "2024"}).status_code
        == 404
    )
    assert (
        client.get("/oversight/summaries/open/", {"region": "county/360102", "year": "x"}).status_code == 404
    )


def test_the_problems_name_open_rectifications_and_inquiries_not_closed(demo):
    from datetime import timedelta

    from apps.accountability.models import RectificationTask, TaskStatus
    from apps.accounts.scoping import SYSTEM
    from apps.oversight import inquiries

    open_tasks = RectificationTask.objects.filter(region__code="360102").exclude(status=TaskStatus.ACCEPTED)
    assert open_tasks.exists(), "the demo ledger leaves 东湖区 a rectification task open"
    inquiry = inquiries.inquiry_put(
        user=SYSTEM,
        kind="inquiry",
        region=by_code("360102"),
        department=None,
        subject="东湖区能耗强度为何上升",
        question="请说明原因。",
        deadline=inquiries.today() + timedelta(days=10),
    )
    figures = summaries.gather(by_code("360100"), CITY_YEAR)
    tasks = figures["sections"]["open_rectifications"]
    assert {row["task"] for row in tasks} == set(open_tasks.values_list("description", flat=True))
    assert {row["region"] for row in tasks} == {"东湖区"}
    assert [row["subject"] for row in figures["sections"]["open_inquiries"]] == [inquiry.subject]
    assert "东湖区能耗强度为何上升" in documents.render_body(figures)
    # closed ones are no longer problems
    open_tasks.update(status=TaskStatus.ACCEPTED)
    inquiry.status = "closed"
    inquiry.save(update_fields=["status"])
    figures = summaries.gather(by_code("360100"), CITY_YEAR)
    assert figures["sections"]["open_rectifications"] == [] and figures["sections"]["open_inquiries"] == []


# --- cost and print layout ------------------------------------------------------------------------

#: Queries of `gather()` for any region: its figures, periods, targets, kin, report, measures, the
#: planner's inputs, the data version and the pluggable sections; none per region below.
GATHER_MAX_QUERIES = 30


def _more_counties_below(city, n: int) -> list:
    """`n` new counties under `city`, each with the figures of one of its counties that has them."""
    from apps.regions.models import Region, RegionLevel

    model = Assessment.objects.filter(region__parent=city, year=CITY_YEAR, metric="grade").first().region
    rows = list(Assessment.objects.filter(region=model, year=CITY_YEAR))
    made = []
    for i in range(n):
        code = f"3601{90 + i}"
        county = Region.objects.create(
            code=code, name=f"测试{i}区", level=RegionLevel.COUNTY, parent=city, path=f"{city.path}{code}/"
        )
        for row in rows:
            row.pk, row.region = None, county
        Assessment.objects.bulk_create(rows)
        made.append(county)
    return made


def test_gathering_a_summary_costs_the_same_queries_however_many_regions_lie_below(
    demo, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    nanchang = by_code("360100")
    with CaptureQueriesContext(connection) as before:
        figures = summaries.gather(nanchang, CITY_YEAR)
    children = len(figures["children"])
    _more_counties_below(nanchang, 6)
    with django_assert_max_num_queries(GATHER_MAX_QUERIES), CaptureQueriesContext(connection) as after:
        figures = summaries.gather(nanchang, CITY_YEAR)
    assert len(figures["children"]) == children + 6
    assert all(c["figures"] for c in figures["children"] if c["name"].startswith("测试"))
    assert len(after) == len(before)
    with django_assert_max_num_queries(GATHER_MAX_QUERIES):
        summaries.gather(by_code("360000"), CITY_YEAR)  # the province: eleven cities below


def test_printed_tables_give_names_and_numbers_their_whole_width(demo):
    from apps.oversight.documents.context import (
        CELL_PAD_PT,
        TEXT_WIDTH_PT,
        WIDE_TABLE_FONT_PT,
        Table,
        text_em,
    )

    rows = [
        ["青山湖区", "1,166.04", "能耗强度进度预警 ● 红色；碳排放强度进度预警 ● 红色"],
        ["东湖区", "—", "—"],
    ]
    headers = ["地区", "能源消费总量（考核口径）（万吨标准煤）", "预警"]
    for wide in (False, True):
        table = Table(headers, rows, wide=wide)
        widths = table.widths()
        assert sum(widths) == pytest.approx(100, abs=0.05)
        font = WIDE_TABLE_FONT_PT if wide else 9.0
        for column, text in ((0, "青山湖区"), (1, "1,166.04")):
            assert widths[column] / 100 * TEXT_WIDTH_PT >= text_em(text) * font + CELL_PAD_PT - 0.01
        assert widths[2] > widths[1]  # the long text takes the room left


def test_the_printed_annex_names_every_region_on_one_line(demo, tmp_path):
    figures = summaries.gather(by_code("360100"), CITY_YEAR)
    path = tmp_path / "city.pdf"
    path.write_bytes(documents.render(figures, "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    annex = next(page for page in text.split("\f") if "五、附表" in page.replace(" ", ""))
    for child in figures["children"]:
        assert child["name"] in annex, child["name"]  # not broken one character a line
