"""The region dashboard page, its chart downloads and the "my region" shortcut (thin views)."""

from __future__ import annotations

import io

from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.cache import cached_fragment, history_model, latest_pks, params_key, scope_key
from apps.core.exports import Cell, download, filter_text, number_format, people_xlsx, with_unit, write_csv
from apps.monitoring import metrics
from apps.monitoring import years as figure_years
from apps.plans.models import Measure, MeasureStatus, SectorPlan
from apps.reports.models import Report
from apps.targets.models import RegionTarget

from .. import planner
from .. import region as selectors
from ..figures import FigureTable
from ..panels import panel_stamps, region_panels_html


def _region_or_404(user, level: str, code: str):
    region = selectors.readable_region(user, level, code)
    if region is None:
        raise Http404(_("No such region in your jurisdiction."))
    return region


def _year(request, series: selectors.Series) -> tuple[int | None, list[int]]:
    """The year asked for (404 when the region has no figures for it), else the default year."""
    years = sorted({y for by_year in series.values() for y in by_year}, reverse=True)
    asked = request.GET.get("year", "")
    if asked:
        if not asked.isdigit() or int(asked) not in years:
            raise Http404(_("No figures for this year."))
        return int(asked), years
    if not years:
        return None, years
    default = figure_years.default_year(request.user)
    return (default if default in years else years[0]), years


def _dashboard(request, level: str, code: str):
    region = _region_or_404(request.user, level, code)
    series = selectors.region_series(region)
    year, years = _year(request, series)
    charts = {}
    periods = selectors.all_periods() if year is not None else []
    if year is not None:
        charts = selectors.build_charts(
            series,
            region=region,
            year=year,
            periods=periods,
            targets=selectors.region_targets(request.user, region),
            kin=selectors.relatives(request.user, region, year),
        )
    return region, series, year, years, charts, periods


def planner_url(region) -> str:
    return reverse("dashboards:planner", args=[region.level, region.code])


@action_required(Action.READ_ASSESSMENTS)
def region_dashboard(request, level: str, code: str):
    """Where one region stands: warnings, grade, charts with targets and their tables, links.

    The figures part (status, planner summary, charts), the measures and reports cards and the
    panels of the apps above (`panels.py`) are built once per jurisdiction, region, language,
    query, day and data version and kept in the cache (`apps.core.cache`); the page shell is
    rendered per request."""
    region = _region_or_404(request.user, level, code)
    version = figure_years.data_version()
    stamp = figure_years.figures_stamp(version)
    key = (
        scope_key(request.user),
        region.pk,
        params_key(request.GET),
        None if request.GET.get("year") else figure_years.cached_years(request.user, stamp=stamp)[1],
        stamp,
        # target lines and the planner's period targets, the approved inputs the planner reads and
        # the reports listed: index lookups of the newest rows
        # and the measures counted by status (their plans and statuses), in one query
        latest_pks(
            history_model(RegionTarget).objects.all(),
            Report.objects.all(),
            history_model(Report).objects.all(),
            history_model(Measure).objects.all(),
            history_model(SectorPlan).objects.all(),
            *panel_stamps(),
        ),
        timezone.localdate(),  # panels flag what is overdue today
    )
    # with the figures part, the measures counted and the reports the user may read (scoped
    # queries, ~15 ms on national data) as rendered HTML: one cache entry, one read per request
    part = cached_fragment(
        "region-dashboard",
        key,
        lambda: {
            **_figures_part(request, region, version),
            "cards": _cards_html(request, region),
            "panels": region_panels_html(request, region),
        },
    )
    context = {
        "region": region,
        "year": part["year"],
        "data_version": version,
        "body": part["html"],
        "cards": part["cards"]["html"],
        "panels": part["panels"],
        "measure_rows": part["cards"]["measure_rows"],
        "has_charts": part["has_charts"],
    }
    return render(request, "dashboards/region.html", context)


def _cards_html(request, region) -> dict:
    """The measures and reports cards of the region dashboard, rendered once per key (with the
    measure counts they show, for callers that read them)."""
    counts = selectors.measure_counts(request.user, region)
    context = {
        "region": region,
        "measure_rows": [(s, str(label), counts.get(s, 0)) for s, label in MeasureStatus.choices],
        "measure_total": sum(counts.values()),
        "can_read_plans": scoping.can(request.user, Action.READ_PLANS, region=region),
        "reports": list(selectors.region_reports(request.user, region)),
    }
    html = render_to_string("dashboards/_region_cards.html", context, request=request)
    return {"html": html, "measure_rows": context["measure_rows"]}


