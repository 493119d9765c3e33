"""The remaining-years planner page and saved scenarios (issue 10, item 5). Thin: the planner
and scenario services compute and check; these views parse the form and lay out the results."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.dashboards import planner, scenarios
from apps.monitoring import metrics
from apps.monitoring.years import data_version
from apps.regions.selectors import by_code
from apps.reports.models import Report

#: The columns of the results table besides the warnings and the grade.
RESULT_COLUMNS = (
    "energy_intensity_reduction_cum",
    "energy_intensity_completion",
    "co2_intensity_reduction_cum",
    "co2_intensity_completion",
    "energy_total_assessed",
    "energy_total_allowed",
    "nonfossil_share",
)


def _region(level: str, code: str, user):
    region = by_code(code)
    if (
        region is None
        or region.level != level
        or not scoping.can(user, Action.READ_ASSESSMENTS, region=region)
    ):
        raise Http404
    return region


def region_dashboard_url(region) -> str:
    """The region dashboard (built alongside); its path when the name is not there yet."""
    try:
        return reverse("dashboards:region", args=[region.level, region.code])
    except NoReverseMatch:
        return f"/dashboards/{region.level}/{region.code}/"


FIELD_NAME = re.compile(r"^(gdp_growth|energy_growth|nonfossil_added)_(\d{4})$")


def _assumptions_from(data) -> list[dict] | None:
    """The per-year assumptions of a submitted form (fields ``gdp_growth_2026`` …), None when the
    form was not submitted; the planner validates years and values."""
    years = sorted({int(m.group(2)) for key in data if (m := FIELD_NAME.match(key))})
    if not years:
        return None
    return [{"year": y, **{name: data.get(f"{name}_{y}", "") for name in planner.FIELDS}} for y in years]


def _form_rows(summary, assumptions, errors: dict) -> list[dict]:
    given = {row["year"]: row for row in assumptions}
    rows = []
    for year in summary.remaining_years:
        row = given.get(year, {})
        rows.append(
            {
                "year": year,
                "fields": [
                    {
                        "name": f"{name}_{year}",
                        "field": name,
                        "value": row.get(name, ""),
                        "errors": errors.get(planner.error_key(year, name), []),
                    }
                    for name in planner.FIELDS
                ],
            }
        )
    return rows


def present(outcome: dict) -> dict:
    """The outcome laid out for people: rounded, translated, every warning a badge."""
    rows = []
    for row in outcome.get("years", []):
        figures = row["figures"]
        rows.append(
            {
                "year": row["year"],
                "assumption": row["assumption"],
                "cells": [
                    {
                        "metric": m,
                        "text": metrics.display(m, figures.get(m)),
                        "why": row["missing"].get(m, ""),
                    }
                    for m in RESULT_COLUMNS
                ],
                "warnings": [
                    {"metric": m, "level": figures.get(m) or "", "why": row["missing"].get(m, "")}
                    for m in metrics.WARNING_METRICS
                ],
                "grade": figures.get("grade") or "",
                "grade_text": metrics.text_label(figures["grade"]) if figures.get("grade") else "—",
                "score": metrics.display("score_target", figures.get("score_target")),
            }
        )
    return {"rows": rows, "columns": RESULT_COLUMNS, "warnings": metrics.WARNING_METRICS, "outcome": outcome}


def chart(outcome: dict, summary) -> tuple[dict, list[dict]]:
    """The Plotly figure (projected vs required cumulative reduction, with the targets) and the
    same series as rows for the table view."""
    series = planner.path_series(outcome, summary)
    labels = {
        "actual": _("actual"),
        "projected": _("scenario (projected)"),
        "required": _("required path"),
        "target": _("period target"),
    }
    data, colours = [], {"energy_intensity": "#1f5f8b", "co2_intensity": "#a0522d"}
    for s in series:
        colour = colours.get(s["metric"], "#444")
        years = [r["year"] for r in s["rows"]]
        actual = [r["value"] if r["kind"] == "actual" else None for r in s["rows"]]
        projected = [
            r["value"] if r["kind"] == "projected" or r is _last_actual(s) else None for r in s["rows"]
        ]
        data += [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{s['name']} · {labels['actual']}",
                "x": years,
                "y": actual,
                "line": {"color": colour},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{s['name']} · {labels['projected']}",
                "x": years,
                "y": projected,
                "line": {"color": colour, "dash": "dash"},
                "marker": {"symbol": "circle-open"},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{s['name']} · {labels['required']}",
                "x": years,
                "y": [r["required"] for r in s["rows"]],
                "line": {"color": colour, "dash": "dot", "width": 1},
            },
        ]
        if s["target"] is not None:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{s['name']} · {labels['target']}",
                    "x": [years[0], years[-1]],
                    "y": [s["target"], s["target"]],
                    "line": {"color": colour, "width": 1},
                    "opacity": 0.5,
                }
            )
    layout = {
        "margin": {"l": 60, "r": 10, "t": 30, "b": 40},
        "height": 400,
        "xaxis": {"dtick": 1, "title": {"text": _("year")}},
        "yaxis": {"title": {"text": _("cumulative reduction since the base year (%)")}, "ticksuffix": "%"},
        "legend": {"orientation": "h", "y": -0.3},
    }
    return {"data": data, "layout": layout}, series


def _last_actual(s: dict):
    """The latest actual point, repeated on the projected line so the two lines join."""
    actual = [r for r in s["rows"] if r["kind"] == "actual"]
    return actual[-1] if actual else None


def _scenario_list(user, region):
    return (
        list(scenarios.scenarios_of_region(user, region))
        if scoping.can(user, Action.READ_SCENARIOS, region=region)
        else []
    )


@action_required(Action.READ_ASSESSMENTS, write=Action.SAVE_SCENARIO)
def planner_page(request, level: str, code: str) -> HttpResponse:
    """What the rest of the period must achieve, the what-if (GET: compute; POST: save as a
    scenario) and the region's saved scenarios."""
    region = _region(level, code, request.user)
    can_save = scoping.can(request.user, Action.SAVE_SCENARIO, region=region)
    if request.method == "POST" and not can_save:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    assumptions = _assumptions_from(data)
    name = ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            scenario = scenarios.scenario_save(
                user=request.user, region=region, name=name, assumptions=assumptions or []
            )
        except ValidationError as exc:
            save_errors = exc.message_dict
        else:
            messages.success(request, _("Scenario saved."))
            return redirect("dashboards:scenario", scenario.pk)
    else:
        save_errors = {}
    summary, outcome, errors = planner.plan(region, assumptions)
    errors = {**errors, **save_errors}
    if assumptions is None:
        assumptions = list(summary.default_assumptions)
    field_keys = {planner.error_key(y, f) for y in summary.remaining_years for f in planner.FIELDS}
    context = {
        "region": region,
        "summary": summary,
        "planner_summary": summary,
        "form_rows": _form_rows(summary, assumptions, errors),
        "form_errors": [m for key, msgs in errors.items() if key not in field_keys for m in msgs],
        "errors": errors,
        "name": name,
        "can_save": can_save,
        "scenarios": _scenario_list(request.user, region),
        "region_url": region_dashboard_url(region),
        "data_version": data_version(),
        "year": summary.latest_year,
    }
    if outcome is not None:
        figure, series = chart(outcome, summary)
        context.update({"result": present(outcome), "figure": figure, "series": series})
    return render(request, "dashboards/planner.html", context)  # htmx swaps #planner-main out of it


