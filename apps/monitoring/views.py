import io
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.cache import cached_fragment, params_key, scope_key
from apps.core.exports import Cell, download, filter_text, number_format, people_xlsx, write_csv
from apps.core.forms import add_service_errors
from apps.core.views import bound_args, paginate
from apps.regions.models import RegionLevel
from apps.regions.selectors import by_code

from . import dispatch, engine, explain, metrics, scoring, years
from .forms import MeasuresScoreClearForm, MeasuresScoreForm
from .models import (
    Assessment,
    AssessmentTrace,
    CompleteYear,
    HierarchyCheck,
    MeasuresScore,
    MissingFigure,
    RecomputeRun,
    WarningLevel,
)
from .selectors import EXPORT_HEADER, assessments_for, attach_traces, export_rows

OVERVIEW_METRICS = (
    "energy_intensity_reduction_cum",
    "energy_intensity_completion",
    "energy_intensity_warning_annual",
    "energy_intensity_warning_progress",
    "co2_intensity_reduction_cum",
    "co2_intensity_warning_progress",
    "energy_total_warning",
    "nonfossil_share",
)
REGION_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY)


def _year_param(request) -> int | None:
    """`?year=` as a year; anything else in it is a 404 (never a 500)."""
    value = request.GET.get("year", "")
    if not value:
        return None
    if not value.isdigit() or not 1900 <= int(value) <= 2100:
        raise Http404
    return int(value)


@action_required(Action.READ_ASSESSMENTS)
def overview(request):
    """Regions × key metrics for one year (default: `years.default_year`), read from stored results.

    Filters: a warning level, the region level (city / county), the parent city; sortable by any
    column. Three queries for the figures whatever the number of regions, plus the year lists."""
    version = years.data_version()
    stamp = years.figures_stamp(version)
    year_list, default_year = years.cached_years(request.user, stamp=stamp)
    year = _year_param(request) or default_year
    level = request.GET.get("level", "")
    level = level if level in WarningLevel.values else ""
    region_level = request.GET.get("region_level", "")
    region_level = region_level if region_level in REGION_LEVELS else ""
    cities, city_options = cached_fragment(
        "monitoring-cities", (scope_key(request.user), stamp), lambda: _cities(request.user)
    )
    parent = next((c for c in cities if c.code == request.GET.get("parent")), None)
    if request.GET.get("parent") and parent is None:
        raise Http404
    sort, descending = _overview_sort(request.GET.get("sort", ""))
    filters = {
        "year": year or "",
        "level": level,
        "region_level": region_level,
        "parent": parent.code if parent else "",
    }
    columns = [
        {
            "code": code,
            "label": metrics.info(code).label,
            "numeric": not metrics.info(code).is_text,
            "sorted": "desc" if sort == code and descending else ("asc" if sort == code else ""),
            "query": urlencode({**filters, "sort": f"-{code}" if sort == code and not descending else code}),
        }
        for code in OVERVIEW_METRICS
    ]
    context = {
        "year": year,
        "years": year_list,
        "default_year": default_year,
        "level": level,
        "levels": WarningLevel.choices,
        "region_level": region_level,
        "region_levels": [(v, RegionLevel(v).label) for v in REGION_LEVELS],
        "parent": parent,
        "cities": cities,
        "city_options": _selected(city_options, parent.code if parent else None),
        "columns": columns,
        "sort": sort,
        "filters": filters,
        "query": urlencode({**filters, **({"sort": request.GET["sort"]} if sort else {})}),
        "name_sort_query": urlencode(filters),
        "data_version": version,
        "can_recompute": scoping.can(request.user, Action.START_RECOMPUTE),
    }
    key = (
        scope_key(request.user),
        params_key(request.GET),
        year,
        stamp,
    )

    def table() -> str:
        rows = _overview_rows(request.user, year, level, region_level, parent)
        if sort:
            rows.sort(key=lambda row: _sort_key(row, sort), reverse=descending)
            if descending:  # rows without the figure stay last either way
                rows.sort(key=lambda row: row["figures"].get(sort) is None)
        page = paginate(request, rows, 50)
        return render_to_string("monitoring/_overview_table.html", {**context, "page": page}, request=request)

    context["table"] = cached_fragment("monitoring-overview", key, table)
    return render(request, "monitoring/overview.html", context)


@dataclass(frozen=True)
class City:
    pk: int
    code: str
    name: str
    path: str


