"""National-scale input data for the benchmark: deterministic, plausible, loaded with COPY.

Every region of the national file (3,351, loaded by ``manage.py load_regions --all``) reports
every input indicator of methodology §1 for 2015–2030 in an approved annual report (revision 1).
The figures are consistent the way a statistics bureau's are: the fuels add up to
``energy_total`` exactly (to the 10^-6 the database stores), ``renewable_power`` never exceeds
``energy_nonfossil``, ``feedstock_energy`` is a small part of fossil energy, ``gdp_index`` lies in
102–110. They are also varied enough that every branch of the methodology shows up: years whose
intensity rises (red annual warnings), regions that lag their progress requirement (yellow and
red), totals under, slightly over and far over their allowance, allowances that shrink (cap
below the base), dry years in which renewable power falls (no deduction), net electricity
exporters (negative ``electricity_net_import``), and the Central China regional grid assigned to
six provinces.

Some data exercise the rules about what counts and what is absent:
- ``LATE_STARTERS`` counties report only from 2018, so their 2016–2020 period cannot be computed and
  2020 is the base of 2021–2025 (methodology §2);
- a few region-years were corrected by an approved revision 2 (revision 1 stays approved but is
  superseded), and some have a revision under review (submitted, not approved: it must not count);
- some regions have no targets for 2026–2030, some no ``energy_total_cap`` for 2021–2025, some no
  targets at all, some annual targets (methodology §2).

Run alone: ``python bench/generate.py`` (loads into ``BENCH_DATABASE_URL``, regions must exist;
prints what it loaded as JSON).
"""

from __future__ import annotations

import io
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import dsn

SEED = 20260115
YEARS = np.arange(2015, 2031)
LATE_START_YEAR = 2018
N_LATE_STARTERS = 30
CENTRAL_CHINA_PROVINCES = ("360000", "410000", "420000", "430000", "500000", "510000")
STAMP = "2026-01-15 10:00:00+08"
MICRO = 1_000_000  # values are stored with 6 decimals: generate in integer micro-units

#: Tables the benchmark owns in its database, emptied before each load (with every ``monitoring_``
#: table, whatever the monitoring app's schema is at the time).
DATA_TABLES = (
    "reports_reportvalue",
    "reports_report",
    "targets_regiontarget",
    "indicators_grid_regions",
)


@dataclass
class LoadStats:
    regions: int
    reports: int
    values: int
    targets: int
    grid_regions: int
    seconds: float


def _micro(x: np.ndarray) -> np.ndarray:
    return np.rint(x * MICRO).astype(np.int64)


