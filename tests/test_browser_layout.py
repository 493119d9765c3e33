"""The layout on a phone and on a desk (issue 15, items 3, 5 and 6), in Chromium on the demo data.

Every page in the navigation of every demo role, and a sample of detail pages (a report form, a
report, a region dashboard, a plan), at 390 px and at 1366 px: the page never scrolls sideways
(`document.documentElement.scrollWidth > innerWidth` fails the test; wide tables scroll inside
their own box), what one taps is at least 44 px high on the phone, and axe-core (vendored by the
axe-playwright-python package, injected by the test, no CDN) finds no serious or critical
violation. The menu folds behind a button with aria-expanded on a phone, and without JavaScript
it stays open. The report form can be filled one-handed at 390 px. One county user walks the
pages in English, chosen with the language switcher.

Names, not codes (issue 15, item 1): during the same visits, the visible text of every page
(at 1366 px for every role in Chinese, at 390 px too for county staff, and the English sample)
holds no code of the catalog where a name belongs — no indicator or metric code, section, status
or role code — and, in Chinese, no ASCII sentence punctuation right after a Chinese character
("年份: 2024" must read "年份：2024"). What is not read as prose is left out on purpose:
form field values, `<code>` elements, and elements marked `data-code` (a secondary code column
or a code shown beside its name, deliberately, for the people who need it). In English only
codes with an underscore are looked for: one-word codes ("draft", "energy") are English words;
in Chinese a one-word code next to another English word ("Total energy consumption", a bilingual
note) is English prose someone wrote, not a code. The validation hints under the report form's
fields are left out until issue 15's validation work (another branch) has named them.

The demo is seeded once for the whole walk (one test), so the walk takes a minute or two.
"""

import csv
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from apps.plans.models import SectorPlan
from apps.reports.models import Report, ReportStatus
from tests.conftest import _seed_demo
from tests.reports.test_browser_flow import browser, catalog  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
# One demo login per role (xihu, a second county, has the same pages as donghu).
ROLES = ("admin", "province", "congress", "energy_dept", "nanchang", "donghu")
COUNTY = "donghu"
# Third-party pages the portal does not draw itself (Swagger UI, Django's admin): the overflow
# check covers them, the touch-target and axe checks do not.
NOT_OURS = ("/api/", "/admin/")
AXE_IMPACTS = ("serious", "critical")

# What sticks out on the right of the page, outside any box of its own that scrolls: the message
# of a failure names the culprits.
OVERFLOW = """() => {
  const width = window.innerWidth, culprits = [];
  if (document.documentElement.scrollWidth <= width) return null;
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let up = el.parentElement, scrolls = false;
    for (; up; up = up.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) { scrolls = true; break; }
    }
    const classes = typeof el.className === 'string' ? el.className.trim().replace(/ +/g, '.') : '';
    if (!scrolls) culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (classes ? '.' + classes : '') + ' ends at ' + Math.round(box.right));
  }
  return {scrollWidth: document.documentElement.scrollWidth, culprits: culprits.slice(0, 5)};
}"""

