"""The public pages (issue 12 item 2): no login, Chinese and English, cached.

Every page shows frozen figures of publications in force only (`disclosure.public`); a year or a
region nothing public names is a 404, whatever the database holds. The expensive part of each
page (charts, tables, explanations) is built once per publication state, language and address
(`core.cache.cached_fragment`, keyed by `public.current()`), and the response carries HTTP caching
headers (`Cache-Control: public`, an ETag from the same key) — the public pages hold no CSRF token
and nothing personal, so a proxy may keep them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.cache import cached_fragment, code_version
from apps.core.exports import download, filter_text, people_xlsx, table_csv
from apps.dashboards import barometer as bm
from apps.dashboards import region as dash_region
from apps.dashboards import tiles
from apps.monitoring import metrics
from apps.monitoring.selectors import EXPORT_HEADER
from apps.targets.models import PlanPeriod

from .. import explain, public
from .. import groups as registry

MAX_AGE = 300
LICENCE_ZH = (
    "本数据由江西省碳达峰碳中和监测门户依法公开，可免费使用、转载，请注明来源；以公开时冻结的数据为准。"
)
LICENCE_EN = (
    "Published by the Jiangxi carbon peak and neutrality portal; free to use and share with "
    "attribution; the figures are those frozen at publication."
)
#: The charts the public region page draws (the dashboard's own, minus none: all are figures).
OVERVIEW_CHARTS = ("energy_intensity", "co2_intensity", "energy_total", "nonfossil", "co2_peak")
METHODOLOGY_DIR = Path(__file__).resolve().parent.parent / "content"


def licence() -> str:
    return LICENCE_ZH if (get_language() or "").startswith("zh") else LICENCE_EN


# ---- HTTP caching ----------------------------------------------------------------------------------


def _etag(request, state) -> str:
    raw = f"{state}|{get_language()}|{code_version()}|{request.get_full_path()}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def _cacheable(request, response: HttpResponse, etag: str) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["ETag"] = etag
    vary = {v.strip() for v in response.get("Vary", "").split(",") if v.strip()}
    response["Vary"] = ", ".join(sorted(vary | {"Accept-Language", "Cookie"}))
    return response


def _not_modified(request, etag: str) -> HttpResponse | None:
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
        return _cacheable(request, response, etag)
    return None


def _page(request, template: str, context: dict, state) -> HttpResponse:
    response = HttpResponse(render_to_string(template, context, request=request))
    return _cacheable(request, response, _etag(request, state))


# ---- resolving the address -------------------------------------------------------------------------


def _year_state(year: int | None):
    """(state stamp, publications in force, the PublishedYear): 404 when `year` is not public."""
    state, pubs = public.current()
    years = public.published_years(pubs)
    if year is None:
        if not years:
            return state, pubs, None, years
        year = years[0]
    if year not in years:
        raise Http404("nothing published for that year")
    return state, pubs, public.published_year(year, pubs), years


def _asked_year(request) -> int | None:
    value = request.GET.get("year")
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) != 4:
        raise Http404("not a year")
    return int(value)


# ---- building blocks ---------------------------------------------------------------------------------


@dataclass
class Node:
    """A published region as `dashboards.region.build_charts` reads a Region (duck-typed)."""

    pk: str
    code: str
    name: str
    level: str
    parent_id: str | None

    def get_level_display(self) -> str:
        return {"province": _("Province"), "city": _("City"), "county": _("County")}.get(
            self.level, self.level
        )


def _number(text: str):
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return None


def _bm_figures(pub: public.PublishedYear, path: str) -> dict[tuple[int, str], tuple]:
    found = {}
    for metric, by_year in pub.series(path).items():
        for y, value in by_year.items():
            number = _number(value)
            found[(y, metric)] = (number, "") if number is not None else (None, value)
    return found


def _ref(region: public.PublicRegion, pub: public.PublishedYear) -> bm.RegionRef:
    parent = pub.regions.get(region.parent_path or "")
    return bm.RegionRef(
        0,
        region.code,
        region.name,
        region.level,
        region.path,
        parent.code if parent else None,
        parent.name if parent else None,
    )


def _series(pub: public.PublishedYear, path: str) -> dash_region.Series:
    series: dash_region.Series = {}
    for metric, by_year in pub.series(path).items():
        series[metric] = {}
        for y, value in by_year.items():
            number = _number(value)
            series[metric][y] = dash_region.Figure(
                float(number) if number is not None else None, "" if number is not None else value
            )
    return series


def _region_url(year: int, region: public.PublicRegion) -> str:
    from django.urls import reverse

    return reverse("disclosure:public-region", args=[year, region.code])


def _charts(pub: public.PublishedYear, region: public.PublicRegion, periods) -> list:
    path = region.path
    series = _series(pub, path)
    parent = pub.regions.get(region.parent_path or "")
    node = Node(path, region.code, region.name, region.level, parent.path if parent else None)
    kids = pub.children(path)
    kin_figures: dict[str, dict[str, float]] = {}
    for r in [region, *([parent] if parent else []), *kids]:
        values = {}
        for metric in dash_region.SHARE_METRICS:
            number = _number(pub.series(r.path).get(metric, {}).get(pub.year, ""))
            if number is not None:
                values[metric] = float(number)
        kin_figures[r.path] = values
    kin = dash_region.Relatives(
        Node(parent.path, parent.code, parent.name, parent.level, None) if parent else None,
        [Node(k.path, k.code, k.name, k.level, path) for k in kids],
        kin_figures,
    )
    index = pub.index_of(path)
    periods = [p for p in periods if p.base_year == index.first_year]  # the published period only
    by_code = {p.code: p for p in periods}
    targets: dict[int, dict[str, float]] = {}
    for period_code, by_metric in index.targets.get(path, {}).items():
        if period_code in by_code:
            targets[by_code[period_code].pk] = {
                m: float(v) for m, v in by_metric.items() if _number(v) is not None
            }
    charts = dash_region.build_charts(
        series, region=node, year=pub.year, periods=periods, targets=targets, kin=kin
    )
    return [c for c in charts.values() if c.figure]


def _warnings(pub: public.PublishedYear, region: public.PublicRegion) -> list[dict]:
    if "warnings" not in pub.groups_of(region.path):
        return []
    series = pub.series(region.path)
    traces = pub.index_of(region.path).explain.get(region.path, {})
    found = []
    for metric in metrics.WARNING_METRICS:
        level = series.get(metric, {}).get(pub.year)
        trace = traces.get(metric) or {}
        found.append(
            {
                "metric": metric,
                "name": metrics.name(metric),
                "level": level if level in bm.LEVELS else "",
                "text": explain.sentence(metric, level or "", trace.get("in") or {}),
            }
        )
    return found


def _key_figures(pub: public.PublishedYear, region: public.PublicRegion) -> list[dict]:
    series = pub.series(region.path)
    catalog = metrics.catalog()
    rows = []
    for code in catalog:
        value = series.get(code, {}).get(pub.year)
        if value is None or code in metrics.WARNING_METRICS:
            continue
        number = _number(value)
        rows.append(
            {
                "label": catalog[code].label,
                "text": metrics.display(code, number, "" if number is not None else value),
            }
        )
    return rows


def _other_groups(pub: public.PublishedYear, region: public.PublicRegion) -> list[dict]:
    """Items of registered groups that are not figures (their own `render`)."""
    found = []
    index = pub.index_of(region.path)
    for key in pub.groups_of(region.path):
        group = registry.get(key)
        if group is None or group.render is None or key not in index.extra:
            continue
        html = group.render(index.extra[key], region.path, pub.year)
        if html:
            found.append({"name": group.name, "html": html})
    return found


def _tiles(pub: public.PublishedYear, rows: list[bm.Row]) -> dict | None:
    if not rows:
        return None
    points = tiles.seat_points()
    placed = [
        tiles.Point(r.region.code, *points[(r.region.level, r.region.code)])
        for r in rows
        if (r.region.level, r.region.code) in points
    ]
    grid = tiles.snap(placed)
    found, unplaced = [], []
    for row in rows:
        level = row.worst
        tile = {
            "region": row.region,
            "level": level,
            "label": metrics.text_label(level) if level else "",
            "url": _region_url(pub.year, pub.regions[row.region.path]),
        }
        cell = grid.cells.get(row.region.code)
        if cell is None:
            unplaced.append(tile)
        else:
            found.append({**tile, "row": cell[0] + 1, "col": cell[1] + 1})
    return {"tiles": found, "unplaced": unplaced, "rows": grid.rows, "cols": grid.cols}


def _table(pub: public.PublishedYear, rows: list[bm.Row]) -> list[dict]:
    found = []
    for row in rows:
        cells = [
            {"level": row.warnings[m], "icon": metrics.LEVEL_ICONS.get(row.warnings[m] or "", "")}
            for m in bm.WARNINGS
        ]
        found.append(
            {
                "row": row,
                "url": _region_url(pub.year, pub.regions[row.region.path]),
                "warnings": [
                    {**c, "label": metrics.text_label(c["level"]) if c["level"] else ""} for c in cells
                ],
                "grade": metrics.display(bm.GRADE, None, row.grade or ""),
                "completion": metrics.display(
                    "energy_intensity_completion", row.figures.get("energy_intensity_completion")
                ),
            }
        )
    return found


# ---- pages --------------------------------------------------------------------------------------------


def _overview_body(pub: public.PublishedYear, years: list[int]) -> str:
    roots = pub.roots
    top = roots[0] if len(roots) == 1 else None
    listed = pub.children(top.path) if top is not None and pub.children(top.path) else roots
    rows = [bm.build_row(_ref(r, pub), _bm_figures(pub, r.path), pub.year) for r in listed]
    periods = list(PlanPeriod.objects.order_by("base_year"))
    charts = []
    if top is not None:
        charts = [c for c in _charts(pub, top, periods) if c.code in OVERVIEW_CHARTS]
    context = {
        "year": pub.year,
        "years": years,
        "top": top,
        "top_warnings": _warnings(pub, top) if top else [],
        "tiles": _tiles(pub, rows),
        "table": _table(pub, rows),
        "warning_names": [metrics.name(m) for m in bm.WARNINGS],
        "counts": bm.count_levels(rows),
        "level_choices": [
            {"value": lv, "icon": metrics.LEVEL_ICONS[lv], "label": metrics.text_label(lv)}
            for lv in bm.LEVELS
        ],
        "charts": charts,
        "regions": list(pub.regions.values()),
        "licence": licence(),
        "data": {"metric": None},
    }
    return render_to_string("disclosure/_public_overview.html", context)


@action_required(Action.PUBLIC_PAGE)
def overview(request, year: int | None = None):
    """The province's overview for the latest published year (or `year`)."""
    year = year if year is not None else _asked_year(request)
    state, _pubs, pub, years = _year_state(year)
    etag = _etag(request, state)
    if (hit := _not_modified(request, etag)) is not None:
        return hit
    if pub is None:
        return _page(request, "disclosure/public_empty.html", {"licence": licence()}, state)
    body = cached_fragment("disclosure.overview", (state, pub.year), lambda: _overview_body(pub, years))
    return _page(
        request,
        "disclosure/public_page.html",
        {"body": body, "title": _("Carbon peak figures %(year)s") % {"year": pub.year}, "has_charts": True},
        state,
    )


