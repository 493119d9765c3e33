"""Every xlsx download of the portal is made for people (issue 15): a title row, the filters used,
the data version and the generation time in Beijing time above a frozen header row in the user's
language (Chinese by default, English by choice) with no raw metric or indicator codes in it
(codes only in a column headed 代码 / Code), and column widths set.

`EXPORTS` lists every download; `test_every_xlsx_export_of_the_urlconf_is_listed_here` finds the
views of the URLconf whose code writes an xlsx, so a new export that is not added here fails.
"""

from __future__ import annotations

import inspect
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from apps.accounts.models import User
from apps.disclosure.models import Publication
from apps.indicators.models import Indicator
from apps.monitoring import metrics
from apps.reports.models import Report
from apps.targets.models import TargetMetric
from tests.xlsx import header_row_of, preamble_of, table_of, workbook_of

CJK = re.compile(r"[\u3400-\u9fff]")
UTC_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|[+-]00:?00\b|\d\d:\d\dZ\b")
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Sheets that are not for reading but for the machine: the report template's "report" sheet names
# the region and year an upload is checked against (read by position), so it has no title lines.
MACHINE_SHEETS = {("reports:template", "report"), ("report-template", "report")}


@pytest.fixture(autouse=True)
def _portal_default_language(_english, settings):
    """The portal's own default (Chinese), not the English the other core tests compare in."""
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def _published_year() -> int:
    return Publication.objects.filter(status="published").order_by("-year").values_list("year", flat=True)[0]


def _a_report() -> Report:
    return Report.objects.filter(region__code="360102").order_by("-year").first()


# (id, user or None for the public, url name, url args (callable for data-dependent ones), query, API)
EXPORTS = [
    ("assessments", "province", "monitoring:export", (), {"format": "xlsx", "year": 2024}, False),
    ("indicators", "province", "indicators:list", (), {"export": "xlsx", "required": "yes"}, False),
    ("factor-sets", "province", "indicators:factor-set-list", (), {"export": "xlsx"}, False),
    ("grids", "province", "indicators:grid-list", (), {"export": "xlsx"}, False),
    ("rule-sets", "province", "indicators:rule-set-list", (), {"export": "xlsx"}, False),
    ("plan-periods", "province", "targets:period-list", (), {"export": "xlsx"}, False),
    ("targets", "province", "targets:list", (), {"export": "xlsx", "within": "360100"}, False),
    (
        "decomposition",
        "province",
        "targets:decomposition",
        (),
        {"export": "xlsx", "parent": "360000", "period": "2021-2025"},
        False,
    ),
    ("accountability", "province", "accountability:ledger", (), {"export": "xlsx"}, False),
    ("inquiries", "congress", "oversight:inquiry-list", (), {"export": "xlsx"}, False),
    ("inquiries-api", "congress", "inquiry-export", (), {}, True),
    (
        "scorecard",
        "province",
        "oversight:scorecard",
        (),
        {"export": "xlsx", "region": "360100", "year": 2025},
        False,
    ),
    ("tip-statistics", "province", "disclosure:tip-statistics", (), {"export": "xlsx"}, False),
    (
        "public-year",
        None,
        "disclosure:year-download",
        lambda: (_published_year(), "xlsx"),
        {},
        False,
    ),
    (
        "public-region",
        None,
        "disclosure:region-download",
        lambda: (_published_year(), "360000", "xlsx"),
        {},
        False,
    ),
    ("audit-log", "admin", "accounts:audit-log", (), {"export": "xlsx"}, False),
    ("completeness", "province", "completeness:export", (), {"city": "360100"}, False),
    ("completeness-api", "province", "reports-completeness-export", (), {}, True),
    ("reminders", "province", "completeness:reminders", (), {"format": "xlsx"}, False),
    ("plans", "province", "plans:plan-export", (), {}, False),
    ("measures", "province", "plans:measure-export", (), {}, False),
    ("barometer", "province", "dashboards:barometer", (), {"export": "xlsx", "year": 2024}, False),
    (
        "region-chart",
        "province",
        "dashboards:region-chart",
        ("city", "360100", "energy_total", "xlsx"),
        {"year": 2024},
        False,
    ),
    ("report-list", "province", "reports:export", ("reports", "xlsx"), {"year": 2024}, False),
    ("report-values", "province", "reports:export", ("values", "xlsx"), {"region": "360102"}, False),
    ("reports-api", "province", "report-export", (), {"file_format": "xlsx"}, True),
    ("values-api", "province", "report-export", (), {"file_format": "xlsx", "content": "values"}, True),
    ("report-template", "donghu", "reports:template", lambda: (_a_report().pk,), {}, False),
    ("report-template-api", "donghu", "report-template", lambda: (_a_report().pk,), {}, True),
]

# Routes that name a file format or mention xlsx but write no xlsx.
NOT_EXPORTS = {
    "report-attachments": "accepts an xlsx among the attachment types",
    "oversight:summary-draft-file": "a PDF or DOCX document",
    "oversight:summary-edition-file": "a PDF or DOCX document",
    "summary-draft-file": "a PDF or DOCX document (API)",
    "summary-edition-file": "a PDF or DOCX document (API)",
}


def _codes() -> set[str]:
    return (
        set(metrics.catalog())
        | set(Indicator.objects.values_list("code", flat=True))
        | set(TargetMetric.values)
    )


