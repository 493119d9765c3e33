"""The report's timeline speaks to people (issue 15, item 1): changed values and sections by their
catalog names, in the page's language with Chinese punctuation, numbers as formatted for display."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from apps.reports import selectors, services
from apps.reports.models import ReportStatus
from tests.factories import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def _saved_report(users):
    report = make_report("360102", 2024, ReportStatus.DRAFT, values={"energy_total": Decimal("500")})
    services.report_save_values(
        user=users["donghu"],
        report=report,
        values={"energy_total": "12500.5", "electricity_net_import": "1.2"},
        sections={"industry": "新建产业园区。", "carbon_sinks": "植树造林。"},
    )
    return report


def test_the_timeline_names_changed_values_and_sections_in_chinese(client, users, chinese):
    report = _saved_report(users)
    client.force_login(users["donghu"])
    html = client.get(f"/reports/{report.pk}/").content.decode()
    timeline = html[html.index('id="h-timeline"') :]
    text = re.sub(r"<code>.*?</code>|<[^>]+>", "", timeline)
    assert "章节变化：产业结构优化升级、生态系统碳汇" in text
    assert "数值变化：能源消费总量 500 → 12,500.5；净调入电量 — → 1.2" in text
    for code in ("industry", "carbon_sinks", "energy_total", "electricity_net_import"):
        assert code not in text
    assert re.search(r"[\u4e00-\u9fff][,:;]", text) is None


def test_a_change_of_only_a_note_says_so_instead_of_an_empty_change(users, chinese):
    report = make_report("360102", 2024, ReportStatus.DRAFT, values={"energy_total": Decimal("500")})
    services.report_save_values(user=users["donghu"], report=report, notes={"energy_total": "按初步数据填报"})
    saved = [e for e in selectors.timeline(report) if e.value_changes]
    assert len(saved) == 1
    (change,) = saved[0].value_changes
    assert (change.name, change.old, change.new, change.note_changed) == ("能源消费总量", "500", "500", True)


def test_the_timeline_reads_in_english_for_an_english_user(client, users):
    report = _saved_report(users)
    client.force_login(users["donghu"])
    html = client.get(f"/reports/{report.pk}/").content.decode()
    assert "Sections changed: Industrial restructuring, Carbon sinks" in html
    assert "Total energy consumption 500 → 12,500.5; Net electricity inflow — → 1.2" in html