def _region_body(pub: public.PublishedYear, region: public.PublicRegion, years: list[int]) -> str:
    periods = list(PlanPeriod.objects.order_by("base_year"))
    crumbs = []
    for ancestor_path in _ancestor_paths(region.path):
        if ancestor_path in pub.regions:
            crumbs.append(pub.regions[ancestor_path])
    index = pub.index_of(region.path)
    publication = pub.owner[region.path]
    context = {
        "year": pub.year,
        "years": [y for y in years],
        "region": Node(region.path, region.code, region.name, region.level, region.parent_path),
        "crumbs": crumbs,
        "warnings": _warnings(pub, region),
        "key_figures": _key_figures(pub, region),
        "charts": _charts(pub, region, periods),
        "children": pub.children(region.path),
        "other_groups": _other_groups(pub, region),
        "groups": [registry.get(k) for k in pub.groups_of(region.path) if registry.get(k)],
        "publication": publication,
        "first_year": index.first_year,
        "licence": licence(),
    }
    return render_to_string("disclosure/_public_region.html", context)


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["".join(f"{p}/" for p in parts[:i]) for i in range(1, len(parts))]


def _published_region(year: int, code: str):
    state, _pubs, pub, years = _year_state(year)
    region = pub.region_by_code(code) if pub is not None and code.isdigit() and len(code) == 6 else None
    if region is None:
        raise Http404("region not published for that year")
    return state, pub, region, years


