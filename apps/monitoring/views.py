import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.exports import download, table_xlsx, write_csv
from apps.core.forms import add_service_errors
from apps.core.views import bound_args, paginate
from apps.regions.models import RegionLevel
from apps.regions.selectors import by_code

from . import dispatch, engine, scoring
from .forms import MeasuresScoreClearForm, MeasuresScoreForm
from .models import (
    Assessment,
    AssessmentTrace,
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


@action_required(Action.READ_ASSESSMENTS)
def overview(request):
    """Regions × key metrics for one year: read from stored results only."""
    qs = assessments_for(request.user)
    years = sorted(set(qs.values_list("year", flat=True)), reverse=True)
    year = (
        int(request.GET["year"]) if request.GET.get("year", "").isdigit() else (years[0] if years else None)
    )
    level = request.GET.get("level", "")
    rows: dict[int, dict] = {}
    if year is not None:
        figures = qs.filter(year=year, metric__in=OVERVIEW_METRICS).select_related("region")
        if level in WarningLevel.values:
            flagged = qs.filter(year=year, level=level).values("region_id")
            figures = figures.filter(region_id__in=flagged)
        for a in figures.order_by("region__path"):
            row = rows.setdefault(a.region_id, {"region": a.region, "figures": {}})
            row["figures"][a.metric] = a
    page = paginate(request, list(rows.values()), 50)
    return render(
        request,
        "monitoring/overview.html",
        {
            "page": page,
            "year": year,
            "years": years,
            "level": level,
            "levels": WarningLevel.choices,
            "metrics": OVERVIEW_METRICS,
            "can_recompute": scoping.can(request.user, Action.START_RECOMPUTE),
        },
    )


@action_required(Action.READ_ASSESSMENTS)
def region_year(request, level: str, code: str, year: int):
    """Every figure of a region-year with its formula and inputs, and what is missing and why."""
    region = get_object_or_404(
        scoping.regions_for(request.user, Action.READ_ASSESSMENTS), code=code, level=level
    )
    figures = attach_traces(Assessment.objects.filter(region=region, year=year))
    order = {m: i for i, m in enumerate(engine.METRICS)}
    figures.sort(key=lambda a: order.get(a.metric, len(order)))
    missing = MissingFigure.objects.filter(region=region, year=year).order_by("metric")
    years = sorted(
        set(Assessment.objects.filter(region=region).values_list("year", flat=True))
        | set(MissingFigure.objects.filter(region=region).values_list("year", flat=True))
    )
    return render(
        request,
        "monitoring/region_year.html",
        {
            "region": region,
            "year": year,
            "years": years,
            "figures": figures,
            "missing": missing,
            "hierarchy": HierarchyCheck.objects.filter(region=region, year=year).first(),
            "percent_metrics": engine.PERCENT_METRICS,
            "trace": figures[0].trace if figures else None,
            "can_score": scoping.can(request.user, Action.ENTER_MEASURES_SCORE, region=region)
            and year in scoring.scoring_years(),
        },
    )


@action_required(Action.READ_ASSESSMENTS)
def export(request):
    """The assessments CSV (exchange.md) or an xlsx of it, limited to what the user may read."""
    region = by_code(request.GET["region"]) if request.GET.get("region") else None
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else None
    rows = export_rows(year=year, region=region, user=request.user)
    if request.GET.get("format") == "xlsx":
        numbers = (
            [code, y, metric, value if metric in engine.TEXT_METRICS else float(value)]
            for code, y, metric, value in rows
        )
        return download(table_xlsx("assessments", EXPORT_HEADER, numbers, styled=False), "assessments.xlsx")
    out = io.StringIO()
    write_csv(out, EXPORT_HEADER, rows, lineterminator="\n")
    return download(out.getvalue(), "assessments.csv")


@action_required(Action.START_RECOMPUTE)
def runs(request):
    page = paginate(request, RecomputeRun.objects.select_related("scope_region", "triggered_by"), 25)
    return render(request, "monitoring/runs.html", {"page": page})


@action_required(Action.START_RECOMPUTE)
def run_detail(request, pk: int):
    run = get_object_or_404(RecomputeRun.objects.select_related("scope_region", "triggered_by"), pk=pk)
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
    years = scoring.scoring_years()
    if not years:
        raise Http404
    # years with computed figures (traces: one row per region-year, far fewer than the figures)
    graded = set(AssessmentTrace.objects.filter(year__in=years).values_list("year", flat=True).distinct())
    year = _int_param(request, "year")
    if year not in years:
        if "year" in request.GET:
            raise Http404
        year = max(graded) if graded else years[0]
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
            "years": years,
            "city": city,
            "cities": cities.order_by("path"),
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
