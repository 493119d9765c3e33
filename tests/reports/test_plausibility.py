"""Plausibility bounds from the catalog in the report workflow (issue 15 item 4 and "Bad input"):
blocked without an explanation, submitted with one, the reviewer sees the flag in the page and
the API, bounds edited in the catalog take effect and are history-tracked, parent-relative bounds
read the parent's approved figures, and imports apply the same rules."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from apps.indicators import services as catalog
from apps.indicators.models import Indicator
from apps.indicators.selectors import indicator_history
from apps.regions.selectors import by_code
from apps.reports import services
from apps.reports.models import ReportStatus
from tests.factories import GOOD_VALUES, make_report
from tests.reports.test_import import HEADER, do_import, rejected, rows_for

pytestmark = pytest.mark.django_db
YEAR = 2024
STOCK_NOTE = "2023年数据单位误填为立方米，今年起按万立方米填报。"


def stock_draft(users, *, note: str = ""):
    """Donghu's draft with forest stock 12.5 after last year's approved 1309."""
    make_report("360102", YEAR - 1, ReportStatus.APPROVED, {**GOOD_VALUES, "forest_stock": Decimal("1309")})
    report, _ = services.report_get_or_create(user=users["donghu"], region=by_code("360102"), year=YEAR)
    services.report_save_values(
        user=users["donghu"],
        report=report,
        values={**GOOD_VALUES, "forest_stock": Decimal("12.5")},
        notes={"forest_stock": note} if note else {},
    )
    return report


def test_forest_stock_falling_99_percent_cannot_be_submitted_without_an_explanation(users):
    report = stock_draft(users)
    with pytest.raises(ValidationError) as exc:
        services.report_submit(user=users["donghu"], report=report)
    [message] = exc.value.message_dict["forest_stock"]
    assert "Down 99.0% from last year" in message and "±5%" in message and "1,309" in message
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_the_form_shows_why_and_the_bound_in_chinese(client, users):
    report = stock_draft(users)
    client.force_login(users["donghu"])
    client.cookies["django_language"] = "zh-hans"
    with translation.override("zh-hans"):
        html = client.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert "比上年下降 99.0%，超出 ±5% 的合理范围（上年 1,309）：请在说明中解释。" in html
    assert "比上年变化在 ±5% 以内，否则请在说明中解释" in html  # the hint, from the catalog


def test_with_an_explanation_it_is_submitted_approved_and_the_reviewer_sees_both(client, users):
    report = stock_draft(users, note=STOCK_NOTE)
    services.report_submit(user=users["donghu"], report=report)
    client.force_login(users["nanchang"])
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    flags = html[html.index('id="h-flags"') : html.index('id="h-values"')]
    assert "Values beyond their plausibility bounds" in flags
    for text in ("Forest stock volume", "12.5", "1,309", "−99.0%", "±5%", STOCK_NOTE):
        assert text in flags, text
    assert html.index('id="h-flags"') < html.index('id="h-actions"')  # above the buttons
    services.report_forward(user=users["nanchang"], report=report)
    approved = services.report_approve(user=users["province"], report=report)
    assert approved.status == ReportStatus.APPROVED


def test_the_api_report_detail_returns_the_flags_with_the_explanation(users):
    report = stock_draft(users, note=STOCK_NOTE)
    services.report_submit(user=users["donghu"], report=report)
    api = APIClient()
    api.force_authenticate(users["province"])
    data = api.get(f"/api/v1/reports/{report.pk}/").json()
    [flag] = data["flags"]
    assert flag["field"] == "forest_stock" and flag["code"] == "year_on_year" and flag["level"] == "warning"
    assert flag["flag"]["note"] == STOCK_NOTE and flag["flag"]["bound"] == "±5%"
    assert Decimal(flag["flag"]["value"]) == Decimal("12.5")
    assert Decimal(flag["flag"]["previous"]) == Decimal("1309")
    validation = api.get(f"/api/v1/reports/{report.pk}/validation/").json()
    assert [w["field"] for w in validation["warnings"]] == ["forest_stock"]


def test_the_api_save_answers_the_unexplained_flag_as_an_error(users):
    report = stock_draft(users)
    api = APIClient()
    api.force_authenticate(users["donghu"])
    answer = api.patch(f"/api/v1/reports/{report.pk}/", {"values": {"forest_stock": "12.4"}}, format="json")
    assert answer.status_code == 200, answer.content
    [error] = [e for e in answer.json()["errors"] if e["field"] == "forest_stock"]
    assert error["flag"]["note"] == "" and error["indicator_name"] == "Forest stock volume"


def test_bounds_edited_in_the_catalog_take_effect_and_are_history_tracked(users):
    report = stock_draft(users)
    services.report_save_values(user=users["donghu"], report=report, values={"forest_stock": Decimal("1360")})
    assert services.report_validate(report).ok  # +3.9 %: within the default ±5 %
    with pytest.raises(PermissionDenied):
        catalog.indicator_update(user=users["donghu"], indicator=Indicator.objects.get(code="forest_stock"))
    indicator = catalog.indicator_update(
        user=users["province"],
        indicator=Indicator.objects.get(code="forest_stock"),
        change_lower=Decimal("-3"),
        change_upper=Decimal("3"),
    )
    [issue] = services.report_validate(report).errors
    assert issue.field == "forest_stock" and "±3%" in issue.message
    latest = indicator_history(indicator)[0]
    assert latest.who == users["province"].username or users["province"].get_full_name() in latest.who
    assert {c.field for c in latest.changes} == {
        "lower bound of the year-on-year change",
        "upper bound of the year-on-year change",
    }


def test_bounds_that_make_no_change_implausible_are_refused_naming_the_field(users):
    indicator = Indicator.objects.get(code="forest_stock")
    with pytest.raises(ValidationError) as exc:
        catalog.indicator_update(
            user=users["province"], indicator=indicator, change_lower=Decimal("2"), change_basis="parent"
        )
    assert set(exc.value.message_dict) == {"change_lower", "parent_tolerance"}
    indicator.refresh_from_db()
    assert indicator.change_lower == Decimal("-5")  # nothing saved


def test_a_countys_gdp_growth_is_judged_against_its_citys_approved_growth(users):
    city = {**GOOD_VALUES, "gdp_current": Decimal("5000")}
    make_report("360100", YEAR - 1, ReportStatus.APPROVED, city)
    make_report("360102", YEAR - 1, ReportStatus.APPROVED, GOOD_VALUES)  # gdp_current 1000
    report = make_report("360102", YEAR, ReportStatus.DRAFT, {**GOOD_VALUES, "gdp_current": Decimal("1180")})
    # The city has no approved figures for the year yet: the county's own ±20 % applies.
    assert services.report_validate(report).ok
    make_report("360100", YEAR, ReportStatus.APPROVED, {**city, "gdp_current": Decimal("5100")})
    [issue] = services.report_validate(report).errors
    assert issue.field == "gdp_current" and issue.code == "year_on_year"
    assert "16.0 percentage points more than 南昌市 (+2.0%)" in issue.message
    assert "±10 percentage points" in issue.message


def test_the_province_has_no_parent_and_keeps_its_own_bounds(users):
    make_report("360000", YEAR - 1, ReportStatus.APPROVED, GOOD_VALUES)
    report = make_report(
        "360000", YEAR, ReportStatus.DRAFT, {**GOOD_VALUES, "gdp_current": Decimal("1250"), "gdp_index": None}
    )
    [issue] = services.report_validate(report).errors
    assert issue.field == "gdp_current" and "±20%" in issue.message


def test_an_import_applies_the_bounds_naming_the_row_and_the_field(users):
    before = {**GOOD_VALUES, "forest_stock": Decimal("1309")}
    now = {**GOOD_VALUES, "forest_stock": Decimal("12.5")}
    text = HEADER + rows_for("360102", YEAR - 1, before) + rows_for("360102", YEAR, now)
    errors = rejected(users["donghu"], text)
    row_before = 2 + list(before).index("forest_stock")
    row_now = row_before + len(before)
    [error] = errors
    assert error.startswith(f"Row {row_now}: 360102 {YEAR} Forest stock volume: Down 99.0% from last year")
    assert error.endswith(f"(rows {row_before}, {row_now})")
    noted = rows_for("360102", YEAR, now, notes={"forest_stock": "Unit corrected"})
    with_notes = "".join(
        line if line.count(",") == 4 else line.rstrip("\n") + ",\n"
        for line in (rows_for("360102", YEAR - 1, before) + noted).splitlines(True)
    )
    result = do_import(users["donghu"], HEADER.strip() + ",note\n" + with_notes)
    assert len(result.created) == 2


def test_an_import_checks_shares_and_the_forest_pair_all_at_once(users):
    before = {**GOOD_VALUES, "forest_stock": Decimal("1000"), "forest_coverage": Decimal("60")}
    now = {
        **before,
        "forest_stock": Decimal("970"),
        "forest_coverage": Decimal("60.8"),
        "nev_share": Decimal("140"),
    }
    errors = rejected(
        users["donghu"], HEADER + rows_for("360102", YEAR - 1, before) + rows_for("360102", YEAR, now)
    )
    assert any("Forest stock volume" in e and "Forest coverage rate" in e for e in errors), errors
    assert any("New-energy vehicles in new vehicle sales is a percentage" in e for e in errors), errors


def test_the_report_page_shows_a_shares_change_in_points_as_its_bound_does(client, users):
    make_report("360102", YEAR - 1, ReportStatus.APPROVED, {**GOOD_VALUES, "forest_coverage": Decimal("60")})
    report = make_report(
        "360102", YEAR, ReportStatus.DRAFT, {**GOOD_VALUES, "forest_coverage": Decimal("61.5")}
    )
    client.force_login(users["donghu"])
    html = client.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert "+1.5 percentage points" in html
    assert (
        "1.5 percentage points higher than last year, beyond the plausible range of ±1 percentage points"
        in html
    )