@action_required(Action.PUBLIC_PAGE)
def region_page(request, year: int, code: str):
    """One published region: warnings explained in words, its charts, key figures, other groups."""
    state, pub, region, years = _published_region(year, code)
    etag = _etag(request, state)
    if (hit := _not_modified(request, etag)) is not None:
        return hit
    body = cached_fragment(
        "disclosure.region", (state, year, region.path), lambda: _region_body(pub, region, years)
    )
    return _page(
        request,
        "disclosure/public_page.html",
        {"body": body, "title": f"{region.name} · {year}", "has_charts": True},
        state,
    )


def _download_rows(pub: public.PublishedYear, paths: list[str]) -> list[tuple]:
    rows = []
    for path in paths:
        code = pub.regions[path].code
        rows += [(code, y, m, v) for _p, y, m, v in pub.rows(path)]
    return rows


def _download(request, pub, paths: list[str], fmt: str, name: str, state) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("unknown format")
    content = cached_fragment(
        "disclosure.download", (state, pub.year, tuple(paths), fmt), lambda: _file(pub, paths, fmt, name)
    )
    response = download(content, f"{name}.{fmt}")
    response["X-Licence"] = "free to use and share with attribution; see /disclosure/terms/"
    response["Link"] = f'<{request.build_absolute_uri("/disclosure/terms/")}>; rel="license"'
    return _cacheable(request, response, _etag(request, state))