def _text(micro: np.ndarray) -> np.ndarray:
    """Exact decimal text of micro-unit integers (no float rounding on the way to the database)."""
    sign = np.where(micro < 0, "-", "")
    a = np.abs(micro)
    whole = (a // MICRO).astype(str)
    frac = np.char.zfill((a % MICRO).astype(str), 6)
    return np.char.add(np.char.add(np.char.add(sign, whole), "."), frac)


def generate_values(regions: pd.DataFrame, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Input indicators as (regions × years) arrays of micro-units (int64)."""
    n, y = len(regions), len(YEARS)
    level = regions["level"].to_numpy()
    scale = np.select([level == "province", level == "city"], [25_000.0, 2_500.0], 250.0)

    # GDP: real growth index 102–110 (2020 slower), prices +0–4 % a year.
    gdp_index = np.round(rng.uniform(102.0, 110.0, (n, y)), 1)
    gdp_index[:, YEARS == 2020] = np.round(rng.uniform(102.0, 104.0, (n, 1)), 1)
    deflator = rng.uniform(1.0, 1.04, (n, y))
    gdp_real = np.empty((n, y))
    gdp_cur = np.empty((n, y))
    gdp_real[:, 0] = gdp_cur[:, 0] = np.round(scale * rng.lognormal(0.0, 0.6, n), 2)
    for j in range(1, y):
        gdp_real[:, j] = gdp_real[:, j - 1] * gdp_index[:, j] / 100
        gdp_cur[:, j] = np.round(gdp_cur[:, j - 1] * gdp_index[:, j] / 100 * deflator[:, j], 2)

    # Energy intensity: each region has its own pace (one in eight lags); some years it rises.
    lagging = rng.random(n) < 0.125
    pace = np.where(lagging, rng.uniform(-0.01, 0.02, n), rng.uniform(0.02, 0.055, n))
    decline = rng.normal(pace[:, None], 0.015, (n, y))
    decline[:, 0] = 0.0
    intensity = rng.uniform(0.3, 1.1, n)[:, None] * np.cumprod(1 - decline, axis=1)
    energy_total = _micro(np.round(intensity * gdp_real, 4))

    # Fuel structure: coal falls, non-fossil and gas rise; oil is what is left.
    t = np.arange(y)[None, :]
    nonfossil_share = np.clip(
        rng.uniform(0.05, 0.25, n)[:, None] + rng.uniform(0.003, 0.012, n)[:, None] * t, 0, 0.6
    )
    gas_share = rng.uniform(0.03, 0.10, n)[:, None] + rng.uniform(0.0, 0.004, n)[:, None] * t
    oil_share = np.broadcast_to(rng.uniform(0.10, 0.22, n)[:, None], (n, y))
    coal_share = 1 - nonfossil_share - gas_share - oil_share
    coal_share = np.maximum(coal_share, 0.08)
    coal = _micro(np.round(energy_total / MICRO * coal_share, 4))
    oil = _micro(np.round(energy_total / MICRO * oil_share, 4))
    gas = _micro(np.round(energy_total / MICRO * gas_share, 4))
    nonfossil = energy_total - coal - oil - gas  # exact: the fuels add up to the total
    if (nonfossil <= 0).any():
        raise RuntimeError("generator: non-positive non-fossil energy")

    # Renewable power: a part of non-fossil energy; in a dry year (12 %) it falls.
    part = rng.uniform(0.4, 0.9, n)[:, None] * rng.uniform(0.97, 1.0, (n, y))
    dry = rng.random((n, y)) < 0.12
    part = np.where(dry, part * rng.uniform(0.75, 0.9, (n, y)), part)
    renewable = np.minimum(_micro(np.round(nonfossil / MICRO * part, 4)), nonfossil)

    # Feedstock: 1–8 % of fossil energy.
    fossil = coal + oil + gas
    feedstock = _micro(
        np.round(fossil / MICRO * rng.uniform(0.01, 0.08, n)[:, None] * rng.uniform(0.9, 1.1, (n, y)), 4)
    )
    feedstock = np.minimum(feedstock, fossil)

    # Net electricity import (10^8 kWh): a quarter of the regions export (negative).
    exporter = rng.random(n) < 0.25
    level_ratio = np.where(exporter, -rng.uniform(0.02, 0.09, n), rng.uniform(0.0, 0.14, n))
    ratio = level_ratio[:, None] + rng.uniform(-0.01, 0.01, (n, y))
    net_import = _micro(np.round(energy_total / MICRO * ratio, 4))

    forest_coverage = np.clip(rng.uniform(8, 70, n)[:, None] + rng.uniform(0.1, 0.5, n)[:, None] * t, 0, 80)
    forest_stock = (
        scale[:, None] * rng.uniform(2, 40, n)[:, None] * (1 + rng.uniform(0.01, 0.04, n)[:, None]) ** t
    )
    nev_share = np.clip(
        rng.uniform(0.5, 3, n)[:, None] * (1 + rng.uniform(0.15, 0.35, n)[:, None]) ** t, 0, 95
    )

    return {
        "gdp_current": _micro(gdp_cur),
        "gdp_index": _micro(gdp_index),
        "energy_total": energy_total,
        "energy_coal": coal,
        "energy_oil": oil,
        "energy_gas": gas,
        "energy_nonfossil": nonfossil,
        "renewable_power": renewable,
        "feedstock_energy": feedstock,
        "electricity_net_import": net_import,
        "forest_coverage": _micro(np.round(forest_coverage, 2)),
        "forest_stock": _micro(np.round(forest_stock, 2)),
        "nev_share": _micro(np.round(nev_share, 2)),
    }


#: Default rule sets by period (methodology §4): what E^T is, to set plausible caps.
PERIODS = (("2016-2020", 2015, "R2016"), ("2021-2025", 2020, "R2022"), ("2026-2030", 2025, "R2024"))


def _assessed_total(v: dict[str, np.ndarray], rule: str) -> np.ndarray:
    total = v["energy_total"] / MICRO
    if rule == "R2016":
        return total
    if rule == "R2022":
        return total - v["feedstock_energy"] / MICRO
    return total - v["feedstock_energy"] / MICRO - v["energy_nonfossil"] / MICRO


def generate_targets(
    regions: pd.DataFrame, v: dict[str, np.ndarray], period_ids: dict[str, int], rng: np.random.Generator
) -> pd.DataFrame:
    """RegionTarget rows: intensity reductions, caps, non-fossil shares, some annual targets."""
    n = len(regions)
    ids = regions["id"].to_numpy()
    rows: list[pd.DataFrame] = []
    no_targets = rng.random(n) < 0.006
    no_15th = rng.random(n) < 0.012
    no_cap_14th = rng.random(n) < 0.01
    reduction_ranges = {
        "2016-2020": ((13.0, 18.0), (17.0, 22.0)),
        "2021-2025": ((13.0, 15.0), (17.0, 19.5)),
        "2026-2030": ((12.0, 15.0), (16.0, 20.0)),
    }
    for code, base, rule in PERIODS:
        keep = ~no_targets & ~((code == "2026-2030") & no_15th)
        jb = base - int(YEARS[0])
        assessed = _assessed_total(v, rule)
        et_b, et_last = assessed[:, jb], assessed[:, jb + 5]
        # The allowance is set from the actual growth: some regions stay within it, some exceed it
        # slightly (yellow), some by far (red); a falling total gives a cap below the base.
        cap = et_b + (et_last - et_b) * rng.uniform(0.75, 1.4, n) + et_b * rng.uniform(-0.01, 0.03, n)
        cap = np.round(np.maximum(cap, et_b * 0.5), 4)
        share_b = v["energy_nonfossil"][:, jb] / v["energy_total"][:, jb] * 100
        (e_lo, e_hi), (c_lo, c_hi) = reduction_ranges[code]
        metrics = {
            "energy_intensity_reduction": np.round(rng.uniform(e_lo, e_hi, n), 1),
            "co2_intensity_reduction": np.round(rng.uniform(c_lo, c_hi, n), 1),
            "energy_total_cap": cap,
            "nonfossil_share": np.round(np.minimum(share_b + rng.uniform(2, 6, n), 95), 1),
        }
        for metric, values in metrics.items():
            mask = keep & ~((metric == "energy_total_cap") & (code == "2021-2025") & no_cap_14th)
            rows.append(
                pd.DataFrame(
                    {
                        "region_id": ids[mask],
                        "period_id": period_ids[code],
                        "metric": metric,
                        "year": pd.array([None] * int(mask.sum()), dtype="Int64"),
                        "value": values[mask],
                    }
                )
            )
        # Annual targets for some regions and years (they replace the geometric average a).
        for metric, share in (
            ("energy_intensity_reduction_annual", 0.3),
            ("co2_intensity_reduction_annual", 0.15),
        ):
            for k in (2, 3):
                mask = keep & (rng.random(n) < share)
                rows.append(
                    pd.DataFrame(
                        {
                            "region_id": ids[mask],
                            "period_id": period_ids[code],
                            "metric": metric,
                            "year": pd.array([base + k] * int(mask.sum()), dtype="Int64"),
                            "value": np.round(rng.uniform(2.5, 4.5, int(mask.sum())), 1),
                        }
                    )
                )
    return pd.concat(rows, ignore_index=True)


def _copy(cur, table: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    buffer.seek(0)
    cur.copy_expert(
        f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
    )


def reset(cur) -> None:
    """Empty the benchmark's data (regions, catalog and configuration stay)."""
    cur.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND (tablename LIKE 'monitoring\\_%%' OR tablename = ANY(%s))",
        [list(DATA_TABLES)],
    )
    tables = [row[0] for row in cur.fetchall()]
    cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    cur.execute("DROP TABLE IF EXISTS bench_reference_assessment")


def load(conn, seed: int = SEED, min_regions: int = 3000) -> LoadStats:
    """Generate and COPY the benchmark data into an empty bench database; returns what was loaded.

    The national file is expected (``min_regions``); the load test (``bench/load.py``) runs on
    Jiangxi's 112 regions alone (``--min-regions 100``)."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    with conn.cursor() as cur:
        reset(cur)
        # A bulk load of generated, consistent data: skip the per-row foreign-key triggers (as
        # pg_restore --disable-triggers does); the generator builds every reference itself.
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("SELECT id, code, level, path FROM regions_region ORDER BY path")
        regions = pd.DataFrame(cur.fetchall(), columns=["id", "code", "level", "path"])
        if len(regions) < min_regions:
            raise SystemExit(f"the bench database has {len(regions)} regions: run load_regions --all first")
        cur.execute("SELECT code, id FROM indicators_indicator")
        indicator_ids = dict(cur.fetchall())
        cur.execute("SELECT code, id FROM targets_planperiod")
        period_ids = dict(cur.fetchall())

        values = generate_values(regions, rng)
        n, y = len(regions), len(YEARS)
        ids = regions["id"].to_numpy()

        # Which region-years report: late starters (new counties) only from 2018.
        counties = np.flatnonzero(regions["level"].to_numpy() == "county")
        late = rng.choice(counties, N_LATE_STARTERS, replace=False)
        reports_mask = np.ones((n, y), dtype=bool)
        reports_mask[np.ix_(late, np.flatnonzero(YEARS < LATE_START_YEAR))] = False
        ri, yi = np.nonzero(reports_mask)
        m = len(ri)
        # Corrections (approved revision 2) and revisions under review (submitted, not in force).
        draw = rng.random(m)
        corrected = draw < 0.005
        pending = (draw >= 0.005) & (draw < 0.015)

        report_id = np.arange(1, m + 1)
        frames = [
            pd.DataFrame(
                {
                    "id": report_id,
                    "region_id": ids[ri],
                    "year": YEARS[yi],
                    "revision": 1,
                    "status": "approved",
                    "previous_id": pd.array([None] * m, dtype="Int64"),
                    "revision_reason": "",
                }
            )
        ]
        extra = np.flatnonzero(corrected | pending)
        extra_id = np.arange(m + 1, m + 1 + len(extra))
        frames.append(
            pd.DataFrame(
                {
                    "id": extra_id,
                    "region_id": ids[ri[extra]],
                    "year": YEARS[yi[extra]],
                    "revision": 2,
                    "status": np.where(corrected[extra], "approved", "submitted"),
                    "previous_id": pd.array(report_id[extra], dtype="Int64"),
                    "revision_reason": "bench: corrected figures",
                }
            )
        )
        reports = pd.concat(frames, ignore_index=True)
        reports["remarks"] = "bench data"
        reports["return_reason"] = ""
        reports["return_field_reasons"] = "{}"
        reports["version"] = 1  # the edit counter of apps/core/conflicts.py: never edited
        reports["created_at"] = reports["updated_at"] = reports["submitted_at"] = STAMP
        reports["approved_at"] = np.where(reports["status"] == "approved", STAMP, None)

        # Values: the generated "true" figures belong to the report in force. A corrected
        # region-year's superseded revision 1 had other GDP figures; a pending revision has
        # other energy figures. Neither may count.
        blocks = []
        for code, grid in values.items():
            truth = grid[ri, yi]
            rev1 = truth.copy()
            if code in ("gdp_current", "gdp_index"):
                rev1[corrected] = (truth[corrected] * 0.98).astype(np.int64)
            pend = truth[pending]
            if code.startswith("energy_") or code in ("renewable_power", "feedstock_energy"):
                pend = (pend * 1.1).astype(np.int64)
            ind = indicator_ids[code]
            blocks.append((report_id, ind, rev1))
            blocks.append((extra_id[corrected[extra]], ind, truth[corrected]))
            blocks.append((extra_id[pending[extra]], ind, pend))
        value_frame = pd.DataFrame(
            {
                "report_id": np.concatenate([b[0] for b in blocks]),
                "indicator_id": np.concatenate([np.full(len(b[0]), b[1]) for b in blocks]),
                "value": _text(np.concatenate([b[2] for b in blocks])),
            }
        )
        value_frame["note"] = ""

        targets = generate_targets(regions, values, period_ids, rng)
        targets["note"] = "bench"
        targets["updated_at"] = STAMP
        targets["version"] = 1

        _copy(cur, "reports_report", reports)
        _copy(cur, "reports_reportvalue", value_frame)
        _copy(cur, "targets_regiontarget", targets)
        for table in ("reports_report", "reports_reportvalue", "targets_regiontarget"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cur.execute(
            """INSERT INTO indicators_grid_regions (grid_id, region_id)
               SELECT g.id, r.id FROM indicators_grid g, regions_region r
               WHERE g.code = 'central-china' AND substr(r.path, 1, 6) = ANY(%s)""",
            [list(CENTRAL_CHINA_PROVINCES)],
        )
        grid_regions = cur.rowcount
    conn.commit()
    old = conn.isolation_level
    conn.set_isolation_level(0)  # ANALYZE outside a transaction block is fine either way
    with conn.cursor() as cur:
        cur.execute("ANALYZE")
    conn.set_isolation_level(old)
    return LoadStats(
        regions=len(regions),
        reports=len(reports),
        values=len(value_frame),
        targets=len(targets),
        grid_regions=grid_regions,
        seconds=time.perf_counter() - started,
    )


def main() -> None:
    min_regions = int(sys.argv[sys.argv.index("--min-regions") + 1]) if "--min-regions" in sys.argv else 3000
    with psycopg2.connect(dsn()) as conn:
        stats = load(conn, min_regions=min_regions)
    print(json.dumps(asdict(stats)))


if __name__ == "__main__":
    main()
