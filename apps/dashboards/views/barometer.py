"""The barometer page (`/dashboards/`) and its CSV / xlsx downloads: thin over `dashboards.barometer`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.cache import cached_fragment, params_key, scope_key
from apps.core.exports import Cell, download, filter_text, number_format, people_xlsx, table_csv
from apps.core.views import paginate
from apps.monitoring import metrics, years
from apps.monitoring.models import CompleteYear
from apps.regions.models import RegionLevel

from .. import barometer as bm
from .. import tiles

TEMPLATE = "dashboards/barometer.html"
BODY_TEMPLATE = "dashboards/_barometer_body.html"
PAGE_SIZE = 200
#: More tiles than this make a grid nobody reads; the page then asks for a parent region.
MAX_TILES = 150
PARAMS = ("parent", "region_level", "metric", "level", "sort")


def region_dashboard_url(level: str, code: str) -> str:
    """The region dashboard's URL (`dashboards:region`), or its path while that page is not routed."""
    try:
        return reverse("dashboards:region", args=[level, code])
    except NoReverseMatch:
        return f"/dashboards/{level}/{code}/"


class Links:
    """Where a row or tile leads, built once per request (hundreds of rows: no copy or reverse per row).

    A region with regions below it opens them here, the other filters kept (the level and the page
    reset); a county opens its region dashboard for the same year (at its own default year when it
    has no figures of that year: that page answers an unknown year with a 404).
    """

    def __init__(self, request, year: int):
        params = request.GET.copy()
        for key in ("region_level", "page", "export", "parent"):
            params.pop(key, None)
        params["year"] = str(year)  # the link says which year it shows, whatever the default later
        rest = params.urlencode()
        self.prefix = f"?{rest}&parent=" if rest else "?parent="
        self.year = year
        sample = region_dashboard_url("county", "000000")
        self.dashboard = sample.replace("county", "{level}", 1).replace("000000", "{code}", 1)

    def __call__(self, row: bm.Row) -> str:
        if row.region.level in bm.CHILD_LEVEL:
            return self.prefix + row.region.code
        url = self.dashboard.format(level=row.region.level, code=row.region.code)
        if not any(row.warnings.values()) and all(v is None for v in row.figures.values()):
            return url  # no figures of this year yet (its report is open): the dashboard's own default
        return f"{url}?year={self.year}"


def _years_page_url() -> str | None:
    try:
        return reverse("monitoring:years")
    except NoReverseMatch:
        return None


def _year(request, available: list[int], default: int | None) -> int | None:
    """The year asked for (404 when it has no figures the user may read) or the default year."""
    asked = request.GET.get("year", "")
    if asked:
        if not asked.isdigit() or int(asked) not in available:
            raise Http404("no figures for that year")
        return int(asked)
    return default if default in available else (available[0] if available else None)


def _cells(row: bm.Row, labels: dict[str, str]) -> list[dict]:
    """The table cells of a row, ready to show: warnings with last year's level, rounded figures."""
    cells = [
        {
            "metric": m,
            "kind": "warning",
            "level": row.warnings[m],
            "previous": row.previous[m],
            "changed": row.previous[m] is not None and row.warnings[m] != row.previous[m],
            "worsened": _rank(row.warnings[m]) < _rank(row.previous[m]),
            "previous_label": labels.get(row.previous[m], ""),
            "icon": metrics.LEVEL_ICONS.get(row.warnings[m], ""),
            "label": labels.get(row.warnings[m], ""),
        }
        for m in bm.WARNINGS
    ]
    cells.append(
        {"metric": bm.GRADE, "kind": "grade", "text": metrics.display(bm.GRADE, None, row.grade or "")}
    )
    cells += [{"metric": m, "kind": "number", "text": metrics.display(m, row.figures[m])} for m in bm.FIGURES]
    return cells


def _rank(level: str | None) -> int:
    return bm.LEVELS.index(level) if level in bm.LEVELS else len(bm.LEVELS)


def _tiles(data: bm.Barometer, link: Links) -> dict | None:
    """Tiles of the shown regions placed by their seat points; regions without a point follow."""
    if not data.rows or len(data.rows) > MAX_TILES:
        return None
    points = tiles.seat_points()
    placed = [
        tiles.Point(r.region.code, *points[(r.region.level, r.region.code)])
        for r in data.rows
        if (r.region.level, r.region.code) in points
    ]
    grid = tiles.snap(placed)
    found, unplaced = [], []
    for row in data.rows:
        level = row.level_of(data.metric)
        tile = {
            "region": row.region,
            "level": level,
            "label": metrics.text_label(level) if level else "",
            "url": link(row),
        }
        cell = grid.cells.get(row.region.code)
        if cell is None:
            unplaced.append(tile)
        else:
            found.append({**tile, "row": cell[0] + 1, "col": cell[1] + 1})
    return {"tiles": found, "unplaced": unplaced, "rows": grid.rows, "cols": grid.cols}