def _file(pub, paths: list[str], fmt: str, name: str) -> str | bytes:
    """The download's content, built once per publication state, language and file."""
    rows = _download_rows(pub, paths)
    if fmt == "csv":
        # exchange.md "Assessments": machine-shaped, importable as it is; the licence goes in the
        # response headers, the xlsx and the terms page.
        return table_csv(EXPORT_HEADER, rows)
    names = {r.code: r.name for r in (pub.regions[p] for p in paths)}
    labelled = [
        (
            names.get(c, c),
            c,
            y,
            metrics.name(m),
            m,
            _xlsx_value(v),
            metrics.info(m).unit if m in metrics.catalog() else "",
        )
        for c, y, m, v in rows
    ]
    versions = sorted({pub.owner[p].data_version for p in paths if p in pub.owner})
    region = [filter_text(_("Region"), next(iter(names.values())))] if len(paths) == 1 else []
    return people_xlsx(
        _("Published figures %(year)s") % {"year": pub.year},
        [_("Region"), _("Region code"), _("Year"), _("Metric"), _("Metric code"), _("Value"), _("Unit")],
        labelled,
        filters=[filter_text(_("Year"), pub.year), *region],
        version="；".join(versions) if versions else None,
        notes=[licence(), _("Exactly the figures published; full precision.")],
        sheet_title=str(pub.year),
    )


def _xlsx_value(value: str):
    number = _number(value)
    return number if number is not None else value


@action_required(Action.PUBLIC_PAGE)
def region_download(request, year: int, code: str, fmt: str):
    """Exactly the published figures of one region (its rows of every published group)."""
    state, pub, region, _years = _published_region(year, code)
    return _download(request, pub, [region.path], fmt, f"published-{region.code}-{year}", state)


@action_required(Action.PUBLIC_PAGE)
def year_download(request, year: int, fmt: str):
    """Exactly the published figures of every region public for `year`."""
    state, _pubs, pub, _years = _year_state(year)
    return _download(request, pub, list(pub.regions), fmt, f"published-{year}", state)


@action_required(Action.PUBLIC_PAGE)
def methodology(request):
    """How the figures are computed, in words (from shared/spec/methodology.md), zh and en."""
    lang = "zh" if (get_language() or "").startswith("zh") else "en"
    text = cached_fragment("disclosure.methodology", (lang,), lambda: _methodology_html(lang))
    state = ("methodology",)
    etag = _etag(request, state)
    if (hit := _not_modified(request, etag)) is not None:
        return hit
    return _page(
        request,
        "disclosure/public_page.html",
        {"body": text, "title": _("How the figures are computed"), "has_charts": False},
        state,
    )


def _methodology_html(lang: str) -> str:
    sections = []
    path = METHODOLOGY_DIR / f"methodology.{lang}.txt"
    title = ""
    paragraphs: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            if title or paragraphs:
                sections.append((title, paragraphs))
            title, paragraphs = line[3:].strip(), []
        elif line.strip():
            paragraphs.append(line.strip())
    if title or paragraphs:
        sections.append((title, paragraphs))
    return render_to_string(
        "disclosure/_methodology.html",
        {
            "sections": [
                {"title": t, "html": format_html_join("", "<p>{}</p>", ((p,) for p in ps))}
                for t, ps in sections
            ],
            "licence": licence(),
        },
    )


@action_required(Action.PUBLIC_PAGE)
def terms(request):
    state = ("terms",)
    return _page(
        request,
        "disclosure/public_page.html",
        {
            "body": render_to_string("disclosure/_terms.html", {"licence": licence()}),
            "title": _("Terms of use"),
        },
        state,
    )


@action_required(Action.PUBLIC_PAGE)
def language(request, code: str):
    """Switch the language by a plain link (the public pages carry no form and no CSRF token)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404("unknown language")
    target = request.GET.get("next") or "/disclosure/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/disclosure/"
    translation.activate(code)
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax")
    return response