def _cities(user) -> tuple[list[City], str]:
    """The cities of the user's scope and the filter's options for them (hundreds at national
    scale: read and rendered once per jurisdiction and figures version, not per request)."""
    found = scoping.regions_for(user, Action.READ_ASSESSMENTS).filter(level=RegionLevel.CITY)
    cities = [City(*row) for row in found.order_by("path").values_list("pk", "code", "name", "path")]
    options = format_html_join("", '<option value="{}">{}</option>', ((c.code, c.name) for c in cities))
    return cities, str(options)


def _selected(options: str, code: str | None) -> SafeString:
    """The cities' options with `code` selected (region codes are digits: nothing to escape)."""
    if code:
        options = options.replace(f'<option value="{code}">', f'<option value="{code}" selected>', 1)
    return mark_safe(options)  # built by format_html_join in _cities


def _overview_rows(user, year, level: str, region_level: str, parent) -> list[dict]:
    """The overview's rows {"region", "figures": {metric: Assessment}} in path order (three queries)."""
    if year is None:
        return []
    qs = assessments_for(user)
    figures = qs.filter(year=year, metric__in=OVERVIEW_METRICS).select_related("region")
    if region_level:
        figures = figures.filter(region__level=region_level)
    if parent is not None:
        figures = figures.filter(region__path__startswith=parent.path)
    if level:
        flagged = qs.filter(year=year, level=level).values("region_id")
        figures = figures.filter(region_id__in=flagged)
    rows: dict[int, dict] = {}
    for a in figures.order_by("region__path"):
        row = rows.setdefault(a.region_id, {"region": a.region, "figures": {}})
        row["figures"][a.metric] = a
    return list(rows.values())


def _overview_sort(value: str) -> tuple[str, bool]:
    descending = value.startswith("-")
    code = value.lstrip("-")
    return (code, descending) if code in OVERVIEW_METRICS else ("", False)


def _sort_key(row: dict, code: str):
    """Numbers by value, warnings by severity (red first when ascending); missing figures last."""
    a = row["figures"].get(code)
    if a is None:
        return (1, 0.0, row["region"].path)
    if a.level:
        order = metrics.LEVEL_ORDER
        rank = order.index(a.level) if a.level in order else len(order)
        return (0, float(rank), row["region"].path)
    return (0, float(a.value), row["region"].path)


def _indicator_labels() -> dict[str, str]:
    """Indicator code → name with unit in the active language (one query)."""
    from apps.indicators.models import Indicator

    chinese = (get_language() or "").startswith("zh")
    labels = {}
    for indicator in Indicator.objects.only("code", "name_zh", "name_en", "unit", "unit_en"):
        unit = indicator.unit if chinese else indicator.unit_en
        name = indicator.name_zh if chinese else indicator.name_en
        labels[indicator.code] = (f"{name}（{unit}）" if chinese else f"{name} ({unit})") if unit else name
    return labels


@action_required(Action.READ_ASSESSMENTS)
def region_year(request, level: str, code: str, year: int):
    """Every figure of a region-year with its formula and inputs, and what is missing and why."""
    region = get_object_or_404(
        scoping.regions_for(request.user, Action.READ_ASSESSMENTS), code=code, level=level
    )
    figures = attach_traces(Assessment.objects.filter(region=region, year=year))
    order = {m: i for i, m in enumerate(engine.METRICS)}
    figures.sort(key=lambda a: order.get(a.metric, len(order)))
    labels = _indicator_labels()
    names = {**{c: m.name for c, m in metrics.catalog().items()}, **_indicator_names(labels)}
    for a in figures:
        a.rule_shown = explain.rule_text(a.formula)
        a.input_rows = explain.input_rows(a.inputs, labels)
    missing = list(MissingFigure.objects.filter(region=region, year=year).order_by("metric"))
    for m in missing:
        m.reason_shown = explain.missing_reason(m.reason, names)
        m.metric_shown = _("All figures") if m.metric == engine.ANY_METRIC else metrics.name(m.metric)
    years_list = sorted(
        set(Assessment.objects.filter(region=region).values_list("year", flat=True))
        | set(MissingFigure.objects.filter(region=region).values_list("year", flat=True))
    )
    return render(
        request,
        "monitoring/region_year.html",
        {
            "region": region,
            "year": year,
            "years": years_list,
            "figures": figures,
            "missing": missing,
            "hierarchy": HierarchyCheck.objects.filter(region=region, year=year).first(),
            "trace": figures[0].trace if figures else None,
            "data_version": years.data_version(),
            "can_score": scoping.can(request.user, Action.ENTER_MEASURES_SCORE, region=region)
            and year in scoring.scoring_years(),
        },
    )


