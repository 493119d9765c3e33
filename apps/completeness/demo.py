"""Demo reporting deadlines (marked as demo). Never for production."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from .models import ReportingDeadline

FIRST_YEAR = 2015  # the demo reports' first year (apps/regions/demo_figures.py)


def seed(stdout) -> None:
    """Demo deadlines (marked as demo): 31 March of the following year, for every demo report
    year from 2015 to last year. Idempotent; `seed_demo` finds it here. Existing deadlines are kept.
    """
    end = timezone.localdate().year - 1
    existing = set(
        ReportingDeadline.objects.filter(year__range=(FIRST_YEAR, end)).values_list("year", flat=True)
    )
    new = [
        ReportingDeadline(year=year, due_date=date(year + 1, 3, 31), note="演示数据 / demo")
        for year in range(FIRST_YEAR, end + 1)
        if year not in existing
    ]
    for deadline in new:
        deadline.save()  # one by one: the history records each
    stdout.write(f"  demo reporting deadlines {FIRST_YEAR}-{end}: {len(new)} created, {len(existing)} kept")
