"""The spec's worked example (methodology §14) reproduced to 1e-9 relative, and nothing more."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from apps.monitoring.engine import CN_ERI, DEFAULT_PERIODS, DEFAULT_RULE_SETS, compute_region
from apps.monitoring.inputs import TEXT_VALUES

from .engine_data import DATA_DIR, EXAMPLE_FILES, SHARED_DIR, read_assessments, read_targets, read_values

SOURCES = [
    pytest.param(DATA_DIR, id="project-copy"),
    pytest.param(SHARED_DIR, id="shared-spec"),
]


def _require(directory: Path) -> None:
    if not (directory / EXAMPLE_FILES[0]).exists():
        pytest.skip(f"{directory} not available")


@pytest.mark.parametrize("directory", SOURCES)
def test_worked_example_reproduces_every_assessment_row_and_no_other(directory: Path) -> None:
    _require(directory)
    values = read_values(directory / "worked_values.csv")
    targets = read_targets(directory / "worked_targets.csv")
    expected = read_assessments(directory / "worked_assessments.csv")
    expected |= read_assessments(directory / "worked_assessments_v11.csv")

    results, _missing = compute_region(values, DEFAULT_PERIODS, targets, DEFAULT_RULE_SETS, CN_ERI)
    got = {(r.year, r.metric): r.value for r in results}

    assert set(got) == set(expected)
    for key, text in expected.items():
        if text in TEXT_VALUES:
            assert got[key] == text, key
        else:
            assert isinstance(got[key], float), key
            assert math.isclose(got[key], float(text), rel_tol=1e-9, abs_tol=0.0), (key, got[key], text)


def test_worked_example_leaves_no_metric_missing_but_what_it_cannot_have() -> None:
    values = read_values(DATA_DIR / "worked_values.csv")
    targets = read_targets(DATA_DIR / "worked_targets.csv")
    _results, missing = compute_region(values, DEFAULT_PERIODS, targets, DEFAULT_RULE_SETS, CN_ERI)
    # v1.1: no non-fossil target, no measures score, and three years too few for g, d, the outlook.
    averages = {"gdp_growth_avg", "co2_intensity_reduction_avg", "co2_intensity_decline_required"}
    in_period = averages | {"co2_peak_outlook", "nonfossil_share_required", "nonfossil_share_warning"}
    assert {(m.year, m.metric) for m in missing} == (
        {(2020, m) for m in averages | {"co2_peak_outlook"}}
        | {(y, m) for y in (2021, 2022) for m in in_period | {"score_measures", "score_total"}}
    )


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_project_copy_of_the_worked_example_matches_the_shared_spec(name: str) -> None:
    _require(SHARED_DIR)
    assert (DATA_DIR / name).read_bytes() == (SHARED_DIR / name).read_bytes()
