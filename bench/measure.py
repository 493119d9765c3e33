"""Time one portal operation in this (fresh) process and print the figures as JSON on stdout.

    python bench/measure.py full               # the nightly task: recompute every region
    python bench/measure.py one REGION_ID      # the task an approval queues: recompute one region
    python bench/measure.py export FILE        # export_assessments of all results to FILE

The process configures Django against ``BENCH_DATABASE_URL`` (Celery eager, DEBUG off), opens its
database connection and imports the task modules, and only then starts the clock: a worker has
all that in place before a task arrives. The clock (``time.perf_counter``) stops when the
operation returns; the peak memory is the process's peak resident set size
(``getrusage(RUSAGE_SELF).ru_maxrss``), i.e. Django, the app and the operation together.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def full() -> dict:
    """``recompute_nightly``, eager: run_create + run_execute → services.recompute() on everything."""
    from apps.monitoring import tasks
    from apps.monitoring.models import RecomputeRun

    started = time.perf_counter()
    result = tasks.recompute_nightly.delay().get()
    seconds = time.perf_counter() - started
    run = RecomputeRun.objects.get(pk=result["run"])
    return {
        "seconds": seconds,
        "status": run.status,
        "regions": run.regions_done,
        "results": run.results_written,
        "missing": run.missing_count,
        "errors": len(run.errors),
    }


def one(region_id: int) -> dict:
    """``recompute_run`` of a run scoped to one region, as an approval queues it (eager).

    The run row is created before the clock starts: the approval's transaction creates it;
    the task body is what the worker then does. The first task of this fresh process is the
    measured figure (cold: the database session has not seen these tables yet); the same task
    run again right after shows what a worker that has served tasks before takes (warm).
    """
    from apps.monitoring import services, tasks
    from apps.monitoring.models import Assessment, RecomputeRun
    from apps.regions.models import Region

    region = Region.objects.get(pk=region_id)
    times = []
    for _ in range(2):
        run = services.run_create(region=region, reason="bench: one region after an approval")
        started = time.perf_counter()
        tasks.recompute_run.delay(run.pk).get()
        times.append(time.perf_counter() - started)
        run = RecomputeRun.objects.get(pk=run.pk)
        if run.status != "done":
            break
    return {
        "seconds": times[0],
        "warm_seconds": times[-1],
        "status": run.status,
        "region": region.code,
        "level": region.level,
        "results": run.results_written,
        "stored": Assessment.objects.filter(region_id=region_id).count(),
    }


def export(path: str) -> dict:
    """``export_assessments --output FILE``: the selector the command calls (COPY … TO STDOUT)."""
    from apps.accounts.scoping import SYSTEM
    from apps.monitoring.selectors import write_export

    started = time.perf_counter()
    with open(path, "w", encoding="utf-8", newline="") as out:
        rows = write_export(out, user=SYSTEM)  # as the command: the system's export, COPY
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows, "bytes": Path(path).stat().st_size}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("full", "one", "export"):
        print(__doc__, file=sys.stderr)
        return 2
    setup_django()
    from django.db import connection

    import apps.monitoring.tasks  # noqa: F401  (a worker has imported its tasks)

    connection.ensure_connection()
    op = argv[0]
    if op == "full":
        figures = full()
    elif op == "one":
        figures = one(int(argv[1]))
    else:
        figures = export(argv[1])
    figures.update(op=op, peak_rss_mb=_peak_mb())
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