# Buttons, menus and fields under 44 px high on the phone (visible ones; checkboxes and radio
# buttons are in their labels).
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'button, .button, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), header nav a')]
  .filter(el => { const box = el.getBoundingClientRect();
                   return box.width > 0 && box.height > 0 && box.height < 43.5; })
  .slice(0, 5).map(el => el.outerHTML.slice(0, 120))"""


# The page's visible text as a person reads it (document.body.innerText), without what is
# deliberately machine-readable (code elements, the `.code` secondary code beside a name, elements
# marked data-code such as formulas) or typed into a field.
NOT_PROSE = "code, .code, [data-code], textarea, script, style"
VISIBLE_TEXT = """(notProse) => {
  const hidden = [...document.querySelectorAll(notProse)];
  const saved = hidden.map(el => el.style.display);
  hidden.forEach(el => { el.style.display = 'none'; });
  const text = document.body.innerText;
  hidden.forEach((el, i) => { el.style.display = saved[i]; });
  return text;
}"""

# ASCII sentence punctuation right after a Chinese character: Chinese text takes the
# full-width marks (，。：；！？（）).
ASCII_AFTER_CJK = re.compile(r"[\u4e00-\u9fff][,.:;!?()]")


def catalog_codes() -> dict[str, str]:
    """Every code people should see as a name, → what it is: indicator codes (the catalog),
    metric codes (the monitoring metric catalog), narrative section codes, the status codes of
    every workflow, warning levels and grades, and role codes."""
    from apps.accountability.models import CaseStatus, TaskStatus
    from apps.accounts.roles import Role
    from apps.completeness.selectors import CellState
    from apps.disclosure.models.publications import PublicationStatus
    from apps.disclosure.models.tips import TipStatus
    from apps.indicators.catalog import INDICATORS
    from apps.monitoring.models import Grade, PeakOutlook, RunStatus, WarningLevel
    from apps.oversight.models.inquiries import InquiryStatus
    from apps.oversight.models.summaries import SummaryStatus
    from apps.plans.models import MeasureStatus, PlanStatus
    from apps.reports.models import SectionArea
    from apps.targets.models import TargetMetric

    codes = {d.code: "indicator" for d in INDICATORS}
    metric_csv = Path(settings.BASE_DIR) / "apps/monitoring/data/metric_catalog.csv"
    with metric_csv.open(encoding="utf-8") as f:
        codes.update({row["code"]: "metric" for row in csv.DictReader(f)})
    codes.update({c: "target" for c in TargetMetric.values})
    codes.update({c: "section" for c in SectionArea.values})
    codes.update({c: "role" for c in Role.values})
    for choices in (ReportStatus, CellState, PlanStatus, MeasureStatus, RunStatus, InquiryStatus,
                    SummaryStatus, CaseStatus, TaskStatus, TipStatus, PublicationStatus,
                    WarningLevel, Grade, PeakOutlook):  # fmt: skip
        for c in choices.values:
            codes.setdefault(c, "status")
    return codes


def _code_pattern(codes) -> re.Pattern:
    alternatives = "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_./#-])({alternatives})(?![A-Za-z0-9_/-])")


def _in_english_prose(text: str, start: int, end: int) -> bool:
    """A one-word code ("energy", "published") next to another English word, separated by a
    space: English prose someone wrote (an English definition, a bilingual note), not a code."""
    return bool(re.search(r"[A-Za-z'’]+ $", text[max(0, start - 30) : start])) or bool(
        re.match(r" [A-Za-z]", text[end : end + 2])
    )


def text_problems(label: str, text: str, codes: dict[str, str], english: bool = False) -> list[str]:
    """Codes where names belong, and (in Chinese) ASCII punctuation after Chinese characters,
    in a page's visible text; each problem quotes its context."""
    looked_for = {c: k for c, k in codes.items() if "_" in c} if english else codes
    problems = []
    seen = set()
    for found in _code_pattern(looked_for).finditer(text):
        code = found.group(1)
        if code in seen or ("_" not in code and _in_english_prose(text, found.start(1), found.end(1))):
            continue
        seen.add(code)
        context = text[max(0, found.start() - 25) : found.end() + 25].replace("\n", " ⏎ ")
        problems.append(f"{label}: {looked_for[code]} code {code!r} shown: …{context}…")
    if not english:
        for found in list(ASCII_AFTER_CJK.finditer(text))[:3]:
            context = text[max(0, found.start() - 20) : found.end() + 20].replace("\n", " ⏎ ")
            problems.append(f"{label}: ASCII {found.group()[-1]!r} after Chinese: …{context}…")
    return problems


def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page, source: str) -> list[str]:
    """axe-core's serious and critical violations on the page (WCAG 2.1 A and AA rules)."""
    # evaluate() is not a <script> of the page, so the Content-Security-Policy does not refuse it
    page.evaluate(source)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {json.dumps([n['target'] for n in v['nodes'][:3]])}"
        for v in result["violations"]
        if v["impact"] in AXE_IMPACTS
    ]


def sign_in(browser, live_server, username, **options):  # noqa: F811
    context = browser.new_context(viewport=PHONE, **options)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def check_page(page, url, problems, axe=None, codes=None, read_at=(DESK,), english=False):
    """Open url on the phone, then look at it on the desk too (a reflow, no second load); with
    codes, read its visible text at the viewports of read_at for codes and punctuation."""
    page.set_viewport_size(PHONE)
    response = page.goto(url)
    label = url.split("//", 1)[-1].split("/", 1)[-1]
    ours = not any(f"/{label}".startswith(prefix) for prefix in NOT_OURS)
    if response is None or response.status >= 400:
        problems.append(f"/{label}: answered {response and response.status}")
        return
    for viewport in (PHONE, DESK):
        page.set_viewport_size(viewport)
        overflow = page.evaluate(OVERFLOW)
        if overflow:
            problems.append(f"/{label} at {viewport['width']} px scrolls sideways: {overflow}")
        if viewport is PHONE and ours:
            small = page.evaluate(SMALL_TARGETS)
            if small:
                problems.append(f"/{label} at 390 px has targets under 44 px: {small}")
        if codes and ours and viewport in read_at:
            where = f"/{label} at {viewport['width']} px{' (en)' if english else ''}"
            problems.extend(text_problems(where, page.evaluate(VISIBLE_TEXT, NOT_PROSE), codes, english))
    if axe is not None and ours:
        problems.extend(f"/{label}: {v}" for v in axe_violations(page, axe))