def _client(username: str | None, language: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    if language:
        client.cookies["django_language"] = language
    return client


def _download(case, language: str | None = None):
    _id, username, name, args, query, is_api = case
    url = reverse(name, args=args() if callable(args) else args)
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if is_api and language else {}
    response = _client(username, language).get(url, query, **headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), url
    return response.content


def _label(row) -> str:
    return str(row[0] or "") if row else ""


def _check_sheet(sheet, name: str, codes: set[str], *, chinese: bool) -> None:
    where = f"{name} / {sheet.title}"
    assert sheet.freeze_panes, f"{where}: no frozen header row"
    header_at = header_row_of(sheet)
    assert header_at >= 2, f"{where}: no title above the header"
    preamble = preamble_of(sheet)
    assert _label(preamble[0]).strip(), f"{where}: the first row is not a title"
    assert sheet.cell(row=1, column=1).font.b, f"{where}: the title is not bold"
    by_label = {_label(r): r for r in preamble}
    version = "数据版本" if chinese else "Data version"
    generated = "生成时间（北京时间）" if chinese else "Generated at (Beijing time)"
    filters = "筛选条件" if chinese else "Filters"
    assert by_label.get(filters, [None, None])[1], f"{where}: the filters are not stated"
    assert by_label.get(version, [None, None])[1], f"{where}: no data version"
    made = by_label.get(generated, [None, None])[1]
    assert isinstance(made, datetime) and made.tzinfo is None, f"{where}: no local generation time"
    now = datetime.now(SHANGHAI).replace(tzinfo=None)
    assert abs(made - now) < timedelta(minutes=10), f"{where}: {made} is not Beijing time ({now})"

    header, rows = table_of(sheet)
    assert header, f"{where}: no header row"
    for cell in header:
        text = str(cell or "")
        assert text.strip(), f"{where}: an empty header cell in {header}"
        assert text not in codes, f"{where}: the code {text} as a header"
        if chinese:
            assert CJK.search(text) or text.isdigit(), f"{where}: header {text!r} is not Chinese"
        else:
            assert not CJK.search(text), f"{where}: header {text!r} is not English"
    code_columns = {i for i, h in enumerate(header) if "代码" in str(h) or "code" in str(h).lower()}
    for row in rows:
        for i, value in enumerate(row):
            if isinstance(value, str):
                assert not UTC_ISO.search(value), f"{where}: a UTC/ISO time {value!r}"
                if i not in code_columns:
                    assert value not in codes, f"{where}: the code {value!r} under {header[i]!r}"
    for row in preamble:
        for value in row:
            assert not (isinstance(value, str) and UTC_ISO.search(value)), (
                f"{where}: a UTC/ISO time {value!r}"
            )
    from openpyxl.utils import get_column_letter

    for i in range(1, len(header) + 1):
        dimension = sheet.column_dimensions[get_column_letter(i)]
        assert dimension.customWidth and dimension.width >= 6, f"{where}: column {i} has no width"


def _check_workbook(content: bytes, name: str, *, chinese: bool) -> None:
    codes = _codes()
    book = workbook_of(content)
    for sheet in book.worksheets:
        if (name, sheet.title) in MACHINE_SHEETS:
            header = [c.value for c in sheet[1] if c.value is not None]
            assert all(CJK.search(str(h)) for h in header) or not chinese, header
            continue
        _check_sheet(sheet, name, codes, chinese=chinese)


@pytest.mark.parametrize("case", EXPORTS, ids=[c[0] for c in EXPORTS])
def test_every_xlsx_export_has_a_title_chinese_headers_data_version_and_beijing_time(demo, case):
    _check_workbook(_download(case), case[2], chinese=True)


@pytest.mark.parametrize("case", EXPORTS, ids=[c[0] for c in EXPORTS])
def test_every_xlsx_export_speaks_english_to_a_user_who_chose_english(demo, case):
    _check_workbook(_download(case, "en"), case[2], chinese=False)


def _patterns(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _writes_xlsx(pattern: URLPattern) -> bool:
    """A route that names a file format, or a view whose code writes an xlsx."""
    if "fmt>" in str(pattern.pattern) or ".xlsx" in str(pattern.pattern):
        return True
    callback = pattern.callback
    cls = getattr(callback, "cls", None)
    actions = getattr(callback, "actions", None)
    if cls is not None and actions:  # a DRF viewset route: the methods of its actions
        methods = [getattr(cls, a) for a in actions.values()]
    elif cls is not None:  # a DRF APIView
        methods = [cls]
    elif getattr(callback, "view_class", None) is not None:
        methods = [callback.view_class]
    else:
        methods = [inspect.unwrap(callback)]
    for method in methods:
        try:
            source = inspect.getsource(method)
        except (OSError, TypeError):
            continue
        if "xlsx" in source or "Workbook" in source:
            return True
    return False


def test_every_xlsx_export_of_the_urlconf_is_listed_here():
    found = {name for name, pattern in _patterns(get_resolver()) if _writes_xlsx(pattern)}
    listed = {c[2] for c in EXPORTS}
    missing = found - listed - set(NOT_EXPORTS)
    assert not missing, f"xlsx downloads without a test in EXPORTS: {sorted(missing)}"
    assert listed <= found, f"listed but not found in the URLconf: {sorted(listed - found)}"
