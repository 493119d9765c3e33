"""``make bench``: national-scale benchmark of the monitoring engine against a pandas reference.

Steps (see bench/README.md for what is measured and why):
1. the bench database (``BENCH_DATABASE_URL``, the benchmark's own) is created afresh and migrated;
   the national region file is loaded (``load_regions --all``);
2. the reference is checked on the spec's worked example (1e-9);
3. the input data are generated and loaded with COPY (replacing the previous run's data);
4. the portal is timed, each operation in a fresh process (``bench/measure.py``): (a) the
   nightly full recompute, (b) one-region recomputes as an approval queues them, (c) the export;
5. the reference runs (``bench/reference.py``), in a fresh process too;
6. the two result sets are compared figure by figure (``bench/compare.py``);
7. the figures and the targets' PASS/FAIL are printed and written to ``bench/out/RESULTS.md``
   (with ``--record``: to ``bench/RESULTS.md``).

Exit status: 0 when the results agree and every target holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import compare, load, pages
from bench import summary as summary_bench
from bench.common import (
    BENCH_DIR,
    OUT_DIR,
    ROOT,
    database_name,
    database_url,
    django_env,
    dsn,
    python,
    using_database,
)

#: Targets of issue 5, item 6.
MAX_RATIO = 2.0
MAX_FULL_SECONDS = 30.0
MAX_ONE_SECONDS = 0.2
MAX_PEAK_MB = 1024.0

#: Regions timed one by one: (code, level); counties first, as an approval most often concerns one.
ONE_REGIONS = (
    ("360102", "county"),  # 南昌市东湖区
    ("441900", "county"),  # 东莞市 (county-level unit sharing its prefecture's code)
    ("110101", "county"),  # 北京市东城区
    ("654325", "county"),  # 新疆 青河县
    ("330110", "county"),  # 杭州市余杭区
    ("360100", "city"),
    ("441900", "city"),
    ("360000", "province"),
    ("440000", "province"),
)


def say(text: str = "") -> None:
    print(text, flush=True)


def fail(text: str) -> None:
    say(f"\nBENCH FAILED: {text}")
    sys.exit(1)


def manage(*args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [python(), "manage.py", *args], cwd=ROOT, env=django_env(), capture_output=True, text=True
    )
    if done.returncode:
        fail(f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def measured(script: str, *args: str, profile: Path | None = None) -> dict:
    """Run a bench script in a fresh process; its last stdout line is its JSON figures."""
    command = [python(), str(BENCH_DIR / script), *args]
    if profile is not None:
        command[1:1] = ["-m", "cProfile", "-o", str(profile)]
    done = subprocess.run(command, cwd=ROOT, env=django_env(), capture_output=True, text=True)
    if done.returncode:
        fail(f"{script} {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


#: Comment that marks a database as the benchmark's own: only such a database is ever dropped.
MARKER = "Carbon Portal benchmark database (bench/run_bench.py): dropped and recreated by every run"


def prepare_database(keep: bool) -> str:
    """A database of the benchmark's own, on the code's current schema.

    By default the database is dropped and created again, so the run measures the code as it
    is now (migrations edited in place included); ``--keep-db`` keeps it (data are replaced
    anyway). A database the benchmark did not create (no marker comment) is never touched.
    """
    name = database_name()
    conn = psycopg2.connect(dsn(dbname="postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
            )
            row = cur.fetchone()
            if row is not None and row[0] != MARKER:
                fail(
                    f"database {name} exists and was not created by the benchmark (no marker comment): "
                    "its data would be replaced. Point BENCH_DATABASE_URL at another database name."
                )
            if row is not None and keep:
                return "kept (--keep-db)"
            if row is not None:
                cur.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            cur.execute(sql.SQL("COMMENT ON DATABASE {} IS %s").format(sql.Identifier(name)), [MARKER])
            return "recreated" if row is not None else "created"
    finally:
        conn.close()


def settle(vacuum: bool = True) -> None:
    """Let the database settle before a measured operation: VACUUM (ANALYZE) and CHECKPOINT.

    What autovacuum and the checkpointer do in the hours between the nightly recompute and the
    day's approvals; without it, the dead rows and the dirty pages a full recompute leaves behind
    (a gigabyte of writes) would be charged to whatever is measured next.
    """
    conn = psycopg2.connect(dsn())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            if vacuum:
                cur.execute("VACUUM (ANALYZE)")
            cur.execute("CHECKPOINT")
    finally:
        conn.close()


def machine(conn) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    with conn.cursor() as cur:
        cur.execute("SELECT version()")
        pg = cur.fetchone()[0].split(" on ")[0]
        cur.execute("SELECT current_setting('shared_buffers'), current_setting('work_mem')")
        shared_buffers, work_mem = cur.fetchone()
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    def version(name: str) -> str:  # the pages part runs without the reference's pandas
        try:
            return installed(name)
        except PackageNotFoundError:
            return "not installed"

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "postgresql": f"{pg} (shared_buffers {shared_buffers}, work_mem {work_mem})",
        "python": platform.python_version(),
        "pandas": version("pandas"),
        "numpy": version("numpy"),
        "commit": commit.stdout.strip() or "?",
        "load_before": load_average(),
    }


def load_average() -> str:
    """1/5/15-minute load averages: the machine may be shared, and a busy one slows every figure."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


