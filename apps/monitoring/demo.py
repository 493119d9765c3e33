"""Demo measures scores (methodology §9, made up, marked as demo in the comment). Never for production.

The provincial reviewer (demo user `province`) has scored the measures of the province and of
most cities for the last years of the plan periods (2020 and, when it has passed, 2025), so
grades appear on the dashboards; two cities' latest final year and every county are left
"pending review". Written through the scoring service, so the history shows who scored what.
Idempotent: a region-year that has a score keeps it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.regions import demo_figures as sim
from apps.regions.models import Region, RegionLevel

from . import scoring
from .models import MeasuresScore

COMMENT = "演示数据：按年度考核细则评分（虚构）/ demo score, made up"
PENDING = {("360800", 2025), ("361100", 2025)}  # 吉安市, 上饶市: still under review


def seed(stdout) -> None:
    reviewer = get_user_model().objects.filter(username="province").first()
    if reviewer is None:
        stdout.write("  measures scores: demo user 'province' missing (accounts demo first); skipped")
        return
    last = timezone.localdate().year - 1
    years = [y for y in (2020, 2025) if y <= last]
    regions = Region.objects.filter(
        path__startswith="360000/", level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]
    ).order_by("path")
    existing = set(MeasuresScore.objects.filter(region__in=regions).values_list("region_id", "year"))
    created = 0
    for year in years:
        for region in regions:
            if (region.pk, year) in existing or (region.code, year) in PENDING:
                continue
            score = Decimal(str(round(sim.between(region.code, f"measures{year}", 41, 58.5), 1)))
            scoring.measures_score_set(user=reviewer, region=region, year=year, score=score, comment=COMMENT)
            # Scored in the summer after the year, when the province reviews the reports.
            entered = timezone.make_aware(
                datetime(year + 1, 7, 10 + int(sim.between(region.code, "day", 0, 15)), 10)
            )
            MeasuresScore.objects.filter(region=region, year=year).update(entered_at=entered)
            created += 1
    stdout.write(f"  demo measures scores: {created} created, {len(existing)} kept")
