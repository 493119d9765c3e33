"""The figure groups of a publication (targets and completion, warnings, total energy, non-fossil
share and path, peak outlook): each freezes the stored `Assessment` rows of its metrics for the
publication's regions, the year and the trend years before it in the plan period, and the period
targets the charts draw as target lines. The warnings group also freezes, per warning of the year,
the formula inputs of its trace, from which the public pages write the plain-language explanation.

Registered at import (`apps.disclosure.apps.DisclosureConfig.ready`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from apps.monitoring import metrics
from apps.monitoring.models import Assessment, AssessmentTrace
from apps.monitoring.selectors import format_value
from apps.targets.models import TargetMetric
from apps.targets.selectors import readable_targets

from .groups import FreezeScope, Group, Row, register_group

TM = TargetMetric


def _intensity(prefix: str) -> tuple[str, ...]:
    return (
        prefix,
        f"{prefix}_reduction_yoy",
        f"{prefix}_reduction_cum",
        f"{prefix}_progress_required",
        f"{prefix}_completion",
        f"{prefix}_target_share",
    )


TARGETS_METRICS = (
    "gdp_const",
    *_intensity("energy_intensity"),
    *_intensity("co2_intensity"),
    "score_target",
    "score_measures",
    "score_total",
    "grade",
)
WARNING_METRICS = metrics.WARNING_METRICS
ENERGY_TOTAL_METRICS = ("energy_total_assessed", "energy_total_allowed")
NONFOSSIL_METRICS = ("nonfossil_share", "nonfossil_share_required")
PEAK_METRICS = (
    "co2_emissions",
    "co2_peak_year",
    "co2_peaked",
    "co2_peak_outlook",
    "gdp_growth_avg",
    "co2_intensity_reduction_avg",
    "co2_intensity_decline_required",
    "lmdi_activity",
    "lmdi_intensity",
    "lmdi_carbon_factor",
    "lmdi_activity_cum",
    "lmdi_intensity_cum",
    "lmdi_carbon_factor_cum",
)


def _freeze_figures(scope: FreezeScope, codes: Iterable[str], target_metrics: Iterable[str]) -> dict:
    """{"figures": [[path, year, metric, value]], "targets": [[path, period, metric, value]]}."""
    paths = {r.pk: r.path for r in scope.regions}
    rows = (
        Assessment.objects.filter(
            region_id__in=list(paths),
            year__gte=scope.first_year,
            year__lte=scope.year,
            metric__in=list(codes),
        )
        .order_by("region_id", "year", "metric")
        .values_list("region_id", "year", "metric", "value", "level")
    )
    figures = [[paths[rid], y, m, format_value(v, lv)] for rid, y, m, v, lv in rows]
    figures.sort(key=lambda r: (r[0], r[1], r[2]))
    targets = []
    wanted = list(target_metrics)
    if wanted:
        found = (
            readable_targets(scope.user)
            .filter(region_id__in=list(paths), year__isnull=True, metric__in=wanted)
            .filter(period__base_year=scope.first_year)  # the period the year is reported in
            .values_list("region_id", "period__code", "metric", "value")
        )
        targets = sorted([paths[rid], period, m, format_value(v, "")] for rid, period, m, v in found)
    return {"figures": figures, "targets": targets}


def _freeze_warnings(scope: FreezeScope) -> dict:
    data = _freeze_figures(scope, WARNING_METRICS, ())
    paths = {r.pk: r.path for r in scope.regions}
    explain: dict[str, dict] = defaultdict(dict)
    present = {(p, m) for p, y, m, _v in data["figures"] if y == scope.year}
    traces = AssessmentTrace.objects.filter(region_id__in=list(paths), year=scope.year).select_related(
        "snapshot"
    )
    for trace in traces:
        path = paths[trace.region_id]
        for metric in WARNING_METRICS:
            if (path, metric) not in present:
                continue
            figure = trace.figures.get(metric) or {}
            inputs = {
                k: (float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
                for k, v in (figure.get("in") or {}).items()
            }
            explain[path][metric] = {"f": figure.get("f", ""), "in": inputs}
    data["explain"] = dict(explain)
    return data


def figure_rows(data) -> Iterable[Row]:
    yield from (data or {}).get("figures", ())


def _group(key, zh, en, codes, targets=(), *, order, desc_zh="", desc_en="", freeze=None) -> Group:
    return register_group(
        Group(
            key=key,
            name_zh=zh,
            name_en=en,
            freeze=freeze or (lambda scope: _freeze_figures(scope, codes, targets)),
            rows=figure_rows,
            description_zh=desc_zh,
            description_en=desc_en,
            order=order,
            metrics=tuple(codes),
        )
    )


TARGETS = _group(
    "targets",
    "目标与完成情况",
    "Targets and completion",
    TARGETS_METRICS,
    (TM.ENERGY_INTENSITY_REDUCTION, TM.CO2_INTENSITY_REDUCTION),
    order=10,
    desc_zh="能耗强度、碳排放强度的下降目标、累计下降、进度要求、完成率与考核等次。",
    desc_en="Energy and CO₂ intensity reduction targets, cumulative reduction, required progress, "
    "completion and grade.",
)
WARNINGS = _group(
    "warnings",
    "预警",
    "Warnings",
    WARNING_METRICS,
    order=20,
    freeze=_freeze_warnings,
    desc_zh="六项红黄绿预警，并附通俗说明。",
    desc_en="The six red / yellow / green warnings, each explained in plain words.",
)
ENERGY_TOTAL = _group(
    "energy_total",
    "能源消费总量",
    "Total energy use",
    ENERGY_TOTAL_METRICS,
    (TM.ENERGY_TOTAL_CAP,),
    order=30,
    desc_zh="能源消费总量及本年允许量、规划期上限。",
    desc_en="Total energy use against the year's allowance and the period cap.",
)
NONFOSSIL = _group(
    "nonfossil",
    "非化石能源占比与路径",
    "Non-fossil share and path",
    NONFOSSIL_METRICS,
    (TM.NONFOSSIL_SHARE,),
    order=40,
    desc_zh="非化石能源消费占比及达到规划目标所需路径。",
    desc_en="The non-fossil share of energy use and the path to the period target.",
)
PEAK = _group(
    "peak",
    "碳达峰展望",
    "Peak outlook",
    PEAK_METRICS,
    order=50,
    desc_zh="碳排放、峰值年份、达峰展望及排放变化的因素分解。",
    desc_en="CO₂ emissions, the peak so far, the peak outlook and the causes of emission changes.",
)