def _indicator_names(labels: dict[str, str]) -> dict[str, str]:
    """Names without units (for reasons): the label up to its unit."""
    return {code: label.split("（")[0].split(" (")[0] for code, label in labels.items()}


@action_required(Action.READ_ASSESSMENTS)
def export(request):
    """The assessments CSV (exchange.md, machine-shaped, unchanged) or an xlsx for people."""
    code = request.GET.get("region", "")
    region = by_code(code) if code else None
    if code and region is None:
        raise Http404
    year = _year_param(request)
    if request.GET.get("format") == "xlsx":
        return download(assessments_xlsx(request.user, year=year, region=region), _xlsx_name(year, region))
    rows = export_rows(year=year, region=region, user=request.user)
    out = io.StringIO()
    write_csv(out, EXPORT_HEADER, rows, lineterminator="\n")
    return download(out.getvalue(), "assessments.csv")


def _xlsx_name(year, region) -> str:
    parts = ["assessments", region.code if region else "", str(year) if year else ""]
    return "-".join(p for p in parts if p) + ".xlsx"


def assessments_xlsx(user, *, year: int | None, region) -> bytes:
    """The assessments for people: a title, the filters used, the data version and the time made
    (Asia/Shanghai), headers in the user's language with units, values rounded per the catalog as
    numbers (full precision stays in the cell), the metric code beside its name for machines."""
    qs = assessments_for(user)
    if year is not None:
        qs = qs.filter(year=year)
    if region is not None:
        qs = qs.filter(region=region)
    catalog = metrics.catalog()

    order = {code: i for i, code in enumerate(catalog)}

    def row(code, name, y, metric, value, level):
        entry = catalog.get(metric)
        if level:
            shown = metrics.text_label(level)
        elif value is None:
            shown = None
        elif entry is not None and entry.kind in ("year", "flag"):
            shown = Cell(int(value), "0")
        else:
            shown = Cell(float(value), number_format(entry.precision if entry else 4))
        return (name, code, y, entry.name if entry else metric, metric, shown, entry.unit if entry else "")

    def rows():
        """Region by region (tree order), year by year, metrics in catalog order."""
        group: list[tuple] = []
        for found in (
            qs.order_by("region__path", "year")
            .values_list("region__code", "region__name", "year", "metric", "value", "level")
            .iterator(chunk_size=5000)
        ):
            if group and group[0][:3] != found[:3]:
                yield from (row(*g) for g in sorted(group, key=lambda g: order.get(g[3], len(order))))
                group = []
            group.append(found)
        yield from (row(*g) for g in sorted(group, key=lambda g: order.get(g[3], len(order))))

    filters = [
        filter_text(_("Year"), year) if year else _("Year: all"),
        filter_text(_("Region"), f"{region.name}（{region.code}）")
        if region
        else _("Region: all you may read"),
    ]
    header = [_("Region"), _("Region code"), _("Year"), _("Metric"), _("Metric code"), _("Value"), _("Unit")]
    return people_xlsx(_("Assessment results"), header, rows(), filters=filters, sheet_title=_("Assessments"))


@action_required(Action.READ_ASSESSMENTS, write=Action.DECLARE_YEAR_COMPLETE)
def years_page(request):
    """Per year: coverage, declaration, which year is the default and why; declare / withdraw (POST)."""
    if request.method == "POST":
        return _years_post(request)
    rows = years.coverage(request.user)
    default = years.default_year(request.user)
    by_year = {row.year: row for row in rows}
    chosen = by_year.get(default)
    if chosen is None:
        why = ""
    elif chosen.declared is not None:
        why = "declared"
    elif chosen.covered:
        why = "covered"
    else:
        why = "fallback"
    history = CompleteYear.history.select_related("history_user", "declared_by").order_by(
        "-history_date", "-pk"
    )
    return render(
        request,
        "monitoring/years.html",
        {
            "rows": rows,
            "default_year": default,
            "why": why,
            "threshold": round(years.COVERAGE_SHARE * 100),
            "history": history[:50],
            "can_declare": scoping.holds_everywhere(request.user, Action.DECLARE_YEAR_COMPLETE),
            "data_version": years.data_version(),
            "year": default,
        },
    )


def _years_post(request):
    op = request.POST.get("action", "")
    year = request.POST.get("year", "").strip()
    try:
        if op == "declare":
            entry = years.declare_complete(request.user, year)
            messages.success(request, _("%(year)s declared complete.") % {"year": entry.year})
        elif op == "withdraw":
            if not year.isdigit():
                raise ValidationError({"year": [_("Give a year.")]})
            years.withdraw_complete(request.user, int(year), request.POST.get("reason", ""))
            messages.success(request, _("Declaration for %(year)s withdrawn.") % {"year": year})
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return redirect("monitoring:years")