DATA_CHECK = """
WITH inforce AS (
    SELECT DISTINCT ON (region_id, year) id, region_id, year
    FROM reports_report WHERE status = 'approved' ORDER BY region_id, year, revision DESC),
w AS (
    SELECT f.region_id, f.year,
           max(v.value) FILTER (WHERE i.code = 'energy_total') AS total,
           sum(v.value) FILTER (
               WHERE i.code IN ('energy_coal', 'energy_oil', 'energy_gas', 'energy_nonfossil')) AS fuels,
           sum(v.value) FILTER (WHERE i.code IN ('energy_coal', 'energy_oil', 'energy_gas')) AS fossil,
           max(v.value) FILTER (WHERE i.code = 'energy_nonfossil') AS nonfossil,
           max(v.value) FILTER (WHERE i.code = 'renewable_power') AS renewable,
           max(v.value) FILTER (WHERE i.code = 'feedstock_energy') AS feedstock,
           max(v.value) FILTER (WHERE i.code = 'gdp_index') AS gdp_index,
           max(v.value) FILTER (WHERE i.code = 'electricity_net_import') AS net_import
    FROM inforce f JOIN reports_reportvalue v ON v.report_id = f.id
    JOIN indicators_indicator i ON i.id = v.indicator_id GROUP BY f.region_id, f.year),
l AS (SELECT *, lag(renewable) OVER (PARTITION BY region_id ORDER BY year) AS renewable_before FROM w)
SELECT count(*), count(DISTINCT region_id),
       count(*) FILTER (WHERE fuels <> total), count(*) FILTER (WHERE renewable > nonfossil),
       count(*) FILTER (WHERE feedstock > fossil), min(gdp_index), max(gdp_index),
       count(*) FILTER (WHERE net_import < 0), count(*) FILTER (WHERE renewable < renewable_before),
       (SELECT count(*) FROM reports_report WHERE status <> 'approved'),
       (SELECT count(*) FROM reports_report WHERE revision > 1 AND status = 'approved')
FROM l
"""


def data_check(conn) -> dict:
    with conn.cursor() as cur:
        cur.execute(DATA_CHECK)
        row = cur.fetchone()
    keys = (
        "region_years",
        "regions",
        "fuel_sum_mismatches",
        "renewable_over_nonfossil",
        "feedstock_over_fossil",
        "gdp_index_min",
        "gdp_index_max",
        "net_exporter_years",
        "falling_renewable_years",
        "reports_not_approved",
        "approved_corrections",
    )
    check = dict(zip(keys, row, strict=True))
    check["gdp_index_min"], check["gdp_index_max"] = (
        float(check["gdp_index_min"]),
        float(check["gdp_index_max"]),
    )
    return check


