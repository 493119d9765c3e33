"""A region's engine inputs: read set-wise from the database, held as one value, stored as a
snapshot, replayed for traces.

Reading: `load_config()` reads once per run what every region shares (plan periods with their
rule sets, factor sets, grid series); `load_inputs()` reads a chunk of regions' approved values
and targets in two set-based queries; `energy_totals()` and `hierarchy()` feed the §12 checks.

Everything the engine reads for a region (its approved values, its targets, the plan periods
with their rule sets, the factor sets with the region's grid series) is gathered into a
`RegionInputs`. The recompute stores it once per region as canonical JSON, addressed by its
SHA-256 digest, and each region-year's trace points at it. Because the engine is
deterministic, replaying the snapshot gives back every figure with its formula and the
inputs it used ("why is this red?") without storing megabytes of formula text per run.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import orjson

from apps.indicators.models import EmissionFactorSet, FactorUnit, Grid, GridFactor
from apps.regions.models import Region
from apps.targets.models import PlanPeriod, RegionTarget

from . import engine

WARNING_VALUES = frozenset({engine.RED, engine.YELLOW, engine.GREEN})
#: Every text a result may have (stored in `Assessment.level`): warnings, grades, peak outlooks.
TEXT_VALUES = WARNING_VALUES | frozenset(engine.GRADES) | frozenset(engine.OUTLOOKS)
#: Stored values are numeric(32, 15): anything this large or not finite is refused, not stored.
VALUE_LIMIT = 1e16

TargetRecord = tuple[str, str, float, int | None]  # (period, metric, value, year)
PerYear = dict[int, tuple[str, str, str]]  # year → (period code, rule set code, factor set code)


@dataclass(frozen=True)
class FactorGroup:
    """A factor set (with the region's grid series) and the plan periods it applies to."""

    factors: engine.FactorSet
    periods: frozenset[str]


@dataclass(frozen=True)
class RegionInputs:
    region_id: int
    values: Mapping[int, Mapping[str, float]]
    target_records: Sequence[TargetRecord]
    periods: Sequence[engine.Period]
    rule_sets: Mapping[str, engine.RuleSet]
    groups: Sequence[FactorGroup]
    #: §9 measures scores (0–60) entered by provincial reviewers, by year: an input of the
    #: region-year like an approved value (empty until the scoring page feeds it).
    measures: Mapping[int, float] = field(default_factory=dict)

    # ---- snapshot -----------------------------------------------------------------------------

    def to_json(self) -> bytes:
        """Canonical JSON (sorted keys, shortest round-tripping floats): equal inputs, equal bytes."""
        return orjson.dumps(
            {
                "spec": engine.SPEC_VERSION,
                "region": self.region_id,
                "values": {str(y): dict(row) for y, row in self.values.items()},
                "measures": {str(y): v for y, v in self.measures.items()},
                "targets": [list(r) for r in self.target_records],
                "periods": [[p.code, p.base_year, p.length] for p in self.periods],
                "rule_sets": {code: _rule_set_fields(rs) for code, rs in self.rule_sets.items()},
                "factor_sets": [
                    {
                        "code": g.factors.code,
                        "coal": g.factors.coal,
                        "oil": g.factors.oil,
                        "gas": g.factors.gas,
                        "grid": {str(y): v for y, v in g.factors.grid.items()},
                        "periods": sorted(g.periods),
                    }
                    for g in self.groups
                ],
            },
            option=orjson.OPT_SORT_KEYS,
        )

    @classmethod
    def from_json(cls, data: bytes | str | Mapping) -> RegionInputs:
        doc = orjson.loads(data) if isinstance(data, bytes | str) else data
        return cls(
            region_id=int(doc["region"]),
            values={int(y): dict(row) for y, row in doc["values"].items()},
            measures={int(y): float(v) for y, v in doc.get("measures", {}).items()},
            target_records=[tuple(r) for r in doc["targets"]],
            periods=tuple(engine.Period(c, int(b), int(n)) for c, b, n in doc["periods"]),
            rule_sets={code: engine.RuleSet(**rs) for code, rs in doc["rule_sets"].items()},
            groups=tuple(
                FactorGroup(
                    engine.FactorSet(
                        fs["code"],
                        float(fs["coal"]),
                        float(fs["oil"]),
                        float(fs["gas"]),
                        {int(y): float(v) for y, v in fs["grid"].items()},
                    ),
                    frozenset(fs["periods"]),
                )
                for fs in doc["factor_sets"]
            ),
        )


@lru_cache(maxsize=64)
def _rule_set_fields(rule_set: engine.RuleSet) -> dict:
    return asdict(rule_set)  # the same few rule sets in every region's snapshot


def digest(snapshot: bytes) -> str:
    return hashlib.sha256(snapshot).hexdigest()


def _storable(value: float | str) -> bool:
    """Warnings are strings; a number must be finite and fit the table (NaN fails both tests)."""
    return type(value) is str or -VALUE_LIMIT < value < VALUE_LIMIT


def compute(
    inputs: RegionInputs, year: int | None = None
) -> tuple[list[engine.Result], list[engine.Missing], PerYear]:
    """The engine's results for one region (one year, or all), and per year its (period, rule set,
    factor set). Results that are not finite or too large for the table become Missing.

    A period may have its own factor set: the engine then runs once per distinct set and each
    year keeps the results of the set of the period it is reported in.
    """
    targets = engine.targets_from_records(inputs.target_records)
    several = len(inputs.groups) > 1
    per_year: PerYear = {}
    results: list[engine.Result] = []
    missing: list[engine.Missing] = []
    for group in inputs.groups:
        found, lacking = engine.compute_region(
            inputs.values, inputs.periods, targets, inputs.rule_sets, group.factors, inputs.measures
        )
        if year is not None:
            found = [r for r in found if r.year == year]
            lacking = [m for m in lacking if m.year == year]
        for y in {r.year for r in found} | {m.year for m in lacking}:
            if y not in per_year:
                role = engine.reporting_period(y, inputs.periods, inputs.values)
                code = role[0].code if role else ""
                per_year[y] = (code, inputs.rule_sets[code].code if code else "", "")
        if several:  # each year keeps the results of its own period's factor set
            found = [r for r in found if per_year[r.year][0] in group.periods or not per_year[r.year][0]]
            lacking = [m for m in lacking if per_year[m.year][0] in group.periods or not per_year[m.year][0]]
        for y in {r.year for r in found}:
            if not per_year[y][2]:
                per_year[y] = (*per_year[y][:2], group.factors.code)
        kept = [r for r in found if _storable(r.value)]
        if len(kept) != len(found):
            refused = [r for r in found if not _storable(r.value)]
            lacking = lacking + [
                engine.Missing(r.year, r.metric, f"result {r.value!r} is not finite or out of range: refused")
                for r in refused
            ]
        results.extend(kept)
        missing.extend(lacking)
    return results, missing, per_year


def replay(snapshot: str, year: int) -> dict[str, engine.Result]:
    """A stored snapshot's figures of one year, by metric: how each stored value came about.

    Read paths never compute stored values; this only re-derives their explanation (formula
    and named inputs) from the inputs recorded with them, with the same deterministic engine.
    """
    return _replay(snapshot).get(year, {})


@lru_cache(maxsize=256)
def _replay(snapshot: str) -> dict[int, dict[str, engine.Result]]:
    """Every year of a snapshot (a region's page shows several; snapshots never change: cached)."""
    results, _missing, _labels = compute(RegionInputs.from_json(snapshot))
    by_year: dict[int, dict[str, engine.Result]] = {}
    for r in results:
        by_year.setdefault(r.year, {})[r.metric] = r
    return by_year


# ---- reading from the database --------------------------------------------------------------


@dataclass(frozen=True)
class EngineConfig:
    """Everything the engine needs besides a region's own data, read once per run.

    Fuel factors come per period (a period may be assigned its own factor set, else the
    default set); grid factors per region (the default grid's series, or the series of
    the regional grid the region is assigned to).
    """

    periods: tuple[engine.Period, ...]
    rule_sets: dict[str, engine.RuleSet]
    fuels_by_period: dict[str, engine.FactorSet]
    default_grid: dict[int, float]
    grid_by_region: dict[int, dict[int, float]]

    _by_grid: dict[int, tuple[FactorGroup, ...]] = field(default_factory=dict, compare=False, repr=False)

    def groups(self, region_id: int) -> tuple[FactorGroup, ...]:
        """Distinct factor sets for this region (with its grid) and the periods each applies to.

        Built once per distinct grid series (a handful), not once per region."""
        grid = self.grid_by_region.get(region_id, self.default_grid)
        found = self._by_grid.get(id(grid))
        if found is None:
            groups: dict[str, tuple[engine.FactorSet, set[str]]] = {}
            for code, fuels in self.fuels_by_period.items():
                entry = groups.setdefault(fuels.code, (fuels.with_grid(grid), set()))
                entry[1].add(code)
            found = self._by_grid[id(grid)] = tuple(
                FactorGroup(fs, frozenset(codes)) for fs, codes in groups.values()
            )
        return found


def _rule_set(model) -> engine.RuleSet:
    return engine.RuleSet(
        code=model.code,
        exclude_feedstock_from_intensity=model.intensity_excludes_feedstock,
        exclude_nonfossil_from_intensity=model.intensity_excludes_nonfossil,
        exclude_feedstock_from_total=model.total_excludes_feedstock,
        exclude_nonfossil_from_total=model.total_excludes_nonfossil,
        deduct_new_renewables_from_total=model.total_deducts_new_renewables,
        progress=model.progress_method,
    )


def _fuel_factor(factor) -> float:
    value = float(factor.value)
    return value * engine.CO2_PER_C if factor.unit == FactorUnit.CARBON else value


def _fuels(factor_set: EmissionFactorSet) -> engine.FactorSet:
    fuels = {f.fuel: _fuel_factor(f) for f in factor_set.fuel_factors.all()}
    missing = {"coal", "oil", "gas"} - set(fuels)
    if missing:
        raise RuntimeError(f"factor set {factor_set.code} lacks {', '.join(sorted(missing))}")
    return engine.FactorSet(factor_set.code, fuels["coal"], fuels["oil"], fuels["gas"], {})


def load_config() -> EngineConfig:
    """Periods with their rule sets and factor sets, and each region's grid series (a few queries)."""
    periods = list(PlanPeriod.objects.select_related("rule_set").order_by("base_year"))
    sets = {fs.pk: fs for fs in EmissionFactorSet.objects.prefetch_related("fuel_factors")}
    default_set = next((fs for fs in sets.values() if fs.is_default), None)
    if default_set is None:
        raise RuntimeError("no default emission factor set is configured")
    fuels = {pk: _fuels(fs) for pk, fs in sets.items()}
    series: dict[int, dict[int, float]] = defaultdict(dict)
    for grid_id, year, value in GridFactor.objects.values_list("grid_id", "year", "value_kg_per_kwh"):
        series[grid_id][year] = float(value)
    default_grid = Grid.objects.filter(is_default=True).values_list("pk", flat=True).first()
    grid_by_region: dict[int, dict[int, float]] = {}
    for grid_id, region_id in Grid.regions.through.objects.values_list("grid_id", "region_id"):
        if grid_id != default_grid:
            grid_by_region[region_id] = series.get(grid_id, {})
    return EngineConfig(
        periods=tuple(engine.Period(p.code, p.base_year, p.length) for p in periods),
        rule_sets={p.code: _rule_set(p.rule_set) for p in periods},
        fuels_by_period={p.code: fuels[p.factor_set_id or default_set.pk] for p in periods},
        default_grid=series.get(default_grid, {}) if default_grid else {},
        grid_by_region=grid_by_region,
    )


def load_inputs(
    region_ids: Sequence[int],
    config: EngineConfig,
    measures: Mapping[int, Mapping[int, float]] | None = None,
) -> list[RegionInputs]:
    """Each region's engine inputs: two set-based queries for the whole chunk.

    ``measures``: region → year → §9 measures score, where entered (`MeasuresScore` rows, read
    set-wise by the caller: `services.load_inputs` passes them for every run)."""
    from apps.reports.selectors import approved_values

    values: dict[int, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for region_id, year, code, value in approved_values(region_ids=region_ids, as_float=True):
        values[region_id][year][code] = value
    records: dict[int, list[TargetRecord]] = defaultdict(list)
    for region_id, period, metric, value, year in RegionTarget.objects.filter(
        region_id__in=region_ids
    ).values_list("region_id", "period__code", "metric", "value", "year"):
        records[region_id].append((period, metric, float(value), year))
    return [
        RegionInputs(
            region_id=region_id,
            values={y: row for y, row in sorted(values[region_id].items())} if region_id in values else {},
            target_records=sorted(records.get(region_id, ()), key=lambda r: (r[0], r[1], r[3] or 0)),
            periods=config.periods,
            rule_sets=config.rule_sets,
            groups=config.groups(region_id),
            measures=dict(sorted((measures or {}).get(region_id, {}).items())),
        )
        for region_id in region_ids
    ]


def region_ids_with_data() -> list[int]:
    """Every region with an approved report in force: what a recompute of everything covers."""
    from apps.reports.selectors import in_force_reports

    return sorted(set(in_force_reports().values_list("region_id", flat=True)))


def hierarchy(region_ids: Sequence[int]) -> tuple[list[Region], dict[int, list[int]]]:
    """The regions' ancestors and the regions themselves that have children, with their children."""
    parent_paths: set[str] = set()
    for region in Region.objects.filter(pk__in=region_ids).only("path"):
        parent_paths.update(region.ancestor_paths)
        parent_paths.add(region.path)
    parents = list(Region.objects.filter(path__in=parent_paths).only("pk", "path"))
    children: dict[int, list[int]] = defaultdict(list)
    for child_id, parent_id in Region.objects.filter(parent__in=parents).values_list("pk", "parent_id"):
        children[parent_id].append(child_id)
    return [p for p in parents if children.get(p.pk)], children


def energy_totals(region_ids: Sequence[int]) -> dict[tuple[int, int], float]:
    """Every approved energy_total in force of the regions, by (region, year)."""
    from apps.reports.models import ReportValue
    from apps.reports.selectors import in_force_reports

    reports = in_force_reports().filter(region_id__in=region_ids).values("pk")
    return {
        (region_id, year): float(value)
        for region_id, year, value in ReportValue.objects.filter(
            report__in=reports, indicator__code="energy_total", value__isnull=False
        ).values_list("report__region_id", "report__year", "value")
    }