def _columns(sort: str | None) -> list[dict]:
    """The sortable headers: name, where the header links, aria-sort."""
    columns = [{"key": "region", "label": _("Region"), "kind": "region"}]
    columns += [{"key": m, "label": metrics.info(m).label, "kind": metrics.info(m).kind} for m in bm.METRICS]
    for column in columns:
        column["sort"] = bm.next_sort(sort, column["key"])
        column["aria_sort"] = bm.sort_direction(sort, column["key"])
    return columns


def _breadcrumb(request, data: bm.Barometer) -> list[dict]:
    """The user's own region down to the shown parent; every step but the last links (filters kept)."""
    crumbs = []
    for i, region in enumerate(data.breadcrumb):
        url = None
        if i < len(data.breadcrumb) - 1:
            params = request.GET.copy()
            for key in ("region_level", "page", "export", "parent"):
                params.pop(key, None)
            if data.user_anchor is None or region.code != data.user_anchor.code:
                params["parent"] = region.code
            url = f"?{params.urlencode()}"
        crumbs.append({"name": region.name, "url": url})
    return crumbs


def _counts(data: bm.Barometer) -> list[dict]:
    return [
        {
            "metric": m,
            "cells": [{"level": lv, "count": data.counts[m][lv]} for lv in bm.LEVELS],
            "none": data.counts[m]["none"],
        }
        for m in bm.WARNINGS
    ]


def _page_errors(request, exc: ValidationError) -> list[str]:
    """A bad filter in the address, said for people: the filter's label, not the parameter's code."""
    labels = {
        "parent": _("Within"),
        "region_level": _("Regions"),
        "metric": _("Warning indicator"),
        "level": _("Warning level"),
        "sort": _("Sort"),
    }
    found = []
    for name, messages in exc.message_dict.items():
        text = " ".join(messages)
        if name != "parent":
            text = _("“%(value)s” is not one of the choices.") % {"value": request.GET.get(name, "")}
        found.append(f"{labels.get(name, name)}: {text}")
    return found


def _level_choice(level: str) -> dict:
    return {"value": level, "icon": metrics.LEVEL_ICONS[level], "label": metrics.text_label(level)}


@action_required(Action.READ_ASSESSMENTS)
def barometer(request):
    """Every region of a level with its six warnings, as a sortable table and a tile grid.

    The page body (table, tiles, counts, changes) is built once per jurisdiction, language, query
    and data version and kept in the cache (`apps.core.cache`); the shell is rendered per request."""
    version = years.data_version()
    stamp = years.figures_stamp(version)
    available, default = years.cached_years(request.user, bm.years_for, stamp=stamp)
    year = _year(request, available, default)
    fmt = request.GET.get("export", "")
    if year is not None and fmt in ("csv", "xlsx"):
        try:
            data = bm.barometer(request.user, year=year, **_filter_args(request))
        except ValidationError:
            pass  # the page says what is wrong with the filters
        else:
            return _csv(data) if fmt == "csv" else _xlsx(data, version)
    declared = (
        CompleteYear.objects.filter(year=year).exists()
        if year is not None and scoping.can(request.user, Action.DECLARE_YEAR_COMPLETE)
        else True
    )
    key = (
        scope_key(request.user),
        year,
        available,
        params_key(request.GET),
        stamp,
        declared,
    )
    status, body = cached_fragment(
        "barometer", key, lambda: _body(request, available, year, version, declared)
    )
    context = {"year": year, "years": available, "data_version": version, "body": body}
    return render(request, TEMPLATE, context, status=status)


def _changes_shown(data: bm.Barometer, page) -> list[bm.Change]:
    """The changes since last year of the regions the table shows: all of them on one page, the
    page's own when the table is paged (thousands of counties change thousands of warnings: a list
    nobody reads, and most of the page's weight)."""
    if page.paginator.num_pages <= 1:
        return data.changes
    shown = {item["row"].region.code for item in page.object_list}
    return [c for c in data.changes if c.region.code in shown]


def _filter_args(request) -> dict:
    return {k: request.GET.get(k) or None for k in PARAMS}


