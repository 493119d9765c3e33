"""Issue 10 items 1, 3, 6: human labels on the figures pages and exports, the default year, the
years page (declaring a year complete) and the metric catalog / complete-years API."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from apps.monitoring import engine, explain, metrics, years
from apps.monitoring.models import Assessment, CompleteYear, MissingFigure, RecomputeRun, RunStatus
from apps.regions.models import Region
from tests.factories import ROLES, user_for

from .pipeline import approve_values, load_worked_example, read_csv

pytestmark = pytest.mark.django_db

ZH, EN = "zh-hans", "en"


def _client(client, role: str, lang: str = ZH):
    client.force_login(user_for(role))
    client.cookies["django_language"] = lang
    return client


def _api(role: str, lang: str = ZH) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
    api.force_authenticate(user_for(role))
    return api


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: no tags, attributes, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _coverage(year: int, regions) -> None:
    Assessment.objects.bulk_create(
        Assessment(region=r, year=year, metric=years.COVERAGE_METRIC, value=Decimal("1.5")) for r in regions
    )


def _figures_of_nanchang(year: int = 2023) -> Region:
    nanchang = Region.objects.get(code="360100")
    Assessment.objects.bulk_create(
        [
            Assessment(region=nanchang, year=year, metric="energy_intensity_warning_annual", level="red"),
            Assessment(
                region=nanchang,
                year=year,
                metric="energy_intensity_reduction_cum",
                value=Decimal("12.3456789"),
            ),
            Assessment(
                region=nanchang, year=year, metric="energy_total_assessed", value=Decimal("3221.84295270478")
            ),
        ]
    )
    return nanchang


# --- the default year -------------------------------------------------------------------------------


def test_overview_default_year_ignores_one_early_approval_and_follows_a_declaration(client):
    regions = list(Region.objects.all())
    _coverage(2023, regions)
    _coverage(2024, regions[:1])  # a single early approval
    page = _client(client, "provincial").get(reverse("monitoring:overview"))
    assert page.context["year"] == 2023
    _coverage(2022, regions)
    years.declare_complete(user_for("provincial"), 2022)
    page = client.get(reverse("monitoring:overview"))
    assert page.context["year"] == 2022 and page.context["default_year"] == 2022
    assert "data-run" in page.content.decode()  # the data version is stated


def test_overview_asks_for_a_bad_year_with_a_404_not_a_500(client):
    _client(client, "provincial")
    assert client.get(reverse("monitoring:overview"), {"year": "20x4"}).status_code == 404
    assert client.get(reverse("monitoring:overview"), {"parent": "999999"}).status_code == 404


# --- names, units and rounding ------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang,name,rounded",
    [
        (ZH, "能耗强度年度预警", "12.35%"),
        (EN, metrics.catalog()["energy_intensity_warning_annual"].name_en, "12.35%"),
    ],
)
def test_overview_shows_metric_names_and_rounded_figures_not_codes(client, lang, name, rounded):
    _figures_of_nanchang()
    html = _client(client, "provincial", lang).get(reverse("monitoring:overview"), {"year": 2023}).content
    text = visible_text(html.decode())
    assert name in text and rounded in text
    assert "energy_intensity_warning_annual" not in text
    assert "12.3456789" not in text
    red = metrics.TEXT_LABELS["red"]
    with translation.override(lang):
        assert f"{metrics.LEVEL_ICONS['red']} {red}" in text  # colour plus icon and word


def test_formula_page_names_metrics_and_rounds_values_with_full_precision_kept(client):
    _figures_of_nanchang()
    html = _client(client, "provincial").get(reverse("monitoring:region-year", args=["city", "360100", 2023]))
    text = visible_text(html.content.decode())
    assert "3,221.84" in text and "能源消费总量（考核口径）（万吨标准煤）" in text
    assert text.index("能耗强度年度预警") < text.index("energy_intensity_warning_annual")  # code is secondary
    assert 'title="3221.842952704780000"' in html.content.decode()  # full precision on hover


def test_formula_page_explains_the_warning_rules_in_chinese_and_english(client):
    load_worked_example()
    from apps.monitoring import services

    services.recompute()
    url = reverse("monitoring:region-year", args=["city", "360100", 2022])
    zh = visible_text(_client(client, "provincial").get(url).content.decode())
    assert "红色：X_t > 0 且允许增量 A_k − E^T_b ≤ 0" in zh or "红色：X_t > 0.10 × (A_k − E^T_b)" in zh
    assert "red: X_t" not in zh and "red: R_t" not in zh
    assert "R_t = 1 − I_t / I_b" in zh  # formulas stay formulas
    assert "能源消费总量（万吨标准煤）" in zh  # inputs named from the indicator catalog
    en = visible_text(_client(client, "provincial", EN).get(url).content.decode())
    assert "red: X_t" in en


def test_every_engine_rule_sentence_has_a_chinese_rendering():
    rules = [
        *engine._ANNUAL_RULES.values(),
        *engine._PROGRESS_RULES.values(),
        *engine._TOTAL_RULES.values(),
        engine._TOTAL_RED_NO_INCREMENT,
        *engine._NF_RULES.values(),
        *engine._OUTLOOK_RULES.values(),
        *engine._GRADE_RULES.values(),
    ]
    with translation.override(ZH):
        for rule in rules:
            shown = explain.rule_text(f"{rule}; Q_k = 1 − (1 − T)^(k/n)")
            assert shown != f"{rule}; Q_k = 1 − (1 − T)^(k/n)", rule
            assert shown.endswith("; Q_k = 1 − (1 − T)^(k/n)")
            assert re.search(r"[\u4e00-\u9fff]", shown), rule


def test_missing_figure_reasons_are_translated_with_indicator_names(client):
    approve_values(read_csv("worked_values.csv"))  # no targets
    from apps.monitoring import services

    services.recompute()
    assert MissingFigure.objects.filter(region__code="360100", year=2021).exists()
    html = _client(client, "provincial").get(reverse("monitoring:region-year", args=["city", "360100", 2021]))
    text = visible_text(html.content.decode())
    assert "没有年度能耗强度下降率目标" in text or "没有能耗强度下降率目标" in text
    assert "no energy_intensity_reduction target" not in text


def test_missing_reasons_and_run_reasons_render_in_both_languages():
    names = {"gdp_index": "地区生产总值指数"}
    with translation.override(ZH):
        assert explain.missing_reason("gdp_index missing for 2017", names) == "缺少 2017 年的地区生产总值指数"
        assert explain.missing_reason("something new") == "something new"  # never hidden
    with translation.override(EN):
        assert explain.run_reason("report 106 approved (2025)") == "report 106 approved (2025)"


def test_runs_page_translates_stored_run_reasons_and_shows_local_time(client):
    finished = timezone.now()
    for reason in ("demo data seeded", "report 106 approved (2025)", "measures score 2024 entered"):
        RecomputeRun.objects.create(reason=reason, status=RunStatus.DONE, finished_at=finished)
    text = visible_text(_client(client, "provincial").get(reverse("monitoring:runs")).content.decode())
    assert "已导入演示数据" in text
    assert "报告 106 已审核通过（2025 年）" in text
    assert "已录入 2024 年措施得分" in text
    assert "demo data seeded" not in text
    local = timezone.localtime(RecomputeRun.objects.first().created_at).strftime("%Y-%m-%d %H:%M")
    assert local in text


# --- exports --------------------------------------------------------------------------------------


def test_xlsx_export_is_for_people_with_chinese_headers_code_column_version_and_local_time(client):
    _figures_of_nanchang()
    done = RecomputeRun.objects.create(status=RunStatus.DONE, finished_at=timezone.now())
    response = _client(client, "provincial").get(
        reverse("monitoring:export"), {"format": "xlsx", "year": 2023}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    preamble = " ".join(str(c) for r in rows[:5] for c in r if c)
    assert f"#{done.pk}" in preamble and "数据版本" in preamble
    assert "年份：2023" in preamble
    now = timezone.localtime()
    stamps = {(now - timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M") for m in (0, 1)}
    (made,) = [r[1] for r in rows[:5] if r[0] == "生成时间（北京时间）"]
    assert made.strftime("%Y-%m-%d %H:%M") in stamps  # a local (naive) date-time, not UTC
    header_at = next(i for i, r in enumerate(rows) if r[0] == "地区")
    assert rows[header_at] == ("地区", "地区代码", "年份", "指标", "指标代码", "数值", "单位")
    assert sheet.freeze_panes == f"A{header_at + 2}"
    data = {r[4]: r for r in rows[header_at + 1 :]}
    total = data["energy_total_assessed"]
    assert total[:5] == ("南昌市", "360100", 2023, "能源消费总量（考核口径）", "energy_total_assessed")
    assert total[5] == pytest.approx(3221.84295270478) and total[6] == "万吨标准煤"
    cell = sheet.cell(row=header_at + 2 + list(data).index("energy_total_assessed"), column=6)
    assert cell.number_format == "#,##0.00"
    assert data["energy_intensity_warning_annual"][5] == "红色"


def test_csv_export_stays_machine_shaped_in_full_precision(client):
    _figures_of_nanchang()
    response = _client(client, "provincial").get(reverse("monitoring:export"), {"year": 2023})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["region_code", "year", "metric", "value"]
    assert ["360100", "2023", "energy_total_assessed", "3221.84295270478"] in rows
    assert ["360100", "2023", "energy_intensity_warning_annual", "red"] in rows


# --- the years page -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_years_page_is_read_by_every_role_and_declared_only_by_provincial_officials(client, role):
    _coverage(2023, Region.objects.all())
    _client(client, role)
    page = client.get(reverse("monitoring:years"))
    assert page.status_code == 200
    may_declare = role in ("provincial", "admin")
    assert ('value="declare"' in page.content.decode()) == may_declare
    nav = client.get("/").content.decode()
    assert (reverse("monitoring:years") in nav) == may_declare
    response = client.post(reverse("monitoring:years"), {"action": "declare", "year": 2023})
    assert response.status_code == (302 if may_declare else 403)
    assert CompleteYear.objects.filter(year=2023).exists() == may_declare


def test_years_page_shows_coverage_default_reason_and_history_and_withdraws_with_a_reason(client):
    regions = list(Region.objects.all())
    _coverage(2023, regions)
    _coverage(2024, regions[:2])
    _client(client, "provincial")
    text = visible_text(client.get(reverse("monitoring:years")).content.decode())
    assert f"2 / {len(regions)}" in text and "默认年度：2023" in text and "已有结果" in text
    client.post(reverse("monitoring:years"), {"action": "declare", "year": 2024})
    text = visible_text(client.get(reverse("monitoring:years")).content.decode())
    assert "默认年度：2024 — 已宣布评估完成" in text
    refused = client.post(reverse("monitoring:years"), {"action": "withdraw", "year": 2024, "reason": ""})
    assert refused.status_code == 302 and CompleteYear.objects.filter(year=2024).exists()
    client.post(reverse("monitoring:years"), {"action": "withdraw", "year": 2024, "reason": "过早宣布"})
    assert not CompleteYear.objects.filter(year=2024).exists()
    text = visible_text(client.get(reverse("monitoring:years")).content.decode())
    assert "已撤回" in text and "过早宣布" in text and "默认年度：2023" in text


# --- API ------------------------------------------------------------------------------------------


def test_complete_years_api_lists_declares_and_withdraws_with_a_reason():
    regions = list(Region.objects.all())
    _coverage(2023, regions)
    api = _api("provincial")
    rows = api.get("/api/v1/complete-years/").json()
    assert rows[0] == {
        "year": 2023,
        "regions_with_results": len(regions),
        "regions_in_scope": len(regions),
        "coverage": 1.0,
        "covered": True,
        "declared": False,
        "declared_by": None,
        "declared_at": None,
        "is_default": True,
    }
    assert _api("county").post("/api/v1/complete-years/", {"year": 2023}, format="json").status_code == 403
    assert api.post("/api/v1/complete-years/", {"year": 1999}, format="json").json()["errors"]["year"]
    created = api.post("/api/v1/complete-years/", {"year": 2023}, format="json")
    assert created.status_code == 201 and created.json()["declared"] is True
    assert api.get("/api/v1/complete-years/").json()[0]["declared_by"]
    assert _api("county").delete("/api/v1/complete-years/2023/?reason=x").status_code == 403
    missing = api.delete("/api/v1/complete-years/2023/")
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    assert (
        api.delete("/api/v1/complete-years/2023/", {"reason": "too early"}, format="json").status_code == 204
    )
    assert not CompleteYear.objects.exists()
    assert APIClient().get("/api/v1/complete-years/").status_code in (401, 403)


def test_metric_catalog_api_lists_and_finds_metrics():
    api = _api("county")
    rows = api.get("/api/v1/metrics/").json()
    assert [r["code"] for r in rows] == list(metrics.catalog())
    total = api.get("/api/v1/metrics/energy_total_assessed/").json()
    assert total == {
        "code": "energy_total_assessed",
        "name_zh": "能源消费总量（考核口径）",
        "name_en": "Total energy use (as assessed)",
        "unit_zh": "万吨标准煤",
        "unit_en": "10⁴ tce",
        "precision": 2,
        "kind": "number",
    }
    assert api.get("/api/v1/metrics/no_such_metric/").status_code == 404
    assert APIClient().get("/api/v1/metrics/").status_code in (401, 403)


def test_assessments_api_labels_metrics_in_the_request_language_and_keeps_full_precision():
    _figures_of_nanchang()
    params = {"year": 2023, "metric": "energy_total_assessed"}
    zh = _api("provincial", ZH).get("/api/v1/assessments/", params).json()["results"][0]
    assert (zh["metric"], zh["metric_name"], zh["unit"]) == (
        "energy_total_assessed",
        "能源消费总量（考核口径）",
        "万吨标准煤",
    )
    assert zh["value"] == "3221.84295270478"
    en = _api("provincial", EN).get("/api/v1/assessments/", params).json()["results"][0]
    assert en["metric_name"] == "Total energy use (as assessed)" and en["unit"] == "10⁴ tce"


def test_overview_costs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    regions = list(Region.objects.all())
    Assessment.objects.bulk_create(
        Assessment(region=r, year=2023, metric=m, value=Decimal("1.23456"))
        for r in regions
        for m in ("energy_intensity_reduction_cum", "nonfossil_share", "co2_intensity_reduction_cum")
    )
    _client(client, "provincial")
    client.get(reverse("monitoring:overview"))  # warm the session
    with django_assert_max_num_queries(14):
        assert client.get(reverse("monitoring:overview"), {"sort": "-nonfossil_share"}).status_code == 200


def test_overview_filters_by_region_level_and_parent_city_and_sorts(client):
    regions = list(Region.objects.exclude(level="province"))
    Assessment.objects.bulk_create(
        Assessment(region=r, year=2023, metric="nonfossil_share", value=Decimal(i))
        for i, r in enumerate(regions)
    )
    _client(client, "provincial")
    counties = client.get(reverse("monitoring:overview"), {"year": 2023, "region_level": "county"})
    assert {row["region"].level for row in counties.context["page"]} == {"county"}
    nanchang = client.get(reverse("monitoring:overview"), {"year": 2023, "parent": "360100"})
    assert {row["region"].code[:4] for row in nanchang.context["page"]} == {"3601"}
    ranked = client.get(reverse("monitoring:overview"), {"year": 2023, "sort": "-nonfossil_share"})
    values = [row["figures"]["nonfossil_share"].value for row in ranked.context["page"]]
    assert values == sorted(values, reverse=True)


def test_trace_inputs_that_are_words_or_codes_are_named_for_people():
    inputs = {
        "from": 2021,
        "to": 2025,
        "graded": "energy_intensity",
        "a_source": "geometric average of the five-year target",
    }
    with translation.override(ZH):
        rows = {r["code"]: r for r in explain.input_rows(inputs, {})}
        assert rows["from"]["label"] == "起始年份" and rows["from"]["shown"] == "2021"
        assert rows["graded"]["shown"] == metrics.name("energy_intensity") != "energy_intensity"
        assert rows["a_source"]["shown"] == "按五年目标几何平均"
        annual = explain.format_input("annual target energy_intensity_reduction_annual for 2024")
        assert "2024" in annual and "energy_intensity_reduction_annual" not in annual
    with translation.override(EN):
        assert explain.format_input("geometric average of the five-year target") == (
            "geometric average of the five-year target"
        )
        assert explain.format_input(Decimal("35395.5234")) == "35,395.52"
