"""The completeness grid from the database: states per role, draft privacy, query count, filters, export."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from apps.accounts.roles import Role
from apps.completeness.models import ReportingDeadline
from apps.completeness.selectors import CellState, GridFilters, build_grid, count_states, parse_filters
from apps.regions.selectors import by_code
from apps.reports.models import EventKind, Report, ReportEvent
from tests.factories import user_with
from tests.xlsx import header_row_of, xlsx_table

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created with a password in every test; hash it cheaply (before `users` runs)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


TODAY = date(2026, 5, 1)
YEAR = 2025
DUE = date(2026, 3, 31)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def make_report(code, year, status, *, revision=1, submitted_on=None) -> Report:
    """A report revision as the workflow leaves it, with its "submitted" event when given."""
    report = Report.objects.create(
        region=by_code(code),
        year=year,
        revision=revision,
        status=status,
        submitted_at=at(submitted_on) if submitted_on else None,
    )
    if submitted_on:
        event = ReportEvent.objects.create(report=report, kind=EventKind.SUBMITTED)
        ReportEvent.objects.filter(pk=event.pk).update(created_at=at(submitted_on))
    return report


@pytest.fixture
def nanchang_2025(db):
    """Nanchang and its counties for 2025, one of each state; the deadline is 2026-03-31."""
    ReportingDeadline.objects.create(year=YEAR, due_date=DUE)
    return {
        "360102": make_report("360102", YEAR, "draft"),
        "360103": make_report("360103", YEAR, "returned", submitted_on=date(2026, 3, 10)),
        "360104": make_report("360104", YEAR, "submitted", submitted_on=date(2026, 4, 2)),
        "360111": make_report("360111", YEAR, "forwarded", submitted_on=date(2026, 3, 20)),
        "360100": make_report("360100", YEAR, "approved", submitted_on=date(2026, 3, 1)),
    }


def states(user, *, city="360100", years=(YEAR, YEAR)) -> dict[str, CellState]:
    grid = build_grid(user, GridFilters(year_from=years[0], year_to=years[1], city=city), today=TODAY)
    return {row.region.code: row.cells[0] for row in grid.rows}


def test_county_staff_see_their_own_draft_and_only_their_own_region(users, nanchang_2025):
    cells = states(users["donghu"])
    assert list(cells) == ["360102"]
    assert cells["360102"].state == CellState.DRAFT
    assert cells["360102"].report_id == nanchang_2025["360102"].pk


def test_city_staff_see_county_drafts_and_returns_as_not_submitted(users, nanchang_2025):
    cells = states(users["nanchang"])
    assert cells["360100"].state == CellState.APPROVED  # their own report
    assert cells["360102"].state == CellState.NOT_SUBMITTED  # a draft: private to Donghu
    assert cells["360103"].state == CellState.NOT_SUBMITTED  # returned: private again
    assert cells["360112"].state == CellState.NOT_SUBMITTED  # not started: indistinguishable
    assert cells["360104"].state == CellState.SUBMITTED
    assert cells["360111"].state == CellState.SUBMITTED  # forwarded counts as submitted
    assert cells["360102"].report_id is None and cells["360103"].report_id is None
    assert cells["360104"].report_id == nanchang_2025["360104"].pk


def test_city_staff_see_their_own_city_report_in_draft(users):
    make_report("360100", YEAR, "draft")
    assert states(users["nanchang"])["360100"].state == CellState.DRAFT


def test_provincial_officials_see_every_region_but_no_draft(users, nanchang_2025):
    cells = states(users["province"], city="")
    assert len(cells) == 112
    assert cells["360102"].state == CellState.NOT_SUBMITTED
    assert cells["360103"].state == CellState.NOT_SUBMITTED
    assert cells["360103"].submitted_on is None  # the returned report's submission date stays hidden
    assert cells["360104"].state == CellState.SUBMITTED
    assert cells["360100"].state == CellState.APPROVED


def test_administrators_see_the_real_state_everywhere(users, nanchang_2025):
    cells = states(users["admin"])
    assert cells["360102"].state == CellState.DRAFT
    assert cells["360103"].state == CellState.RETURNED
    assert cells["360112"].state == CellState.NOT_STARTED


def test_congress_members_get_links_to_approved_reports_only(users, nanchang_2025):
    cells = states(users["congress"])
    assert cells["360104"].state == CellState.SUBMITTED
    assert cells["360104"].report_id is None
    assert cells["360100"].report_id == nanchang_2025["360100"].pk
    assert cells["360102"].state == CellState.NOT_SUBMITTED


def test_department_staff_see_their_subtree_without_drafts(users, nanchang_2025):
    cells = states(users["dept"], city="")
    assert set(cells) == {"360100", "360102", "360103", "360104", "360111", "360112", "360113", "360121",
                          "360123", "360124"}  # fmt: skip
    assert cells["360102"].state == CellState.NOT_SUBMITTED


def test_another_county_sees_nothing_of_its_neighbour(users, nanchang_2025):
    assert list(states(users["xihu"])) == ["360103"]
    assert states(users["xihu"])["360103"].state == CellState.RETURNED


def test_late_and_overdue_follow_the_deadline(users, nanchang_2025):
    cells = states(users["province"])
    assert cells["360104"].late  # first submitted 2026-04-02, due 2026-03-31
    assert not cells["360111"].late
    assert cells["360104"].submitted_on == date(2026, 4, 2)
    assert cells["360102"].overdue and cells["360112"].overdue
    assert not cells["360100"].overdue


def test_a_correction_of_an_approved_report_keeps_it_approved(users):
    approved = make_report("360102", YEAR, "approved", submitted_on=date(2026, 3, 1))
    correction = make_report("360102", YEAR, "draft", revision=2)
    own = states(users["donghu"])["360102"]
    assert (own.state, own.report_id) == (CellState.APPROVED, approved.pk)
    assert (own.correction_state, own.correction_id) == (CellState.DRAFT, correction.pk)
    city = states(users["nanchang"])["360102"]
    assert (city.state, city.correction_state) == (CellState.APPROVED, None)


def test_counts_per_year_cover_every_visible_cell(users, nanchang_2025):
    grid = build_grid(
        users["nanchang"], GridFilters(year_from=YEAR, year_to=YEAR, city="360100"), today=TODAY
    )
    counts = grid.columns[0].counts
    assert counts["approved"] == 1
    assert counts["submitted"] == 2
    assert counts["not_submitted"] == 7
    assert counts["draft"] == counts["returned"] == counts["not_started"] == 0
    assert counts["late"] == 1
    assert grid.columns[0].due_date == DUE


def test_the_whole_province_costs_the_same_few_queries(users, nanchang_2025, django_assert_max_num_queries):
    for code in ["360402", "360403", "360404", "360423"]:
        for year in (2021, 2022, 2023):
            make_report(code, year, "approved", submitted_on=date(year + 1, 3, 1))
    user = users["province"]
    user.region  # noqa: B018 - the user's own region is loaded at login
    with django_assert_max_num_queries(5):
        grid = build_grid(user, GridFilters(year_from=2021, year_to=2025), today=TODAY)
    assert len(grid.rows) == 112
    assert len(grid.columns) == 5
    with django_assert_max_num_queries(5):
        build_grid(user, GridFilters(year_from=2021, year_to=2025), today=TODAY, page=2, per_page=20)


def _counts_of_cells(grid) -> list[dict[str, int]]:
    """The counts per year as every cell of the unpaged grid tells them (the slow, obvious way)."""
    return [count_states(row.cells[i] for row in grid.rows) for i in range(len(grid.columns))]


@pytest.mark.parametrize("who", ["province", "nanchang", "donghu", "admin", "congress", "dept"])
def test_the_counts_agree_with_the_cells_for_every_viewer(users, nanchang_2025, who):
    Report.objects.filter(region=by_code("360102"), year=YEAR, status="draft").update(revision=2)
    make_report("360102", YEAR, "approved", revision=1, submitted_on=date(2026, 4, 5))  # corrected
    make_report("360400", YEAR - 1, "submitted", submitted_on=date(2025, 2, 1))
    make_report("360403", YEAR - 1, "returned", submitted_on=date(2025, 2, 1))
    ReportingDeadline.objects.create(year=YEAR - 1, due_date=date(2025, 3, 31))
    grid = build_grid(users[who], GridFilters(year_from=YEAR - 2, year_to=YEAR), today=TODAY)
    assert [col.counts for col in grid.columns] == _counts_of_cells(grid)
    assert sum(col.counts["not_submitted"] + col.counts["not_started"] for col in grid.columns) > 0


def test_a_page_of_the_grid_shows_its_rows_and_counts_every_region(users, nanchang_2025):
    user = users["province"]
    whole = build_grid(user, GridFilters(year_from=YEAR, year_to=YEAR), today=TODAY)
    second = build_grid(user, GridFilters(year_from=YEAR, year_to=YEAR), today=TODAY, page=2, per_page=50)
    assert [r.region.code for r in second.rows] == [r.region.code for r in whole.rows[50:100]]
    assert [c.counts for c in second.columns] == [c.counts for c in whole.columns]
    assert second.totals == whole.totals and second.region_count == 112
    assert second.page.paginator.num_pages == 3


def test_grid_page_is_paged(client, users, nanchang_2025):
    client.force_login(users["province"])
    first = client.get("/reports/completeness/").content.decode()
    last = client.get("/reports/completeness/?page=3").content.decode()
    assert "南昌市" in first or "Nanchang" in first
    assert first.count("<tr>") - last.count("<tr>") > 30  # 50 rows a page, then the last 12
    assert "page=2" in first


def test_filters_by_level_and_year_range(users, nanchang_2025):
    grid = build_grid(
        users["province"], parse_filters({"level": "city", "years": "2024-2025"}, today=TODAY), today=TODAY
    )
    assert {row.region.level for row in grid.rows} == {"city"}
    assert len(grid.rows) == 11
    assert [c.year for c in grid.columns] == [2024, 2025]


def test_the_city_filter_keeps_the_city_and_its_counties(users, nanchang_2025):
    grid = build_grid(
        users["province"], GridFilters(year_from=YEAR, year_to=YEAR, city="360400"), today=TODAY
    )
    codes = [row.region.code for row in grid.rows]
    assert codes[0] == "360400"
    assert all(code.startswith("3604") for code in codes)
    assert len(codes) == 14


def test_a_city_filter_outside_the_users_jurisdiction_shows_nothing(users, nanchang_2025):
    assert states(users["nanchang"], city="360400") == {}


# --- the page ------------------------------------------------------------------------------------


def test_grid_page_shows_states_as_text_and_links_readable_reports(client, users, nanchang_2025):
    client.force_login(users["nanchang"])
    client.cookies["django_language"] = "en"
    response = client.get("/reports/completeness/", {"years": "2025", "city": "360100"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Not submitted" in text and "Submitted" in text and "Approved" in text
    assert nanchang_2025["360104"].get_absolute_url() in text
    assert nanchang_2025["360102"].get_absolute_url() not in text  # Donghu's draft
    assert "due 2026-03-31" in text
    assert "Late" in text


def test_every_string_of_the_completeness_templates_has_a_chinese_translation():
    import json
    import re
    from pathlib import Path

    from django.conf import settings

    chinese = json.loads((settings.BASE_DIR / "locale/sources/completeness.json").read_text("utf-8"))
    msgids = set()
    for template in Path(settings.BASE_DIR / "templates/completeness").glob("*.html"):
        msgids |= set(re.findall(r"{% trans [\"']([^\"']+)[\"'] %}", template.read_text("utf-8")))
    assert msgids and not msgids - set(chinese)
    assert all(chinese[m] for m in msgids)


def test_grid_page_asks_anonymous_users_to_log_in(client):
    response = client.get("/reports/completeness/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_grid_page_reports_bad_filters(client, users):
    client.force_login(users["province"])
    client.cookies["django_language"] = "en"
    response = client.get("/reports/completeness/", {"years": "2025-2020"})
    assert response.status_code == 400
    assert "The last year comes before the first." in response.content.decode()


def test_grid_export_is_an_xlsx_with_the_same_masking(client, users, nanchang_2025):
    client.force_login(users["nanchang"])
    client.cookies["django_language"] = "en"
    response = client.get("/reports/completeness/export.xlsx", {"years": "2025"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0]}
    assert rows["Code"][3] == "2025"
    assert rows["360102"][3].startswith("Not submitted")
    assert rows["360104"][3].startswith("Submitted") and "late" in rows["360104"][3]
    assert "360400" not in rows  # Jiujiang is outside Nanchang's jurisdiction


def test_grid_export_writes_a_formula_like_deadline_note_as_text_and_states_beside_their_fill(
    client, users, nanchang_2025
):
    ReportingDeadline.objects.filter(year=YEAR).update(note='=HYPERLINK("http://evil.example/","x")')
    client.force_login(users["province"])
    client.cookies["django_language"] = "en"
    response = client.get("/reports/completeness/export.xlsx", {"years": "2025"})
    book = load_workbook(io.BytesIO(response.content))
    deadlines = book.worksheets[1]
    note = deadlines.cell(row=header_row_of(deadlines) + 1, column=3)
    assert note.data_type == "s" and note.value == '\'=HYPERLINK("http://evil.example/","x")'
    grid = book.worksheets[0]
    row = next(r for r in grid.iter_rows() if r[0].value == "360100")
    assert row[3].value.startswith("Approved") and row[3].fill.fgColor.rgb.endswith("C8E6C9")


def test_grid_export_refuses_bad_filters(client, users):
    client.force_login(users["province"])
    assert client.get("/reports/completeness/export.xlsx", {"city": "abc"}).status_code == 400


# --- the API -------------------------------------------------------------------------------------


def test_api_grid_with_city_and_years(api, users, nanchang_2025):
    api.force_authenticate(users["nanchang"])
    response = api.get("/api/v1/reports/completeness/", {"city": "360100", "years": "2024-2025"})
    assert response.status_code == 200
    data = response.json()
    assert [y["year"] for y in data["years"]] == [2024, 2025]
    assert data["years"][1]["due_date"] == "2026-03-31"
    donghu = next(r for r in data["regions"] if r["region_code"] == "360102")
    assert donghu["cells"][1]["state"] == "not_submitted"
    assert donghu["cells"][1]["report_id"] is None
    qingyunpu = next(r for r in data["regions"] if r["region_code"] == "360104")
    assert qingyunpu["cells"][1]["late"] is True
    assert qingyunpu["cells"][1]["url"] == nanchang_2025["360104"].get_absolute_url()
    assert data["years"][1]["counts"]["submitted"] == 2


def test_api_grid_for_the_own_county_shows_the_draft(api, users, nanchang_2025):
    api.force_authenticate(users["donghu"])
    data = api.get("/api/v1/reports/completeness/", {"years": "2025"}).json()
    assert [(r["region_code"], r["cells"][0]["state"]) for r in data["regions"]] == [("360102", "draft")]


def test_api_grid_rejects_bad_parameters_naming_them(api, users):
    api.force_authenticate(users["province"])
    response = api.get("/api/v1/reports/completeness/", {"years": "twenty"})
    assert response.status_code == 400
    assert "years" in response.json()["errors"]


def test_api_grid_needs_authentication(api):
    assert api.get("/api/v1/reports/completeness/").status_code == 401


def test_api_grid_export_is_xlsx(api, users, nanchang_2025):
    api.force_authenticate(users["province"])
    response = api.get("/api/v1/reports/completeness/export/", {"years": "2025", "level": "city"})
    assert response.status_code == 200
    _header, rows = xlsx_table(response.content)
    codes = [r[0] for r in rows[1:] if r[0]]  # below the deadlines row
    assert len(codes) == 11


def test_api_grid_for_a_user_without_a_region_is_refused(api):
    api.force_authenticate(user_with(Role.REGION_STAFF, None))
    assert api.get("/api/v1/reports/completeness/").status_code == 403


def test_the_workflow_services_drive_the_grid_and_the_reminders(users, settings):
    """Through the reports engineer's services: a draft is private, a submission shows and stops reminders."""
    from django.core import mail

    from apps.completeness import reminders
    from apps.reports import services
    from tests.reports.conftest import GOOD_VALUES

    ReportingDeadline.objects.create(year=YEAR, due_date=DUE)
    donghu = users["donghu"]
    donghu.email = "donghu@example.cn"
    donghu.save()
    report, _ = services.report_get_or_create(user=donghu, region=by_code("360102"), year=YEAR)
    services.report_save_values(user=donghu, report=report, values=GOOD_VALUES)
    assert states(users["nanchang"])["360102"].state == CellState.NOT_SUBMITTED
    assert states(donghu)["360102"].state == CellState.DRAFT
    reminders.send_due_reminders(today=DUE - timedelta(days=7))
    assert [m.to for m in mail.outbox] == [["donghu@example.cn"]]

    services.report_submit(user=donghu, report=report)
    cell = states(users["nanchang"])["360102"]
    assert (cell.state, cell.report_id) == (CellState.SUBMITTED, report.pk)
    assert cell.submitted_on == timezone.localdate()
    mail.outbox.clear()
    reminders.send_due_reminders(today=DUE + timedelta(days=1))
    assert mail.outbox == []