def _scenario(request, pk: int):
    return get_object_or_404(scenarios.scenarios_for(request.user), pk=pk)


@action_required(Action.READ_SCENARIOS, write=Action.SAVE_SCENARIO)
def scenario_detail(request, pk: int) -> HttpResponse:
    """One saved scenario: its assumptions and the outcome as computed when saved (labelled
    "scenario"), the data version of then, and attach / delete for those who may."""
    scenario = _scenario(request, pk)
    can_save = scoping.can(request.user, Action.SAVE_SCENARIO, region=scenario.region)
    figure, series = chart(scenario.outcome, _summary_for(scenario))
    current = data_version()
    context = {
        "scenario": scenario,
        "region": scenario.region,
        "result": present(scenario.outcome),
        "figure": figure,
        "series": series,
        "can_save": can_save,
        "reports": scenarios.attachable_reports(request.user, scenario.region) if can_save else [],
        "planner_url": reverse("dashboards:planner", args=[scenario.region.level, scenario.region.code]),
        "data_version": scenario.data_version,
        "current_version": current,
        "outdated": current.run_id != scenario.data_run_id,
        "year": scenario.latest_year,
    }
    return render(request, "dashboards/scenario_detail.html", context)


def _summary_for(scenario) -> planner.PlannerSummary:
    """What the chart needs of a saved scenario: its period and the targets as they were when saved."""
    from apps.monitoring import engine

    period = engine.Period(scenario.period.code, scenario.period.base_year, scenario.period.length)
    targets = scenario.outcome.get("targets", {})
    needs = tuple(planner.IntensityNeed(m, targets.get(m), None, None) for m in planner.INTENSITIES)
    return planner.PlannerSummary(scenario.region, period=period, intensities=needs)


@require_POST
@action_required(Action.READ_SCENARIOS, write=Action.SAVE_SCENARIO)
def scenario_attach(request, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    report = Report.objects.filter(pk=request.POST.get("report") or 0).first()
    try:
        if report is None:
            raise ValidationError({"report": [scenarios.wrong_report_message()]})
        scenarios.scenario_attach_to_report(user=request.user, scenario=scenario, report=report)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, _("Attached to the report as its recovery plan."))
    return redirect("dashboards:scenario", scenario.pk)


@require_POST
@action_required(Action.READ_SCENARIOS, write=Action.SAVE_SCENARIO)
def scenario_delete(request, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    region = scenario.region
    try:
        scenarios.scenario_delete(user=request.user, scenario=scenario)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
        return redirect("dashboards:scenario", scenario.pk)
    messages.success(request, _("Scenario deleted."))
    return redirect("dashboards:planner", region.level, region.code)