def detail_pages(live_server, username) -> list[str]:
    """A sample of detail pages the user may open: their report form, a report, a region's
    dashboard, a plan."""
    base = live_server.url
    urls = []
    if username == "donghu":
        draft = Report.objects.filter(region__code="360102", status=ReportStatus.DRAFT).first()
        if draft is not None:
            urls += [f"{base}/reports/{draft.pk}/edit/", f"{base}/reports/{draft.pk}/"]
        urls.append(f"{base}/dashboards/county/360102/")
    if username == "province":
        approved = Report.objects.filter(region__code="360100", status=ReportStatus.APPROVED).latest("year")
        urls += [f"{base}/reports/{approved.pk}/", f"{base}/dashboards/city/360100/"]
        urls.append(f"{base}/plans/{SectorPlan.objects.order_by('pk').first().pk}/")
    return urls


def test_every_page_fits_a_phone_and_a_desk_and_names_things_for_every_role(
    browser,  # noqa: F811
    live_server,
    reference_data,
):
    _seed_demo()
    axe = axe_source()
    codes = catalog_codes()
    problems: list[str] = []
    checked_by_axe: set[str] = set()
    for username in ROLES:
        context, page = sign_in(browser, live_server, username)
        assert page.evaluate("document.documentElement.lang") == "zh-hans"  # whatever the browser asks
        nav = page.eval_on_selector_all("header nav a", "links => links.map(a => a.href)")
        assert nav, f"{username} sees no navigation"
        for url in [f"{live_server.url}/", *nav, *detail_pages(live_server, username)]:
            path = url.removeprefix(live_server.url)
            # axe once per page (the first role that sees it), and on the detail pages
            run_axe = path not in checked_by_axe
            checked_by_axe.add(path)
            # names read at 1366 px for everyone, and on the phone too for county staff
            read_at = (PHONE, DESK) if username == COUNTY else (DESK,)
            check_page(page, url, problems, axe if run_axe else None, codes, read_at)
        context.close()

    # A county user switches to English with the switcher: the longer English words fit too.
    context, page = sign_in(browser, live_server, "donghu")
    page.click(".nav-toggle")
    page.select_option("#lang", "en")
    page.click("#lang ~ button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"
    nav = page.eval_on_selector_all("header nav a", "links => links.map(a => a.href)")
    for url in [f"{live_server.url}/", *nav]:
        check_page(page, url, problems, codes=codes, english=True)
    for url in detail_pages(live_server, "donghu"):
        check_page(page, url, problems, axe, codes, english=True)
    context.close()

    assert problems == [], "\n".join(problems)


def test_the_menu_folds_behind_a_button_on_a_phone_and_stays_open_without_javascript(
    browser,  # noqa: F811
    live_server,
    reference_data,
):
    from tests.factories import user_for

    user = user_for("county", username="menu_user")
    blocked = []
    context, page = sign_in(browser, live_server, user.username)
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.reload()
    toggle = page.locator("button.nav-toggle")
    first_link = page.locator("header nav a").first
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "site-menu" and toggle.inner_text().strip()
    assert not first_link.is_visible()
    assert toggle.bounding_box()["height"] >= 44
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and first_link.is_visible()
    assert first_link.bounding_box()["height"] >= 44
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not first_link.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")
    # On a desk the menu is simply there.
    page.set_viewport_size(DESK)
    assert first_link.is_visible() and not toggle.is_visible()
    assert blocked == []  # no inline script: nothing refused by the Content-Security-Policy
    context.close()

    # Without JavaScript the menu is open and the button (which could do nothing) is hidden.
    context, page = sign_in(browser, live_server, user.username, java_script_enabled=False)
    assert page.locator("header nav a").first.is_visible()
    assert not page.locator("button.nav-toggle").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_the_report_form_is_usable_one_handed_at_390_px(browser, live_server, catalog):  # noqa: F811
    from tests.factories import make_report, user_for

    user = user_for("county", username="phone_clerk")
    report = make_report("360102", 2024, ReportStatus.DRAFT)
    context, page = sign_in(browser, live_server, user.username)
    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    page.fill("#id_value_energy_total", "5OO")  # a typo: the error shows beside the field
    page.click("button[name=action][value=save]")
    page.wait_for_load_state()
    row = page.locator("tr", has=page.locator("#id_value_energy_total"))
    parts = {
        "label": row.locator("label[for=id_value_energy_total]"),
        "value": row.locator("#id_value_energy_total"),
        "unit": row.locator("td").nth(1),
        "last year": row.locator("td").nth(2),
        "error": row.locator(".field-error"),
    }
    for name, part in parts.items():
        box = part.bounding_box()
        assert box is not None and box["width"] > 0, name
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # every column says what it is on the phone (its header is hidden there)
    assert row.locator("td").nth(1).get_attribute("data-label")
    context.close()