def _figures_part(request, region, version) -> dict:
    """The cached part of the region dashboard: its HTML, the year shown, whether charts are drawn."""
    _region, series, year, years, charts, periods = _dashboard(request, region.level, region.code)
    period = selectors.period_of(periods, year) if year else None
    warnings = []
    for metric in metrics.WARNING_METRICS:
        figure = series.get(metric, {}).get(year) if year else None
        warnings.append(
            {"metric": metric, "name": metrics.name(metric), "level": figure.level if figure else ""}
        )
    grade = series.get("grade", {}).get(year) if year else None
    context = {
        "region": region,
        "year": year,
        "years": years,
        "data_version": version,
        "warnings": warnings,
        "grade": grade.level if grade else "",
        "grade_label": metrics.text_label(grade.level) if grade else "",
        "provisional": bool(grade and period and year < period.last_year),
        "score_total": series.get("score_total", {}).get(year) if year else None,
        "outlook": series.get("co2_peak_outlook", {}).get(year) if year else None,
        "charts": [charts[c] for c in selectors.CHARTS if c in charts],
        "breadcrumb": selectors.breadcrumb(request.user, region),
        "can_read_targets": scoping.can(request.user, Action.READ_TARGETS, region=region),
        "planner_url": planner_url(region),
        "show_planner": True,
        "planner_summary": planner.remaining_needs(region),
    }
    html = render_to_string("dashboards/_region_body.html", context, request=request)
    return {"html": html, "year": year, "has_charts": bool(context["charts"])}


def _csv(region, year, chart: str, table: FigureTable):
    out = io.StringIO()
    """Machine-shaped: codes, full precision; year-based charts one row per year, the others one
    row per region or effect of the dashboard's year."""
    series = [c.code for c in table.columns]
    if table.x_code == "year":
        columns = ["region_code", "year", *series]
        rows = ([region.code, key, *cells] for key, _label, cells in table.rows)
    else:
        columns = ["region_code", "year", table.x_code, *series]
        rows = ([region.code, year, key, *cells] for key, _label, cells in table.rows)
    write_csv(out, columns, rows, lineterminator="\n")
    return download(out.getvalue(), f"{region.code}-{year}-{chart}.csv")


def _xlsx(region, year, chart, title: str, table: FigureTable, data_version):
    """Exactly the figures the chart draws, for people: the series' names with units as headers,
    the category's code as a secondary column, the chart and region named above."""
    categorical = table.x_code != "year"
    header = [table.x_label] + ([_("Code")] if categorical else [])
    for column in table.columns:
        header.append(with_unit(column.name, column.unit))
    formats = [number_format(c.precision) for c in table.columns]
    rows = [
        ([label, key] if categorical else [key])
        + [None if v is None else Cell(v, f) for v, f in zip(cells, formats, strict=False)]
        for key, label, cells in table.rows
    ]
    content = people_xlsx(
        title,
        header,
        rows,
        filters=[
            filter_text(_("Region"), f"{region.name}（{region.code}）"),
            filter_text(_("Year"), year),
        ],
        version=str(data_version),
        notes=[filter_text(_("Series codes"), ", ".join(c.code for c in table.columns))],
        sheet_title=chart,
    )
    return download(content, f"{region.code}-{year}-{chart}.xlsx")


@action_required(Action.READ_ASSESSMENTS)
def chart_download(request, level: str, code: str, chart: str, fmt: str):
    """Exactly the figures one chart draws, as machine CSV (codes, full precision) or xlsx."""
    if fmt not in ("csv", "xlsx") or chart not in selectors.CHARTS:
        raise Http404(_("No such chart."))
    region, _series, year, _years, charts, _periods = _dashboard(request, level, code)
    found = charts.get(chart)
    if found is None or found.figure is None:
        raise Http404(_("This chart has nothing to draw."))
    if fmt == "csv":
        return _csv(region, year, chart, found.table)
    return _xlsx(region, year, chart, found.title, found.table, figure_years.data_version())


@action_required(Action.READ_ASSESSMENTS)
def my_region(request):
    """The signed-in user's own region's dashboard (county and city staff reach it from the menu)."""
    region = getattr(request.user, "region", None)
    if region is None or not scoping.can(request.user, Action.READ_ASSESSMENTS, region=region):
        raise Http404(_("You have no region of your own."))
    return redirect("dashboards:region", region.level, region.code)
