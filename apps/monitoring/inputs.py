"""A region's engine inputs as one value: computed from, stored as a snapshot, replayed for traces.

Everything the engine reads for a region (its approved values, its targets, the plan periods
with their rule sets, the factor sets with the region's grid series) is gathered into a
`RegionInputs`. The recompute stores it once per region as canonical JSON, addressed by its
SHA-256 digest, and each region-year's trace points at it. Because the engine is
deterministic, replaying the snapshot gives back every figure with its formula and the
inputs it used ("why is this red?") without storing megabytes of formula text per run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache

import orjson

from . import engine

WARNING_VALUES = frozenset({engine.RED, engine.YELLOW, engine.GREEN})
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

    # ---- snapshot -----------------------------------------------------------------------------

    def to_json(self) -> bytes:
        """Canonical JSON (sorted keys, shortest round-tripping floats): equal inputs, equal bytes."""
        return orjson.dumps(
            {
                "spec": engine.SPEC_VERSION,
                "region": self.region_id,
                "values": {str(y): dict(row) for y, row in self.values.items()},
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
            inputs.values, inputs.periods, targets, inputs.rule_sets, group.factors
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
