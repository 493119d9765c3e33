"""Demo reporting deadlines (marked as demo). Never for production."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from .models import ReportingDeadline
from .selectors import default_years


def seed(stdout) -> None:
    """Demo deadlines (marked as demo): 31 March of the following year, for the last five report years.

    Idempotent; `seed_demo` finds it here. Existing deadlines are kept.
    """
    start, end = default_years(timezone.localdate())
    created = 0
    for year in range(start, end + 1):
        _, made = ReportingDeadline.objects.get_or_create(
            year=year, defaults={"due_date": date(year + 1, 3, 31), "note": "演示数据 / demo"}
        )
        created += made
    stdout.write(
        f"  demo reporting deadlines {start}-{end}: {created} created, {end - start + 1 - created} kept"
    )
