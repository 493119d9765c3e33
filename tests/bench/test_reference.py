"""The benchmark's yardstick must itself follow the spec: bench/reference.py on the worked example.

The benchmark (``make bench``) trusts the agreement between the portal and this independent
pandas reference; if the reference drifted from methodology §14 that agreement would prove
nothing. pandas is a benchmark-only dependency (requirements-bench.txt), hence the skip.
"""

import pytest

pytest.importorskip("pandas")

from bench import reference


def test_reference_reproduces_the_worked_example_to_1e_9_and_nothing_more():
    if not (reference.EXAMPLES / "worked_assessments.csv").exists():
        pytest.skip(f"{reference.EXAMPLES} not available")

    count, problems = reference.worked_example()

    assert count > 0
    assert problems == []


def test_reference_agrees_with_the_engine_on_v11_figures_of_varied_regions():
    """Spec v1.1 (§9–§11) on regions the worked example cannot show: five-year averages and the
    outlook, the non-fossil path, measures scores (some refused), gaps in the inputs."""
    import math
    import random

    import numpy as np
    import pandas as pd

    from apps.monitoring import engine

    rng = random.Random(11)
    value_rows, target_rows, measure_rows, regions = [], [], [], {}
    for region in range(1, 61):
        values: dict[int, dict[str, float]] = {}
        coal = rng.uniform(200, 400)
        for year in range(rng.choice([2013, 2015, 2018]), rng.choice([2024, 2028]) + 1):
            if rng.random() < 0.05:
                continue
            coal *= rng.uniform(0.93, 1.06)
            row = {
                "gdp_current": 1000.0 * 1.07 ** (year - 2013),
                "gdp_index": rng.uniform(98, 110),
                "energy_total": rng.uniform(450, 650),
                "energy_coal": coal,
                "energy_oil": rng.uniform(60, 90),
                "energy_gas": rng.uniform(30, 60),
                "energy_nonfossil": rng.uniform(60, 130),
                "renewable_power": rng.uniform(40, 70),
                "feedstock_energy": rng.uniform(10, 30),
                "electricity_net_import": rng.uniform(-20, 40),
            }
            row = {k: v for k, v in row.items() if rng.random() > 0.02}
            values[year] = row
            value_rows += [(region, year, k, v) for k, v in row.items()]
        targets: dict[str, engine.Targets] = {}
        for period in ("2016-2020", "2021-2025", "2026-2030"):
            chosen = {
                m: rng.uniform(lo, hi)
                for m, lo, hi in (
                    ("energy_intensity_reduction", 5, 20),
                    ("co2_intensity_reduction", 5, 25),
                    ("energy_total_cap", 500, 700),
                    ("nonfossil_share", 12, 30),
                )
                if rng.random() < 0.85
            }
            targets[period] = engine.Targets(**chosen)
            target_rows += [(region, period, m, v) for m, v in chosen.items()]
        measures = {y: rng.choice([rng.uniform(0, 60), 61.0, 60.0]) for y in values if rng.random() < 0.3}
        measure_rows += [(region, y, v) for y, v in measures.items()]
        regions[region] = (values, targets, measures)

    got = reference.compute(
        pd.DataFrame(value_rows, columns=["region_id", "year", "code", "value"]),
        pd.DataFrame(
            [(r, p, m, None, v) for r, p, m, v in target_rows],
            columns=["region_id", "period", "metric", "year", "value"],
        ).astype({"year": "Int64"}),
        reference.default_config(),
        pd.DataFrame(measure_rows, columns=["region_id", "year", "value"]),
    )
    ref = {
        (int(r.region_id), int(r.year), str(r.metric)): r.level or float(r.value) for r in got.itertuples()
    }
    ours = {
        (region, r.year, r.metric): r.value
        for region, (values, targets, measures) in regions.items()
        for r in engine.compute_region(values, targets=targets, measures=measures)[0]
    }
    assert set(ref) == set(ours)
    assert {m for (_r, _y, m) in ours} == set(engine.METRICS)
    for key, value in ours.items():
        if isinstance(value, str):
            assert ref[key] == value, key
        else:
            assert math.isclose(value, ref[key], rel_tol=1e-9, abs_tol=1e-12), key
    assert np.isfinite([v for v in ours.values() if not isinstance(v, str)]).all()
