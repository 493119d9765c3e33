"""Candidates for 通报 / 约谈, refreshed after each recompute run from the stored figures.

Set-based: a handful of queries in (stored assessments, traces, periods, targets, reported
values, overdue measures), the pure rules of `rules.py`, then the candidates of the refreshed
scope replaced in one transaction. Decided candidates are never deleted nor changed: they keep
the figures they were decided on, and `still_met` tells whether the latest figures still name them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from apps.monitoring import engine
from apps.monitoring.models import Assessment, AssessmentTrace
from apps.monitoring.years import data_version
from apps.organizations.models import Department
from apps.plans.models import Measure, MeasureStatus
from apps.regions.models import Region
from apps.reports.models import ReportValue
from apps.reports.selectors import in_force_reports
from apps.targets.models import PlanPeriod, RegionTarget

from . import rules
from .models import Candidate, Threshold
from .rules import Finding, RegionYear, Thresholds

METRICS = (
    "energy_intensity_warning_progress",
    "co2_intensity_warning_progress",
    "energy_total_warning",
    "grade",
    "energy_intensity_reduction_cum",
    "co2_intensity_reduction_cum",
    "energy_total_assessed",
    "energy_total_allowed",
    "energy_intensity_reduction_yoy",
)


def thresholds() -> Thresholds:
    """The thresholds in force (the defaults of `Thresholds` for a row an administrator removed)."""
    found = dict(Threshold.objects.values_list("code", "value"))
    default = Thresholds()
    return Thresholds(
        overdue_days=int(found.get(Threshold.OVERDUE_DAYS, default.overdue_days)),
        campaign_multiple=float(found.get(Threshold.CAMPAIGN_MULTIPLE, default.campaign_multiple)),
        campaign_gdp_index=float(found.get(Threshold.CAMPAIGN_GDP_INDEX, default.campaign_gdp_index)),
    )


def rectification_days() -> int:
    value = (
        Threshold.objects.filter(code=Threshold.RECTIFICATION_DAYS).values_list("value", flat=True).first()
    )
    return int(value) if value else 90


def _float(value) -> float | None:
    return None if value is None else float(value)


def _level(rows: dict, metric: str) -> str:
    found = rows.get(metric)
    return found.level if found else ""


def _value(rows: dict, metric: str) -> float | None:
    found = rows.get(metric)
    return _float(found.value) if found else None


def region_years(
    region_ids: Sequence[int] | None, years: Iterable[int] | None = None
) -> list[tuple[int, RegionYear]]:
    """What the rules read of every region-year with figures (regions with a parent only: the
    province is not its own candidate). Six queries whatever the number of regions."""
    regions = Region.objects.filter(parent__isnull=False)
    if region_ids is not None:
        regions = regions.filter(pk__in=region_ids)
    region_pks = regions.values("pk")
    figures: dict[tuple[int, int], dict[str, Assessment]] = defaultdict(dict)
    for row in Assessment.objects.filter(region__in=region_pks, metric__in=METRICS).only(
        "region_id", "year", "metric", "value", "level"
    ):
        figures[(row.region_id, row.year)][row.metric] = row
    periods = {p.code: p for p in PlanPeriod.objects.all()}
    period_of = {
        (r, y): periods.get(code)
        for r, y, code in AssessmentTrace.objects.filter(region__in=region_pks).values_list(
            "region_id", "year", "period"
        )
    }
    targets: dict[tuple, float] = {}
    for r, code, metric, year, value in RegionTarget.objects.filter(
        region__in=region_pks,
        metric__in=[
            "energy_intensity_reduction",
            "co2_intensity_reduction",
            "energy_intensity_reduction_annual",
        ],
    ).values_list("region_id", "period__code", "metric", "year", "value"):
        targets[(r, code, metric, year)] = float(value)
    reported: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    reports = in_force_reports().filter(region_id__in=region_pks).values("pk")
    for r, y, code, value in ReportValue.objects.filter(
        report__in=reports, indicator__code__in=["energy_total", "gdp_index"], value__isnull=False
    ).values_list("report__region_id", "report__year", "indicator__code", "value"):
        reported[(r, y)][code] = float(value)

    wanted = set(years) if years is not None else None
    out = []
    for (region_id, year), rows in sorted(figures.items()):
        if wanted is not None and year not in wanted:
            continue
        period = period_of.get((region_id, year))
        prev = figures.get((region_id, year - 1), {})
        k = n = None
        graded = "energy_intensity"
        target = annual = None
        if period is not None:
            n = period.length
            k = year - period.base_year
            graded = "energy_intensity" if period.last_year <= engine.ENERGY_GRADED_UNTIL else "co2_intensity"
            target = targets.get((region_id, period.code, f"{graded}_reduction", None))
            annual = targets.get((region_id, period.code, "energy_intensity_reduction_annual", year))
            if annual is None:
                energy_target = targets.get((region_id, period.code, "energy_intensity_reduction", None))
                if energy_target is not None and n:
                    annual = engine.annual_requirement_from_target(energy_target / 100, n) * 100

        here, before = reported.get((region_id, year), {}), reported.get((region_id, year - 1), {})
        out.append(
            (
                region_id,
                RegionYear(
                    year=year,
                    k=k,
                    n=n,
                    graded=graded,
                    progress_level=_level(rows, f"{graded}_warning_progress"),
                    progress_level_prev=_level(prev, f"{graded}_warning_progress"),
                    total_level=_level(rows, "energy_total_warning"),
                    total_level_prev=_level(prev, "energy_total_warning"),
                    grade=_level(rows, "grade"),
                    cum_reduction_pct=_value(rows, f"{graded}_reduction_cum"),
                    target_pct=target,
                    total_assessed=_value(rows, "energy_total_assessed"),
                    total_allowed=_value(rows, "energy_total_allowed"),
                    yoy_reduction_pct=_value(rows, "energy_intensity_reduction_yoy"),
                    annual_requirement_pct=annual,
                    energy_total=here.get("energy_total"),
                    energy_total_prev=before.get("energy_total"),
                    gdp_index=here.get("gdp_index"),
                ),
            )
        )
    return out


def department_findings(today: date, limits: Thresholds) -> dict[int, list[Finding]]:
    """Departments with measures overdue beyond the threshold: {department id: findings}."""
    late_since = today - timedelta(days=limits.overdue_days)
    by_department: dict[int, list[rules.OverdueMeasure]] = defaultdict(list)
    for pk, title, due, status, department_id in (
        Measure.objects.filter(due_date__lt=late_since)
        .exclude(status=MeasureStatus.DONE)
        .values_list("pk", "title", "due_date", "status", "responsible_department_id")
    ):
        by_department[department_id].append(rules.OverdueMeasure(pk, title, due, status))
    found = {}
    for department_id, measures in by_department.items():
        findings = rules.measures_overdue(measures, today, limits)
        if findings:
            found[department_id] = findings
    return found


def candidate_key(year: int, region_id: int, department_id: int | None, finding: Finding) -> str:
    return f"{year}/{region_id}/{department_id or '-'}/{finding.rule}/{finding.metric}"


def refresh(
    *, run_id: int | None = None, region_ids: Sequence[int] | None = None, year: int | None = None
) -> int:
    """Recompute the candidates of the regions (None: all) and year (None: all years) from the
    stored figures, and the departments' overdue measures; store them with the data version.
    Idempotent. Returns the number of candidates in force for the scope."""
    version = data_version()
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the portal's language
        stamp = str(version)
    now = timezone.now()
    today = timezone.localdate()
    limits = thresholds()
    found: dict[str, Candidate] = {}

    def add(region_id, department_id, ry_year, finding: Finding):
        key = candidate_key(ry_year, region_id, department_id, finding)
        found[key] = Candidate(
            key=key,
            region_id=region_id,
            department_id=department_id,
            year=ry_year,
            rule=finding.rule.value,
            metric=finding.metric,
            figures=finding.figures,
            informational=finding.informational,
            run_id=run_id or version.run_id,
            data_version=stamp,
            computed_at=now,
        )

    for region_id, ry in region_years(region_ids, [year] if year else None):
        for finding in rules.region_findings(ry, limits):
            add(region_id, None, ry.year, finding)

    latest_year = Assessment.objects.order_by("-year").values_list("year", flat=True).first()
    departments = {}
    if latest_year is not None and region_ids is None:
        per_department = department_findings(today, limits)
        departments = dict(Department.objects.filter(pk__in=per_department).values_list("pk", "region_id"))
        for department_id, findings in per_department.items():
            for finding in findings:
                add(departments[department_id], department_id, latest_year, finding)

    with transaction.atomic():
        scope = Candidate.objects.select_for_update(of=("self",))
        region_scope = scope.filter(department__isnull=True)
        if region_ids is not None:
            region_scope = region_scope.filter(region_id__in=region_ids)
        if year is not None:
            region_scope = region_scope.filter(year=year)
        stale = list(region_scope.values_list("pk", "key", "decision__id"))
        if region_ids is None:
            stale += list(scope.filter(department__isnull=False).values_list("pk", "key", "decision__id"))
        decided_keys = {key for _pk, key, decision in stale if decision is not None}
        Candidate.objects.filter(pk__in=[pk for pk, key, decision in stale if decision is None]).delete()
        Candidate.objects.filter(key__in=decided_keys - set(found)).update(still_met=False)
        Candidate.objects.filter(key__in=decided_keys & set(found)).update(still_met=True)
        # a refresh of an overlapping scope committing meanwhile wrote the same keys: theirs stand
        Candidate.objects.bulk_create(
            [c for key, c in found.items() if key not in decided_keys], ignore_conflicts=True
        )
    return len(found)