def warning_levels(conn) -> dict[str, dict[str, int]]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT metric, level, count(*) FROM monitoring_assessment "
            "WHERE level IN ('red', 'yellow', 'green') GROUP BY 1, 2"  # warnings, not grades or outlooks
        )
        levels: dict[str, dict[str, int]] = {}
        for metric, level, count in cur.fetchall():
            levels.setdefault(metric, {})[level] = count
    return levels


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="National-scale benchmark of the monitoring engine.")
    parser.add_argument(
        "--repeat", type=int, default=2, help="full recomputes and reference runs (default 2)"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the bench database (default: recreate it)"
    )
    parser.add_argument(
        "--skip-load", action="store_true", help="reuse the data already loaded (implies --keep-db)"
    )
    parser.add_argument("--profile", action="store_true", help="also profile one full recompute (cProfile)")
    parser.add_argument("--record", action="store_true", help="write bench/RESULTS.md (else bench/out/)")
    parser.add_argument(
        "--only",
        choices=["pages", "load", "summary"],
        help="pages: only the pages part (bench/pages.py) on the data loaded (loaded first if absent); "
        "load: only the load test (bench/load.py, its own database); "
        "summary: only the oversight summary's generation (bench/summary.py) on the demo data",
    )
    parser.add_argument("--skip-pages", action="store_true", help="leave the pages part out")
    parser.add_argument("--skip-load-test", action="store_true", help="leave the load test out")
    parser.add_argument("--load-port", type=int, default=load.PORT, help="gunicorn's port for the load test")
    parser.add_argument("--load-seconds", type=int, default=load.SECONDS, help="duration of the load test")
    parser.add_argument("--pages-port", type=int, default=8106, help="gunicorn's port for the pages part")
    parser.add_argument("--pages-requests", type=int, default=200, help="requests per page and concurrency")
    parser.add_argument(
        "--pages-max-seconds", type=float, default=45, help="time budget per page and concurrency"
    )
    args = parser.parse_args(argv)
    args.keep_db = args.keep_db or args.skip_load
    OUT_DIR.mkdir(exist_ok=True)
    if args.only == "pages":
        return pages_only(args)
    if args.only == "load":
        return 0 if run_load(args) else 1
    if args.only == "summary":
        return summary_only(args)
    rows: list[tuple[str, str, str, str]] = []  # operation, wall, peak memory, notes

    say(f"Bench database: {database_url()}")
    say(f"  database {database_name()}: {prepare_database(args.keep_db)}")
    say(f"  migrate: {manage('migrate', '--noinput'):.1f} s")
    say(f"  load_regions --all: {manage('load_regions', '--all'):.1f} s")

    # This process stays small (no pandas): Linux hands a parent's peak RSS down to the children
    # it starts, and the children's peak RSS is what is measured.
    example = subprocess.run(
        [python(), str(BENCH_DIR / "reference.py"), "--check-example"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if example.returncode:
        fail(f"the reference does not reproduce the worked example:\n{example.stdout}{example.stderr}")
    say(f"Reference: {example.stdout.strip()}")

    conn = psycopg2.connect(dsn())
    conn.autocommit = True  # never "idle in transaction": that would hold locks a full run waits for
    info = machine(conn)
    say(f"Load average (1/5/15 min): {info['load_before']} on {info['nproc']} cores")
    if args.skip_load:
        say("Data: reusing the data already loaded (--skip-load)")
        load_note = "reused (--skip-load)"
    else:
        stats = measured("generate.py")
        say(
            "Data loaded with COPY in {seconds:.1f} s: {regions:,} regions, {reports:,} reports, "
            "{values:,} values, {targets:,} targets, Central China grid on {grid_regions} regions".format(
                **stats
            )
        )
        load_note = "{reports:,} reports, {values:,} values, {targets:,} targets".format(**stats)
        rows.append(("data generation + COPY load (not a target)", f"{stats['seconds']:.1f}", "", load_note))
    check = data_check(conn)
    say(
        "  checks: {region_years:,} region-years in force ({regions:,} regions); fuels ≠ total: "
        "{fuel_sum_mismatches}; renewable > non-fossil: {renewable_over_nonfossil}; feedstock > fossil: "
        "{feedstock_over_fossil}; gdp_index {gdp_index_min}–{gdp_index_max}; net-exporter years: "
        "{net_exporter_years:,}; falling renewable years: {falling_renewable_years:,}; reports not approved: "
        "{reports_not_approved}; approved corrections: {approved_corrections}".format(**check)
    )
    if check["fuel_sum_mismatches"] or check["renewable_over_nonfossil"] or check["feedstock_over_fossil"]:
        fail("the generated data are inconsistent")

    # (a) full recompute, the nightly task's body.
    say("\n(a) full recompute (nightly task, eager) …")
    full_runs = []
    for i in range(args.repeat):
        settle()
        figures = measured("measure.py", "full")
        if figures["status"] != "done" or figures["errors"]:
            fail(f"full recompute ended {figures['status']} with {figures['errors']} error(s)")
        full_runs.append(figures)
        secs, peak_mb = figures["seconds"], figures["peak_rss_mb"]
        say(f"  run {i + 1}: {secs:.2f} s, peak {peak_mb:.0f} MB, {figures['results']:,} results")
        state = "empty table" if i == 0 and not args.skip_load else "replacing the previous results"
        rows.append(
            (
                f"(a) full recompute, run {i + 1} ({state})",
                f"{figures['seconds']:.2f}",
                f"{figures['peak_rss_mb']:.0f}",
                f"{figures['regions']:,} regions, {figures['results']:,} results, "
                f"{figures['missing']:,} missing",
            )
        )
    full_s = statistics.median(f["seconds"] for f in full_runs)

    # (b) one-region recomputes as an approval queues them.
    say("(b) one-region recomputes (task queued by an approval, eager) …")
    with conn.cursor() as cur:
        cur.execute(
            "SELECT code, level, id FROM regions_region WHERE (code, level) IN %s",
            [tuple(ONE_REGIONS)],
        )
        ids = {(code, level): pk for code, level, pk in cur.fetchall()}
    one_runs = []
    for code, level in ONE_REGIONS:
        settle(vacuum=code == ONE_REGIONS[0][0])
        figures = measured("measure.py", "one", str(ids[code, level]))
        if figures["status"] != "done" or figures["stored"] != figures["results"]:
            fail(f"one-region recompute of {code}: {figures}")
        one_runs.append(figures)
        rows.append(
            (
                f"(b) one region {code} ({level})",
                f"{figures['seconds']:.3f}",
                f"{figures['peak_rss_mb']:.0f}",
                f"{figures['results']} results; again in the same process {figures['warm_seconds']:.3f} s",
            )
        )
    one_times = [f["seconds"] for f in one_runs]
    one_median, one_max = statistics.median(one_times), max(one_times)
    warm = [f["warm_seconds"] for f in one_runs]
    say(
        f"  {len(one_runs)} regions, first task of a fresh process: median {one_median:.3f} s, "
        f"max {one_max:.3f} s; run again: median {statistics.median(warm):.3f} s, max {max(warm):.3f} s"
    )
    rows.append(
        (
            "(b) one region: median / max",
            f"{one_median:.3f} / {one_max:.3f}",
            "",
            f"run again: {statistics.median(warm):.3f} / {max(warm):.3f}",
        )
    )

    # (c) export of all results.
    say("(c) export_assessments …")
    export_path = OUT_DIR / "assessments.csv"
    settle()
    export = measured("measure.py", "export", str(export_path))
    say(f"  {export['seconds']:.2f} s, {export['rows']:,} rows, {export['bytes'] / 1e6:.1f} MB")
    rows.append(
        (
            "(c) export_assessments (all results)",
            f"{export['seconds']:.2f}",
            f"{export['peak_rss_mb']:.0f}",
            f"{export['rows']:,} rows, {export['bytes'] / 1e6:.1f} MB",
        )
    )

    # The reference.
    say("Reference (pandas read, numpy compute, COPY write) …")
    ref_runs = []
    for i in range(args.repeat):
        settle()
        figures = measured("reference.py", "--json")
        ref_runs.append(figures)
        steps = "read {read_s:.2f} + compute {compute_s:.2f} + write {write_s:.2f}".format(**figures)
        say(f"  run {i + 1}: {figures['seconds']:.2f} s ({steps}), peak {figures['peak_rss_mb']:.0f} MB")
        rows.append(
            (
                f"reference end to end, run {i + 1}",
                f"{figures['seconds']:.2f}",
                f"{figures['peak_rss_mb']:.0f}",
                steps,
            )
        )
    ref_s = statistics.median(f["seconds"] for f in ref_runs)
    ref_compute = statistics.median(f["compute_s"] for f in ref_runs)
    rows.append(
        (
            "reference in-memory compute (median)",
            f"{ref_compute:.2f}",
            "",
            f"{ref_runs[0]['results']:,} results",
        )
    )
    ratio = full_s / ref_s
    rows.append(
        ("ratio portal / reference for (a), medians", f"{ratio:.1f}×", "", f"{full_s:.2f} s / {ref_s:.2f} s")
    )

    # Agreement.
    say("Comparing the portal's results with the reference's …")
    agreement = compare.compare(conn)
    held = agreement.compared + agreement.only_portal
    if export["rows"] != held:
        fail(f"the export wrote {export['rows']:,} rows but the portal holds {held:,}")
    levels = warning_levels(conn)
    profile_lines: list[str] = []
    if args.profile:
        say("Profiling one full recompute (cProfile) …")
        settle()
        measured("measure.py", "full", profile=OUT_DIR / "full.prof")
        import io
        import pstats

        text = io.StringIO()
        stats = pstats.Stats(str(OUT_DIR / "full.prof"), stream=text)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(15)
        site = Path(psycopg2.__file__).resolve().parent.parent
        stdlib = sysconfig.get_paths()["stdlib"]
        profile_lines = [
            line.replace(f"{site}/", "").replace(f"{stdlib}/", "").replace(f"{ROOT}/", "")
            for line in text.getvalue().splitlines()
            if line.strip() and "full.prof" not in line
        ]
    conn.close()

    info["load_after"] = load_average()
    peak = max(f["peak_rss_mb"] for f in [*full_runs, *one_runs, export])
    targets = [
        (f"full recompute ≤ {MAX_RATIO:g}× reference", ratio <= MAX_RATIO, f"{ratio:.1f}×"),
        (f"full recompute < {MAX_FULL_SECONDS:g} s", full_s < MAX_FULL_SECONDS, f"{full_s:.2f} s (median)"),
        (
            f"one-region recompute < {MAX_ONE_SECONDS:g} s",
            one_max < MAX_ONE_SECONDS,
            f"max {one_max:.3f} s, median {one_median:.3f} s",
        ),
        (
            f"peak memory < {MAX_PEAK_MB / 1024:g} GB",
            peak < MAX_PEAK_MB,
            f"max {peak:.0f} MB (portal operations)",
        ),
    ]

    width = max(len(r[0]) for r in rows)
    say()
    say(f"{'operation':<{width}}  {'wall (s)':>13}  {'peak RSS (MB)':>13}  notes")
    say("-" * (width + 45))
    for name, wall, mem, notes in rows:
        say(f"{name:<{width}}  {wall:>13}  {mem:>13}  {notes}")
    say()
    say("Agreement: " + agreement_text(agreement))
    for example in agreement.examples:
        say(f"  DISAGREES: {example}")
    say(
        "Warning levels in the portal's results: "
        + "; ".join(
            f"{m} " + "/".join(f"{lv} {levels[m].get(lv, 0):,}" for lv in ("red", "yellow", "green"))
            for m in sorted(levels)
        )
    )
    missing_branches = [
        f"{m} {lv}" for m in sorted(levels) for lv in ("red", "yellow", "green") if not levels[m].get(lv)
    ]
    if missing_branches:
        say("  NOTE: warning branches that never occur: " + ", ".join(missing_branches))
    say()
    say("Targets (issue 5, item 6):")
    for name, ok, figure in targets:
        say(f"  {verdict(ok)}  {name:<32} {figure}")

    results = {
        "machine": info,
        "data": check,
        "load": load_note,
        "full": full_runs,
        "one": one_runs,
        "export": export,
        "reference": ref_runs,
        "ratio": ratio,
        "agreement": {k: v for k, v in vars(agreement).items()},
        "warning_levels": levels,
        "targets": [{"target": n, "pass": ok, "figure": f} for n, ok, f in targets],
    }
    (OUT_DIR / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    markdown = render(info, rows, agreement, levels, targets, check, profile_lines)
    destination = BENCH_DIR / "RESULTS.md" if args.record else OUT_DIR / "RESULTS.md"
    destination.write_text(markdown + hand_written_analysis(), encoding="utf-8")
    say(f"\nFigures written to {destination.relative_to(ROOT)} and bench/out/results.json")

    if not agreement.ok:
        fail("the portal and the reference disagree (see DISAGREES above): one of them is wrong")
    pages_ok = True if args.skip_pages else run_pages(args, machine_info=info)
    load_ok = True if args.skip_load_test else run_load(args)
    return 0 if all(ok for _, ok, _ in targets) and pages_ok and load_ok else 1


def pages_only(args) -> int:
    """``--only pages``: the pages part on the bench database as it is (data loaded if absent)."""
    say(f"Bench database: {database_url()}")
    say(f"  database {database_name()}: {prepare_database(keep=True)}")
    say(f"  migrate: {manage('migrate', '--noinput'):.1f} s")
    conn = psycopg2.connect(dsn())
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM monitoring_assessment WHERE year = %s)", [pages.YEAR])
        loaded = cur.fetchone()[0]
    if not loaded:
        say("  no figures yet: loading the national data and running one full recompute …")
        say(f"  load_regions --all: {manage('load_regions', '--all'):.1f} s")
        stats = measured("generate.py")
        say("  data loaded in {seconds:.1f} s: {regions:,} regions, {reports:,} reports".format(**stats))
        settle()
        figures = measured("measure.py", "full")
        say(f"  full recompute: {figures['seconds']:.1f} s, {figures['results']:,} results")
    settle()
    info = machine(conn)
    conn.close()
    return 0 if run_pages(args, machine_info=info) else 1


def summary_only(args) -> int:
    """``--only summary``: a city summary's generation time (bench/summary.py) on a database of
    its own (the bench database's name + ``_summary``), seeded with the Jiangxi demo once."""
    parts = urlsplit(database_url())
    os.environ["BENCH_DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{database_name()}_summary"))
    say(f"Bench database: {database_url()}")
    say(f"  database {database_name()}: {prepare_database(keep=True)}")
    say(f"  migrate: {manage('migrate', '--noinput'):.1f} s")
    conn = psycopg2.connect(dsn())
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM accounts_user WHERE username = 'nanchang')")
        seeded = cur.fetchone()[0]
    if not seeded:
        for command in ("load_regions", "load_departments", "seed_demo"):
            say(f"  {command}: {manage(command):.1f} s")
    settle()
    info = machine(conn)
    conn.close()
    result = measured("summary.py", "--region", "360100")
    info = {**info, "load_after": load_average()}
    section = summary_bench.markdown(result, info)
    (OUT_DIR / "summary.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.record:
        summary_bench.record(BENCH_DIR / "RESULTS.md", section)
        say("Summary: figures written to bench/RESULTS.md (section Oversight summary)")
    else:
        (OUT_DIR / "summary.md").write_text(section, encoding="utf-8")
        say("Summary: figures written to bench/out/summary.md")
    for name, ok, figure in summary_bench.verdicts(result):
        say(f"  {verdict(ok)}  {name:<32} {figure} (< {summary_bench.TARGET_SECONDS:g} s)")
    return 0 if summary_bench.verdicts(result)[0][1] else 1


def run_pages(args, *, machine_info: dict) -> bool:
    """The pages part (bench/pages.py); its section of RESULTS.md. True when the target holds."""
    say(f"\nPages (gunicorn on 127.0.0.1:{args.pages_port}, {pages.CONCURRENCY} concurrent clients) …")
    results = pages.run(
        port=args.pages_port,
        requests=args.pages_requests,
        max_seconds=args.pages_max_seconds,
        say=say,
    )
    machine_info = {**machine_info, "load_after": load_average()}
    section = pages.markdown(
        results, machine_info, workers=4, requests=args.pages_requests, max_seconds=args.pages_max_seconds
    )
    (OUT_DIR / "pages.json").write_text(
        json.dumps([vars(m) for m in results], indent=2, ensure_ascii=False), encoding="utf-8"
    )
    if args.record:
        pages.record(BENCH_DIR / "RESULTS.md", section)
        say("Pages: figures written to bench/RESULTS.md (section Pages)")
    else:
        (OUT_DIR / "pages.md").write_text(section, encoding="utf-8")
        say("Pages: figures written to bench/out/pages.md")
    ok = pages.target_met(results)
    say(f"  {verdict(ok)}  pages p95 < {pages.MAX_P95_MS:g} ms at 16 clients")
    return ok


def run_load(args) -> bool:
    """The load test (bench/load.py) on its own database; its section of RESULTS.md. True when
    nothing was lost and nothing failed."""
    url = load.database_url_for_load()
    if database_name(url) == database_name():
        fail("the load test needs a database of its own (BENCH_LOAD_DATABASE_URL)")
    say(f"\nLoad test: database {url} …")
    with using_database(url):
        say(f"  database {database_name()}: {prepare_database(keep=False)}")
        say(f"  migrate: {manage('migrate', '--noinput'):.1f} s")
        say(f"  load_regions (Jiangxi): {manage('load_regions'):.1f} s")
        stats = measured("generate.py", "--min-regions", "100")
        conn = psycopg2.connect(dsn())
        conn.autocommit = True
        try:
            load.trim_years(conn, load.REPORT_YEAR)
            say(
                "  data: {regions} regions, {reports:,} reports generated in {seconds:.1f} s, those of "
                "{year} and later removed".format(**stats, year=load.REPORT_YEAR)
            )
            settle()
            figures = measured("measure.py", "full")
            say(f"  full recompute: {figures['seconds']:.1f} s, {figures['results']:,} results")
            if not load.static_collected():
                say(f"  collectstatic: {manage('collectstatic', '--noinput', '-v', '0'):.1f} s")
            plan = load.setup_accounts(django_env())
            say(
                f"  {len(plan['counties'])} county users with their draft, {len(plan['officials'])} officials"
            )
            settle()
            info = machine(conn)
            result = load.run(conn=conn, plan=plan, port=args.load_port, seconds=args.load_seconds, say=say)
            info["load_after"] = load_average()
        finally:
            conn.close()
    section = load.markdown(result, info)
    say("")
    say(section)
    if args.record:
        load.record(BENCH_DIR / "RESULTS.md", section)
        say("Load: figures written to bench/RESULTS.md (section Load)")
    else:
        (OUT_DIR / "load.md").write_text(section, encoding="utf-8")
        say("Load: figures written to bench/out/load.md")
    say(f"  {verdict(result.ok)}  load: 0 errors, 0 lost submissions, 0 lost saves")
    return result.ok


HAND_WRITTEN = "## Where the portal's time goes"


def hand_written_analysis() -> str:
    """The hand-written last section of bench/RESULTS.md, kept when the figures are re-recorded."""
    recorded = BENCH_DIR / "RESULTS.md"
    text = recorded.read_text(encoding="utf-8") if recorded.exists() else ""
    start = text.find(HAND_WRITTEN)
    return "\n" + text[start:] if start >= 0 else ""


def agreement_text(a: compare.Agreement) -> str:
    return (
        f"{a.compared:,} figures compared ({a.numbers:,} numbers, {a.warnings:,} warnings); "
        f"only in the portal: {a.only_portal}, only in the reference: {a.only_reference}, "
        f"numbers differing by more than 1e-9 relative: {a.value_mismatches}, "
        f"warnings differing: {a.level_mismatches}; largest relative difference {a.max_rel_diff:.1e}"
    )


def render(info, rows, agreement, levels, targets, check, profile_lines) -> str:
    out = [
        "# Monitoring engine benchmark: results",
        "",
        "Written by `make bench BENCH_ARGS=--record` (`bench/run_bench.py`); what is measured and why:",
        "`bench/README.md`.",
        "",
        "## Machine",
        "",
        f"- Date: {info['date']} (commit {info['commit']})",
        f"- CPU: {info['cpu']}, {info['nproc']} cores (`nproc`); memory {info['memory_gb']} GB",
        f"- {info['postgresql']}, on the same machine",
        f"- Python {info['python']}, pandas {info['pandas']}, numpy {info['numpy']}",
        f"- Load average (1/5/15 min) before the run {info['load_before']}, after {info['load_after']} "
        "(above 2 other work was competing for the two cores)",
        "",
        "## Data",
        "",
        f"{check['regions']:,} regions (the national file), {check['region_years']:,} region-years in force "
        f"(2015–2030), every input indicator of methodology §1; {check['net_exporter_years']:,} net-exporter "
        f"years, {check['falling_renewable_years']:,} years in which renewable power fell, "
        f"{check['approved_corrections']} approved corrections (revision 2), {check['reports_not_approved']} "
        "revisions under review that must not count; fuels add up to the total everywhere.",
        "",
        "## Figures",
        "",
        "| operation | wall (s) | peak RSS (MB) | notes |",
        "| --- | ---: | ---: | --- |",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
        "## Agreement with the reference",
        "",
        agreement_text(agreement) + ".",
        *(f"- DISAGREES: {example}" for example in agreement.examples),
        "",
        "Warning levels (red / yellow / green): "
        + "; ".join(
            f"`{m}` " + " / ".join(f"{levels[m].get(lv, 0):,}" for lv in ("red", "yellow", "green"))
            for m in sorted(levels)
        )
        + ".",
        "",
        "## Targets (issue 5, item 6)",
        "",
        "| target | result | figure |",
        "| --- | --- | --- |",
        *(f"| {n} | **{verdict(ok)}** | {f} |" for n, ok, f in targets),
        "",
    ]
    if profile_lines:
        out += [
            "## Profile of one more full recompute (cProfile: by cumulative, then by own time)",
            "",
            "```",
            *profile_lines,
            "```",
            "",
        ]
    out += [
        "## Reproduce",
        "",
        "```sh",
        "# PostgreSQL reachable at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/carbon_bench);",
        "# the database is created if missing; its data are replaced on every run.",
        "make bench                                  # figures to bench/out/RESULTS.md",
        'make bench BENCH_ARGS="--record --profile"  # this file, with the profile',
        "```",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
