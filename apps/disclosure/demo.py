"""Demo publication (never for production): the provincial official `province` has published the
latest year with figures for the whole province, so `make run` shows the public pages.

Runs after the demo recompute (`seed_after_recompute`): a publication freezes computed figures.
Idempotent: a year already published is left as it is.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from apps.monitoring.models import Assessment
from apps.regions.models import Region

from . import publications
from .models import Publication, PublicationStatus
from .tips_demo import seed_tips


def seed(stdout) -> None:
    """The demo tips (tips_demo.py); the publication waits for the recompute (`seed_after_recompute`)."""
    seed_tips(stdout)


def seed_after_recompute(stdout) -> None:
    official = get_user_model().objects.filter(username="province").first()
    province = Region.objects.filter(code="360000", parent__isnull=True).first()
    if official is None or province is None:
        stdout.write("  demo publication: user 'province' or the province missing; skipped")
        return
    found = (
        Assessment.objects.filter(region=province).order_by("-year").values_list("year", flat=True).first()
    )
    if found is None:
        stdout.write("  demo publication: no computed figures yet (the recompute runs later); skipped")
        return
    if Publication.objects.filter(year=found, status=PublicationStatus.PUBLISHED).exists():
        stdout.write(f"  demo publication: {found} already published")
        return
    publications.publish(user=official, year=found, region=province)
    stdout.write(f"  demo publication: {province.name} {found} published")
