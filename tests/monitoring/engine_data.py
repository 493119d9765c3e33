"""Readers for the spec's exchange CSVs and small builders shared by the engine tests."""

from __future__ import annotations

import copy
import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from apps.monitoring.engine import (
    CN_ERI,
    DEFAULT_PERIODS,
    DEFAULT_RULE_SETS,
    FactorSet,
    Missing,
    Period,
    Result,
    RuleSet,
    Targets,
    compute_region,
    targets_from_records,
)

DATA_DIR = Path(__file__).parent / "data"
#: The shared spec next to the project checkout (/work/shared/spec/examples); may be absent.
SHARED_DIR = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples"
EXAMPLE_FILES = (
    "worked_values.csv",
    "worked_targets.csv",
    "worked_assessments.csv",
    "worked_assessments_v11.csv",
)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_values(path: Path) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    for r in _rows(path):
        out.setdefault(int(r["year"]), {})[r["indicator"]] = float(r["value"])
    return out


def read_targets(path: Path) -> dict[str, Targets]:
    return targets_from_records(
        (r["period"], r["metric"], float(r["value"]), int(r["year"]) if r.get("year") else None)
        for r in _rows(path)
    )


def read_assessments(path: Path) -> dict[tuple[int, str], str]:
    return {(int(r["year"]), r["metric"]): r["value"] for r in _rows(path)}


_WORKED_VALUES = read_values(DATA_DIR / "worked_values.csv")
_WORKED_TARGETS = read_targets(DATA_DIR / "worked_targets.csv")
WORKED_EXPECTED = read_assessments(DATA_DIR / "worked_assessments.csv")


def worked_values() -> dict[int, dict[str, float]]:
    """A fresh, mutable copy of the worked example's inputs (Nanchang 2020–2022)."""
    return copy.deepcopy(_WORKED_VALUES)


def worked_targets(**changes: object) -> dict[str, Targets]:
    """The worked example's targets for 2021-2025, with fields replaced by ``changes``."""
    base = _WORKED_TARGETS["2021-2025"]
    fields = {
        "energy_intensity_reduction": base.energy_intensity_reduction,
        "co2_intensity_reduction": base.co2_intensity_reduction,
        "energy_total_cap": base.energy_total_cap,
        "nonfossil_share": base.nonfossil_share,
        "annual": dict(base.annual),
    }
    fields.update(changes)
    return {"2021-2025": Targets(**fields)}  # type: ignore[arg-type]


def run(
    values: Mapping[int, Mapping[str, object]],
    targets: Mapping[str, Targets] | None = None,
    rule_sets: Mapping[str, RuleSet] | None = None,
    factor_set: FactorSet = CN_ERI,
    periods: Sequence[Period] = DEFAULT_PERIODS,
) -> tuple[dict[tuple[int, str], Result], dict[tuple[int, str], Missing]]:
    """compute_region keyed by (year, metric), failing on duplicate rows."""
    results, missing = compute_region(
        values,
        periods,
        worked_targets() if targets is None else targets,
        DEFAULT_RULE_SETS if rule_sets is None else rule_sets,
        factor_set,
    )
    by_key = {(r.year, r.metric): r for r in results}
    miss = {(m.year, m.metric): m for m in missing}
    assert len(by_key) == len(results), "duplicate result rows"
    assert len(miss) == len(missing), "duplicate missing rows"
    assert not set(by_key) & set(miss), "a metric is both computed and missing"
    return by_key, miss


def value(results: Mapping[tuple[int, str], Result], year: int, metric: str) -> float | str:
    return results[(year, metric)].value