@action_required(Action.START_RECOMPUTE)
def runs(request):
    page = paginate(request, RecomputeRun.objects.select_related("scope_region", "triggered_by"), 25)
    for run in page:
        run.reason_shown = explain.run_reason(run.reason)
    return render(request, "monitoring/runs.html", {"page": page})


@action_required(Action.START_RECOMPUTE)
def run_detail(request, pk: int):
    run = get_object_or_404(RecomputeRun.objects.select_related("scope_region", "triggered_by"), pk=pk)
    run.reason_shown = explain.run_reason(run.reason)
    template = (
        "monitoring/_run_status.html" if request.headers.get("HX-Request") else "monitoring/run_detail.html"
    )
    return render(request, template, {"run": run})


@require_POST
@action_required(Action.START_RECOMPUTE)
def run_start(request):
    region = None
    code = request.POST.get("region", "").strip()
    if code:
        region = by_code(code)
        if region is None:
            messages.error(request, _("Unknown region code: %(code)s") % {"code": code})
            return redirect("monitoring:runs")
    year = request.POST.get("year", "").strip()
    if year and not year.isdigit():
        messages.error(request, _("The year must be a number."))
        return redirect("monitoring:runs")
    try:
        run = dispatch.run_start(user=request.user, region=region, year=int(year) if year else None)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("monitoring:runs")
    messages.success(request, _("Recompute queued."))
    return redirect("monitoring:run-detail", pk=run.pk)


# --- §9 measures scores --------------------------------------------------------------------------


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@action_required(Action.ENTER_MEASURES_SCORE)
def scores(request):
    """Region-years to score: each region's grade, target part and entered measures score."""
    open_years = scoring.scoring_years()
    if not open_years:
        raise Http404
    # years with computed figures (traces: one row per region-year, far fewer than the figures)
    graded = set(
        AssessmentTrace.objects.filter(year__in=open_years).values_list("year", flat=True).distinct()
    )
    year = _int_param(request, "year")
    if year not in open_years:
        if "year" in request.GET:
            raise Http404
        year = max(graded) if graded else open_years[0]
    cities = scoping.regions_for(request.user, Action.ENTER_MEASURES_SCORE).filter(level=RegionLevel.CITY)
    city = None
    if request.GET.get("city"):
        city = cities.filter(code=request.GET["city"]).first()
        if city is None:
            raise Http404
    rows = scoring.scoring_rows(request.user, year=year, city=city)
    return render(
        request,
        "monitoring/scores.html",
        {
            "page": paginate(request, rows, 50),
            "year": year,
            "years": open_years,
            "city": city,
            "cities": cities.order_by("path"),
            "data_version": years.data_version(),
        },
    )


@action_required(Action.ENTER_MEASURES_SCORE)
def score_edit(request, level: str, code: str, year: int):
    """One region-year's measures score: the form (enter, change, remove) and its history."""
    region = get_object_or_404(
        scoping.regions_for(request.user, Action.ENTER_MEASURES_SCORE), code=code, level=level
    )
    if year not in scoring.scoring_years():
        raise Http404
    current = MeasuresScore.objects.filter(region=region, year=year).select_related("entered_by").first()
    initial = {"score": current.score} if current else {}
    clearing = request.method == "POST" and request.POST.get("clear") == "1"
    form = MeasuresScoreForm(*(bound_args(request) if not clearing else (None,)), initial=initial)
    clear_form = MeasuresScoreClearForm(request.POST if clearing else None)
    status = 200
    if clearing and clear_form.is_valid():
        try:
            scoring.measures_score_clear(
                user=request.user, region=region, year=year, **clear_form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(clear_form, error)
        else:
            messages.success(request, _("Measures score removed; the region is being recomputed."))
            return redirect("monitoring:score", level=region.level, code=region.code, year=year)
    elif request.method == "POST" and not clearing and form.is_valid():
        try:
            scoring.measures_score_set(user=request.user, region=region, year=year, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Measures score saved; the region is being recomputed."))
            return redirect("monitoring:score", level=region.level, code=region.code, year=year)
    if request.method == "POST":
        status = 400
    figures = {
        a.metric: a
        for a in Assessment.objects.filter(region=region, year=year, metric__in=scoring.LIST_METRICS)
    }
    return render(
        request,
        "monitoring/score_form.html",
        {
            "region": region,
            "year": year,
            "form": form,
            "clear_form": clear_form,
            "current": current,
            "figures": figures,
            "history": scoring.score_history(region, year),
        },
        status=status,
    )