def _body(request, available: list[int], year: int | None, version, declared: bool) -> tuple[int, str]:
    """(status, the page body's HTML): everything below the header, for the cache."""
    context = {
        "years": available,
        "year": year,
        "data_version": version,
        "level_choices": [
            {"value": lv, "icon": metrics.LEVEL_ICONS[lv], "label": metrics.text_label(lv)}
            for lv in bm.LEVELS
        ],
        "warnings": bm.WARNINGS,
        "region_levels": [(RegionLevel.CITY, _("Cities")), (RegionLevel.COUNTY, _("Counties"))],
        "params": {k: request.GET.get(k, "") for k in PARAMS},
    }
    if year is None:
        return 200, render_to_string(BODY_TEMPLATE, context, request=request)
    try:
        data = bm.barometer(request.user, year=year, **_filter_args(request))
    except ValidationError as exc:
        context["errors"] = _page_errors(request, exc)
        return 400, render_to_string(BODY_TEMPLATE, context, request=request)
    link = Links(request, year)
    labels = {lv: metrics.text_label(lv) for lv in bm.LEVELS}
    rows = [{"row": r, "cells": _cells(r, labels), "url": link(r)} for r in data.rows]
    parents = scoping.regions_for(request.user, Action.READ_ASSESSMENTS).filter(
        level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]
    )
    page = paginate(request, rows, PAGE_SIZE)
    context |= {
        "data": data,
        "page": page,
        "changes": _changes_shown(data, page),
        "changes_of_page": page.paginator.num_pages > 1,
        "anchor_cells": _cells(data.anchor_row, labels) if data.anchor_row else None,
        "parent_column": data.has_parent_column,
        "columns": _columns(data.sort),
        "counts": _counts(data),
        "tiles": _tiles(data, link),
        "too_many_tiles": len(data.rows) > MAX_TILES,
        "parents": list(parents.order_by("path").values_list("code", "name", "level")),
        "declare_hint": not declared,
        "years_page": _years_page_url(),
        "breadcrumb": _breadcrumb(request, data),
        "parent_sort": bm.next_sort(data.sort, "parent"),
        "parent_aria": bm.sort_direction(data.sort, "parent"),
    }
    return 200, render_to_string(BODY_TEMPLATE, context, request=request)


# --- downloads: the same rows as the page ----------------------------------------------------------

MACHINE_HEADER = ("region_code", "region_name", "level", "parent_code", "year", *bm.METRICS)


def _csv(data: bm.Barometer):
    """Machine-shaped: codes, full precision, warnings as red / yellow / green (exchange.md)."""
    rows = (
        (
            r.region.code,
            r.region.name,
            r.region.level,
            r.region.parent_code or "",
            data.year,
            *(r.value(m) for m in bm.METRICS),
        )
        for r in data.rows
    )
    return download(table_csv(MACHINE_HEADER, rows), f"barometer-{data.year}.csv")


def _xlsx(data: bm.Barometer, version) -> object:
    """For people: names and units from the catalog in the user's language, a code column, figures
    shown rounded per the catalog (full precision kept), the filters and data version above."""
    header = [_("Region"), _("Region code"), _("Level"), _("Parent region"), _("Year")]
    header += [metrics.info(m).label for m in bm.METRICS]
    level_names = dict(RegionLevel.choices)
    formats = {m: number_format(metrics.info(m).precision) for m in bm.FIGURES}

    def cell(row: bm.Row, metric: str):
        value = row.value(metric)
        if value is None:
            return None
        if metric in bm.WARNINGS or metric == bm.GRADE:
            return metrics.text_label(value)
        return Cell(float(value), formats[metric]) if metric in formats else float(value)

    rows = (
        [
            r.region.name,
            r.region.code,
            str(level_names.get(r.region.level, r.region.level)),
            r.region.parent_name,
            data.year,
        ]
        + [cell(r, m) for m in bm.METRICS]
        for r in data.rows
    )
    filters = [
        filter_text(_("Year"), data.year),
        filter_text(_("Parent region"), data.anchor.name if data.anchor else _("All")),
        filter_text(
            _("Warning shown"), metrics.name(data.metric) if data.metric else _("Worst of the six warnings")
        ),
        filter_text(_("Warning level"), metrics.text_label(data.level) if data.level else _("All")),
    ]
    content = people_xlsx(
        _("Barometer %(year)s") % {"year": data.year},
        header,
        rows,
        filters=filters,
        version=str(version),
        sheet_title=_("Barometer"),
    )
    return download(content, f"barometer-{data.year}.xlsx")
