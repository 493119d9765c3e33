"""The remaining-years planner: what the rest of a plan period must achieve, and what-if projections.

Two questions an official asks in the middle of a five-year period:

1. *What must the rest of the period achieve?* From the latest assessed year k of the period
   (cumulative intensity reduction R_k) the annual reduction still needed to reach the target T
   by year n is ``1 − ((1 − T)/(1 − R_k))^(1/(n − k))``; the energy budget left is the period's
   cap minus the latest assessed total. At k = n the period has ended.
2. *What if?* The user sets, per remaining year, real GDP growth, total energy growth and added
   non-fossil energy. The planner builds projected inputs for those years and runs **the same
   engine** (`apps.monitoring.inputs.compute` → `engine.compute_region`) on the region's approved
   inputs with the projected years appended: no second set of formulas. Nothing projected is ever
   written beside approved data (DESIGN.md); a saved scenario lives in its own table.

Pure functions (`required_annual_reduction`, `plan_position`, `default_assumptions`,
`project_values`, `validate_assumptions`) carry the rules; `remaining_needs()` and `what_if()` load
one region's inputs (a handful of queries) and call them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.monitoring import engine, inputs, metrics, services
from apps.regions.models import Region

#: Bounds of the per-year growth assumptions (percent): wider than any plausible year.
GROWTH_MIN = -50.0
GROWTH_MAX = 50.0
FIELDS = ("gdp_growth", "energy_growth", "nonfossil_added")
#: Fossil fuels whose latest proportions split the projected fossil energy.
FUELS = ("energy_coal", "energy_oil", "energy_gas")
#: What the what-if shows per projected year (besides the six warnings and the grade).
PROJECTED_METRICS = (
    "energy_intensity_reduction_cum",
    "energy_intensity_progress_required",
    "energy_intensity_completion",
    "co2_intensity_reduction_cum",
    "co2_intensity_progress_required",
    "co2_intensity_completion",
    "energy_total_assessed",
    "energy_total_allowed",
    "nonfossil_share",
    "nonfossil_share_required",
    "score_target",
    "score_total",
)
OUTCOME_METRICS = PROJECTED_METRICS + metrics.WARNING_METRICS + ("grade",)
INTENSITIES = ("energy_intensity", "co2_intensity")


# ---- pure functions -------------------------------------------------------------------------------


def required_annual_reduction(target: float, achieved: float, k: int, n: int) -> float:
    """The annual intensity reduction (fraction) the years k+1 … n still need to reach the
    period target T from the cumulative reduction R_k: 1 − ((1 − T)/(1 − R_k))^(1/(n − k)).

    Negative when the target is already exceeded (intensity may then rise by that much a year).
    Fractions in and out; ValueError where the formula has no meaning."""
    if not 0 <= k < n:
        raise ValueError(f"k = {k} must be in 0…{n - 1}")
    if target >= 1 or achieved >= 1:
        raise ValueError("reductions must be below 100 %")
    return 1 - ((1 - target) / (1 - achieved)) ** (1 / (n - k))


def energy_budget_left(cap: float, assessed: float) -> float:
    """Energy (10^4 tce) the period may still add to the latest assessed total before reaching its
    cap (negative: the cap is already exceeded)."""
    return cap - assessed


def latest_year(values: Mapping[int, Mapping[str, float]]) -> int | None:
    """The latest year with approved values (the latest assessed year)."""
    years = [y for y, row in values.items() if row]
    return max(years) if years else None


def plan_position(periods: Sequence[engine.Period], latest: int) -> tuple[engine.Period, int] | None:
    """The plan period the remaining years belong to, and k (latest − base year).

    The period in which the year after the latest one falls (so once 2025 closes the 14th FYP,
    the planner looks at 2026–2030 from its base year, k = 0); when no configured period follows,
    the period the latest year ends (k = n: "period ended")."""
    ordered = sorted(periods, key=lambda p: p.base_year)
    for p in ordered:
        if p.base_year <= latest < p.last_year:
            return p, latest - p.base_year
    for p in reversed(ordered):
        if p.base_year < latest <= p.last_year:
            return p, latest - p.base_year
    return None


def _rate(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before <= 0:
        return None
    return (now / before - 1) * 100


def default_assumptions(
    values: Mapping[int, Mapping[str, float]], latest: int, years: Sequence[int]
) -> list[dict]:
    """The form's prefill: each remaining year repeats the latest year's real GDP growth, total
    energy growth and non-fossil increase (rounded to 0.01, clipped to the allowed bounds)."""
    row, before = values.get(latest, {}), values.get(latest - 1, {})
    gdp = row.get("gdp_index")
    growth = (gdp - 100) if gdp is not None else 0.0
    energy = _rate(row.get("energy_total"), before.get("energy_total")) or 0.0
    added = 0.0
    if row.get("energy_nonfossil") is not None and before.get("energy_nonfossil") is not None:
        added = max(0.0, row["energy_nonfossil"] - before["energy_nonfossil"])

    def clip(x: float) -> float:
        return round(min(GROWTH_MAX, max(GROWTH_MIN, x)), 2)

    return [
        {
            "year": y,
            "gdp_growth": clip(growth),
            "energy_growth": clip(energy),
            "nonfossil_added": round(added, 2),
        }
        for y in years
    ]


@dataclass(frozen=True)
class YearAssumption:
    """What the user assumes for one remaining year."""

    year: int
    gdp_growth: float  # real GDP growth, %
    energy_growth: float  # total energy consumption growth, %
    nonfossil_added: float  # non-fossil energy added over the previous year, 10^4 tce

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _field_label(name: str) -> str:
    labels = {
        "gdp_growth": _("real GDP growth"),
        "energy_growth": _("total energy growth"),
        "nonfossil_added": _("added non-fossil energy"),
    }
    return labels[name]


def error_key(year: int, name: str) -> str:
    """How a field error is named in the error body: ``assumptions.2027.gdp_growth``."""
    return f"assumptions.{year}.{name}"


def _number(raw: object) -> float | None:
    if isinstance(raw, bool) or raw is None or raw == "":
        return None
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def validate_assumptions(raw: object, years: Sequence[int]) -> list[YearAssumption]:
    """Per-year assumptions from user input (a list of objects), one per remaining year.

    Every problem is reported at once, each naming its field and year (``assumptions.2027.
    gdp_growth``); growth must lie in −50 … +50 %, added non-fossil energy be finite and ≥ 0."""
    errors: dict[str, list[str]] = {}
    if not isinstance(raw, list | tuple) or not all(isinstance(r, Mapping) for r in raw):
        raise ValidationError({"assumptions": [_("Give a list with one object per remaining year.")]})
    by_year: dict[int, Mapping] = {}
    for row in raw:
        year = row.get("year")
        if isinstance(year, str) and year.strip().isdigit():
            year = int(year)
        if not isinstance(year, int) or isinstance(year, bool) or year not in years:
            errors.setdefault("assumptions", []).append(
                _("%(year)s is not a remaining year of the period (%(years)s).")
                % {"year": year, "years": ", ".join(map(str, years))}
            )
            continue
        if year in by_year:
            errors.setdefault("assumptions", []).append(_("%(year)s is given twice.") % {"year": year})
            continue
        by_year[year] = row
    absent = [y for y in years if y not in by_year]
    if absent:
        errors.setdefault("assumptions", []).append(
            _("Assumptions missing for %(years)s.") % {"years": ", ".join(map(str, absent))}
        )
    found: list[YearAssumption] = []
    for year in sorted(by_year):
        row = by_year[year]
        parsed: dict[str, float] = {}
        for name in FIELDS:
            value = _number(row.get(name))
            label = _field_label(name)
            if value is None:
                message = _("%(year)s: %(field)s must be a finite number.")
            elif name == "nonfossil_added" and value < 0:
                message = _("%(year)s: %(field)s must not be negative.")
            elif name != "nonfossil_added" and not GROWTH_MIN <= value <= GROWTH_MAX:
                message = _("%(year)s: %(field)s must lie between −50 and +50 %%.")
            else:
                parsed[name] = value
                continue
            errors.setdefault(error_key(year, name), []).append(message % {"year": year, "field": label})
        if len(parsed) == len(FIELDS):
            found.append(YearAssumption(year, **parsed))
    if errors:
        raise ValidationError(errors)
    return found


def project_values(
    values: Mapping[int, Mapping[str, float]], latest: int, assumptions: Sequence[YearAssumption]
) -> dict[int, dict[str, float]]:
    """Projected engine inputs for the assumed years, built on the latest year's approved values.

    gdp_index = 100 + growth; energy_total grows by its rate; energy_nonfossil = previous + added;
    the fossil rest (total − non-fossil) is split in the latest year's coal/oil/gas proportions;
    every other input (electricity net import, feedstock, renewable power, …) stays as in the
    latest year; gdp_current belongs to base years only and is dropped. ValidationError (naming
    year and field) where the non-fossil energy would exceed the total."""
    base = dict(values[latest])
    base.pop("gdp_current", None)
    fuels = {f: base[f] for f in FUELS if base.get(f) is not None}
    fuel_sum = sum(fuels.values())
    previous = dict(values[latest])
    out: dict[int, dict[str, float]] = {}
    errors: dict[str, list[str]] = {}
    for a in sorted(assumptions, key=lambda a: a.year):
        row = dict(base)
        row["gdp_index"] = 100 + a.gdp_growth
        if previous.get("energy_total") is not None:
            row["energy_total"] = previous["energy_total"] * (1 + a.energy_growth / 100)
        if previous.get("energy_nonfossil") is not None:
            row["energy_nonfossil"] = previous["energy_nonfossil"] + a.nonfossil_added
        total, nonfossil = row.get("energy_total"), row.get("energy_nonfossil")
        if total is not None and nonfossil is not None:
            fossil = total - nonfossil
            if fossil < 0:
                errors[error_key(a.year, "nonfossil_added")] = [
                    _("%(year)s: non-fossil energy would exceed the total energy consumption.")
                    % {"year": a.year}
                ]
            elif fuel_sum > 0:
                for f, v in fuels.items():
                    row[f] = fossil * v / fuel_sum
        out[a.year] = row
        previous = row
    if errors:
        raise ValidationError(errors)
    return out


# ---- what the rest of the period must achieve -------------------------------------------------------


@dataclass(frozen=True)
class IntensityNeed:
    """One intensity target's state: target T, reduction achieved R_k, annual reduction still
    needed (percent; None with ``reason``)."""

    metric: str  # energy_intensity / co2_intensity
    target: float | None
    achieved: float | None
    required: float | None
    reason: str = ""

    @property
    def met(self) -> bool:
        return self.required is not None and self.required <= 0

    @property
    def name(self) -> str:
        return metrics.name(self.metric)

    @property
    def allowed_rise(self) -> float | None:
        """Where the target is already met: the annual rise the intensity may still have (percent)."""
        return None if self.required is None or self.required > 0 else -self.required


@dataclass(frozen=True)
class PlannerSummary:
    """What the rest of the current plan period must achieve (the planner's first panel)."""

    region: Region
    reason: str = ""  # why there is nothing to plan (no data, no period)
    period: engine.Period | None = None
    latest_year: int | None = None
    k: int | None = None
    intensities: tuple[IntensityNeed, ...] = ()
    energy_cap: float | None = None
    energy_assessed: float | None = None
    energy_budget: float | None = None
    energy_reason: str = ""
    missing_targets: tuple[str, ...] = ()
    remaining_years: tuple[int, ...] = ()
    default_assumptions: tuple[dict, ...] = ()

    @property
    def n(self) -> int | None:
        return self.period.length if self.period else None

    @property
    def ended(self) -> bool:
        return self.period is not None and self.k == self.period.length

    @property
    def energy_excess(self) -> float | None:
        """How far the latest assessed total is already over the cap (None: not over)."""
        return -self.energy_budget if self.energy_budget is not None and self.energy_budget < 0 else None

    @property
    def plannable(self) -> bool:
        return bool(self.remaining_years)


@dataclass
class _Loaded:
    region: Region
    inputs: inputs.RegionInputs
    latest: int | None
    position: tuple[engine.Period, int] | None
    targets: engine.Targets = field(default_factory=engine.Targets)


def _load(region: Region) -> _Loaded:
    """One region's engine inputs (approved values, targets, periods, rule and factor sets,
    measures scores): a handful of queries."""
    config = inputs.load_config()
    region_inputs = services.load_inputs([region.pk], config)[0]
    latest = latest_year(region_inputs.values)
    position = plan_position(region_inputs.periods, latest) if latest is not None else None
    targets = engine.Targets()
    if position:
        targets = engine.targets_from_records(region_inputs.target_records).get(position[0].code, targets)
    return _Loaded(region, region_inputs, latest, position, targets)


def _run(region_inputs: inputs.RegionInputs) -> dict[int, dict[str, engine.Result]]:
    """The engine's results by year and metric (the same `compute` every recompute uses)."""
    results, _missing, _labels = inputs.compute(region_inputs)
    by_year: dict[int, dict[str, engine.Result]] = {}
    for r in results:
        by_year.setdefault(r.year, {})[r.metric] = r
    return by_year


def _missing_reasons(region_inputs: inputs.RegionInputs) -> dict[tuple[int, str], str]:
    _results, missing, _labels = inputs.compute(region_inputs)
    return {(m.year, m.metric): m.reason for m in missing}


def _target_missing(metric: str, period: engine.Period) -> str:
    return _("No %(target)s target is set for %(period)s.") % {
        "target": _target_name(metric),
        "period": period.code,
    }


def _target_name(metric: str) -> str:
    names = {
        "energy_intensity_reduction": _("energy-intensity reduction"),
        "co2_intensity_reduction": _("CO2-intensity reduction"),
        "energy_total_cap": _("total energy cap"),
    }
    return names[metric]


def remaining_needs(region: Region) -> PlannerSummary:
    """What the rest of the region's current plan period must achieve: the annual energy- and
    CO2-intensity reduction still needed and the energy budget left, from the latest assessed year
    (the engine's figures on the region's approved inputs, i.e. the stored ones)."""
    loaded = _load(region)
    return _summary(loaded)


def _summary(loaded: _Loaded) -> PlannerSummary:
    region = loaded.region
    if loaded.latest is None:
        return PlannerSummary(region, reason=_("No approved values yet: nothing to plan from."))
    if loaded.position is None:
        return PlannerSummary(
            region,
            latest_year=loaded.latest,
            reason=_("%(year)s belongs to no configured plan period.") % {"year": loaded.latest},
        )
    period, k = loaded.position
    n = period.length
    remaining = tuple(range(loaded.latest + 1, period.last_year + 1))
    defaults = tuple(default_assumptions(loaded.inputs.values, loaded.latest, remaining))
    # Run the engine on the approved inputs with the default projection appended: the latest year's
    # figures are the stored ones, and the first projected year's trace gives the base-year total
    # E^T_b under this period's rule set when the latest year is the base (k = 0).
    by_year = _run(loaded.inputs)
    base_total = None
    if remaining:
        try:
            assumed = [YearAssumption(**a) for a in defaults]
            projected = project_values(loaded.inputs.values, loaded.latest, assumed[:1])
            first = _run(dataclasses.replace(loaded.inputs, values={**loaded.inputs.values, **projected}))
            allowed = first.get(remaining[0], {}).get("energy_total_allowed")
            base_total = allowed.inputs.get("E_T_b") if allowed else None
        except ValidationError:
            base_total = None
    latest_figures = by_year.get(loaded.latest, {}) if k else {}
    missing_targets: list[str] = []
    needs: list[IntensityNeed] = []
    for prefix in INTENSITIES:
        target_metric = f"{prefix}_reduction"
        target = getattr(loaded.targets, target_metric)
        if target is None:
            reason = _target_missing(target_metric, period)
            missing_targets.append(reason)
            needs.append(IntensityNeed(prefix, None, None, None, reason))
            continue
        if k == 0:
            achieved: float | None = 0.0
        else:
            found = latest_figures.get(f"{prefix}_reduction_cum")
            achieved = float(found.value) if found else None
        if achieved is None:
            reasons = _missing_reasons(loaded.inputs)
            why = reasons.get((loaded.latest, f"{prefix}_reduction_cum"), "")
            needs.append(
                IntensityNeed(
                    prefix,
                    target,
                    None,
                    None,
                    _("The cumulative reduction of %(year)s could not be computed: %(why)s")
                    % {"year": loaded.latest, "why": why},
                )
            )
        elif k >= n:
            needs.append(IntensityNeed(prefix, target, achieved, None, _("The period has ended.")))
        else:
            required = required_annual_reduction(target / 100, achieved / 100, k, n) * 100
            needs.append(IntensityNeed(prefix, target, achieved, required))
    cap = loaded.targets.energy_total_cap
    assessed: float | None = None
    energy_reason = ""
    if k:
        found = latest_figures.get("energy_total_assessed")
        assessed = float(found.value) if found else None
    else:
        assessed = float(base_total) if base_total is not None else None
    if cap is None:
        energy_reason = _target_missing("energy_total_cap", period)
        missing_targets.append(energy_reason)
    elif assessed is None:
        energy_reason = _("The assessed total energy of %(year)s could not be computed.") % {
            "year": loaded.latest
        }
    return PlannerSummary(
        region,
        period=period,
        latest_year=loaded.latest,
        k=k,
        intensities=tuple(needs),
        energy_cap=cap,
        energy_assessed=assessed,
        energy_budget=energy_budget_left(cap, assessed) if cap is not None and assessed is not None else None,
        energy_reason=energy_reason,
        missing_targets=tuple(missing_targets),
        remaining_years=remaining,
        default_assumptions=defaults,
    )


# ---- what-if -----------------------------------------------------------------------------------------


def _figure(result: engine.Result | None) -> float | str | None:
    if result is None:
        return None
    return result.value if isinstance(result.value, str) else float(result.value)


def what_if(region: Region, assumptions: object) -> dict:
    """Each remaining year's projected completion, warnings and grade under the user's assumptions.

    Runs the engine on the region's approved inputs with the projected years appended (one
    region, a handful of queries, nothing written). The latest entered §9 measures score is
    assumed for the projected years (reported as `assumed_measures`); without one the engine
    grades "pending review" as it does for real years. Returns a JSON-ready outcome; raises
    ValidationError naming every bad field and year at once."""
    loaded = _load(region)
    return _what_if(loaded, _summary(loaded), assumptions)


def plan(
    region: Region, assumptions: object = None
) -> tuple[PlannerSummary, dict | None, dict[str, list[str]]]:
    """The planner page's three answers from one load of the region's inputs: the summary, the
    what-if outcome (None when nothing can be projected or the assumptions are invalid) and the
    validation errors by field. ``assumptions`` None: the latest year's rates."""
    loaded = _load(region)
    summary = _summary(loaded)
    if not summary.plannable:
        return summary, None, {}
    try:
        chosen = list(summary.default_assumptions) if assumptions is None else assumptions
        return summary, _what_if(loaded, summary, chosen), {}
    except ValidationError as exc:
        return summary, None, exc.message_dict


def _what_if(loaded: _Loaded, summary: PlannerSummary, assumptions: object) -> dict:
    if not summary.plannable:
        reason = summary.reason or _("The period has ended: no remaining years to project.")
        raise ValidationError({"region": [reason]})
    years = summary.remaining_years
    parsed = validate_assumptions(assumptions, years)
    assert loaded.latest is not None and summary.period is not None
    projected = project_values(loaded.inputs.values, loaded.latest, parsed)
    measures = dict(loaded.inputs.measures)
    assumed_measures = None
    if measures:
        measure_year = max(measures)
        assumed_measures = {"year": measure_year, "score": measures[measure_year]}
        measures.update({y: measures[measure_year] for y in years})
    projection = dataclasses.replace(
        loaded.inputs, values={**loaded.inputs.values, **projected}, measures=measures
    )
    results, missing, _labels = inputs.compute(projection)
    by_year: dict[int, dict[str, engine.Result]] = {}
    for r in results:
        by_year.setdefault(r.year, {})[r.metric] = r
    reasons: dict[int, dict[str, str]] = {}
    for m in missing:
        reasons.setdefault(m.year, {})[m.metric] = m.reason
    rows = []
    for a in parsed:
        figures = by_year.get(a.year, {})
        rows.append(
            {
                "year": a.year,
                "k": a.year - summary.period.base_year,
                "assumption": a.as_dict(),
                "inputs": {key: projected[a.year][key] for key in sorted(projected[a.year])},
                "figures": {m: _figure(figures.get(m)) for m in OUTCOME_METRICS},
                "missing": {m: why for m, why in reasons.get(a.year, {}).items() if m in OUTCOME_METRICS},
            }
        )
    latest_figures = by_year.get(loaded.latest, {})
    base = summary.period.base_year
    actual = [
        {"year": y, **{m: _figure(by_year.get(y, {}).get(m)) for m in PROJECTED_METRICS}}
        for y in range(base + 1, loaded.latest + 1)
    ]
    return {
        "region": loaded.region.code,
        "period": summary.period.code,
        "base_year": summary.period.base_year,
        "latest_year": loaded.latest,
        "spec_version": engine.SPEC_VERSION,
        "assumed_measures": assumed_measures,
        "targets": {need.metric: need.target for need in summary.intensities},
        "latest": {m: _figure(latest_figures.get(m)) for m in OUTCOME_METRICS} if summary.k else {},
        "actual": actual,
        "years": rows,
    }


# ---- presentation helpers (plain data for pages and charts) -------------------------------------------


def path_series(outcome: Mapping, summary: PlannerSummary) -> list[dict]:
    """Per intensity, the cumulative reduction year by year (actual up to the latest year, then
    projected) against the required path Q_k and the period target: what the chart draws and its
    table view lists. Percent values, None where there is none."""
    if summary.period is None:
        return []
    out = []
    actual = {row["year"]: row for row in outcome.get("actual", [])}
    projected = {row["year"]: row["figures"] for row in outcome.get("years", [])}
    for need in summary.intensities:
        prefix = need.metric
        rows = []
        for year in range(summary.period.base_year, summary.period.last_year + 1):
            k = year - summary.period.base_year
            if year in projected:
                figures, kind = projected[year], "projected"
            elif year in actual:
                figures, kind = actual[year], "actual"
            else:
                figures, kind = {}, ""
            cum = 0.0 if k == 0 else figures.get(f"{prefix}_reduction_cum")
            required = 0.0 if k == 0 else figures.get(f"{prefix}_progress_required")  # the engine's Q_k
            rows.append(
                {
                    "year": year,
                    "kind": kind or ("actual" if k == 0 else ""),
                    "value": cum,
                    "required": required,
                }
            )
        out.append({"metric": prefix, "name": metrics.name(prefix), "target": need.target, "rows": rows})
    return out
