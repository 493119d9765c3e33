"""Publishing and withdrawing figures for the public (issue 12 item 1), and reading what is public.

`publish()` freezes the items of the chosen groups (`groups.py`) for a year and a region's
subtree into a `core.FrozenEdition` (figures as canonical JSON with their SHA-256 and the data
version), and records the `Publication`. Publishing the same year and region again supersedes the
previous publication (a new edition of the same subject). `withdraw()` takes one off the public
pages with a reason. Both check `Action.PUBLISH` (roles.md v1.1: provincial officials and
administrators) for the region; the audit middleware records the requests that call them.

What the public sees (`public.py`) is decided here by `active()`: the publications in force,
newest first; for a year and a region the newest one whose subtree holds the region decides.
"""

from __future__ import annotations

import json
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core.editions import edition_issue
from apps.core.models import FrozenEdition
from apps.monitoring import years
from apps.monitoring.models import Assessment
from apps.regions.models import Region
from apps.regions.selectors import by_code
from apps.targets.models import PlanPeriod

from . import groups as registry
from .groups import FreezeScope
from .models import Publication, PublicationStatus

EDITION_KIND = "disclosure.publication"
REASON_MAX = 1000
MIN_YEAR, MAX_YEAR = 2000, 2100


def subject_key(year: int, region: Region) -> str:
    return f"{year}/{region.path}"


def publishable_regions(user) -> QuerySet[Region]:
    return scoping.regions_for(user, Action.PUBLISH)


def readable(user) -> QuerySet[Publication]:
    """Publications the user may see in the officials' list (PUBLISH over their region)."""
    return scoping.restrict(
        Publication.objects.select_related("region", "published_by", "withdrawn_by", "edition"),
        user,
        Action.PUBLISH,
    )


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("Enter a four-digit year.")]}) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": [_("Enter a four-digit year.")]})
    return year


def resolve_region(value) -> Region:
    """A region given as a Region, a code (the higher level when a city and its county share it)."""
    if isinstance(value, Region):
        return value
    code = str(value or "").strip()
    region = by_code(code) if code.isdigit() and len(code) == 6 else None
    if region is None:
        raise ValidationError({"region": [_("There is no region with the code %(code)s.") % {"code": code}]})
    return region


def _check_groups(chosen) -> list[str]:
    known = registry.keys()
    if chosen in (None, "", []):
        return known
    if isinstance(chosen, str):
        chosen = [chosen]
    unknown = [g for g in chosen if g not in known]
    if unknown:
        raise ValidationError({"groups": [_("Choose among: %(choices)s.") % {"choices": ", ".join(known)}]})
    return [g for g in known if g in set(chosen)]


def trend_start(year: int) -> int:
    """The first year shown with `year`: the base year of the plan period the year is reported in."""
    for period in PlanPeriod.objects.order_by("base_year"):
        if period.first_year <= year <= period.last_year:
            return period.base_year
    return year


@transaction.atomic
def publish(*, user, year, region, groups=None) -> Publication:
    """Freeze and publish `year`'s figures of `region`'s subtree for the chosen groups (all when None)."""
    year = _check_year(year)
    region = resolve_region(region)
    chosen = _check_groups(groups)
    scoping.require(user, Action.PUBLISH, region=region)
    subtree = list(Region.objects.filter(path__startswith=region.path).order_by("path"))
    if not Assessment.objects.filter(region=region, year=year).exists():
        raise ValidationError(
            {
                "year": [
                    _("%(region)s has no computed figures for %(year)s.")
                    % {"region": region.name, "year": year}
                ]
            }
        )
    scope = FreezeScope(year=year, root=region, regions=subtree, user=user, first_year=trend_start(year))
    figures = {
        "year": year,
        "region": region.path,
        "first_year": scope.first_year,
        "regions": [{"path": r.path, "code": r.code, "name": r.name, "level": r.level} for r in subtree],
        "groups": chosen,
        "items": {key: registry.get(key).freeze(scope) for key in chosen},
    }
    previous = (
        Publication.objects.select_for_update()
        .filter(year=year, region=region, status=PublicationStatus.PUBLISHED)
        .first()
    )
    key = subject_key(year, region)
    earlier = FrozenEdition.objects.filter(kind=EDITION_KIND, subject_key=key).exists()
    version = years.data_version()
    edition = edition_issue(
        user=user,
        kind=EDITION_KIND,
        subject_key=key,
        figures=figures,
        data_version=str(version.run_id or "none") + f" · spec {version.spec_version}",
        title=f"{region.name} {year}",
        correction_reason=_("Published again") if earlier else "",
    )
    if previous is not None:
        previous.status = PublicationStatus.SUPERSEDED
        previous._change_reason = "superseded"
        previous.save(update_fields=["status"])
    publication = Publication(
        year=year,
        region=region,
        groups=chosen,
        edition=edition,
        data_version=edition.data_version,
        published_by=user,
        published_at=edition.issued_at,
        supersedes=previous,
    )
    publication._change_reason = "published"
    publication.save()
    return publication


@transaction.atomic
def withdraw(*, user, publication: Publication, reason: str) -> Publication:
    """Take a publication off the public pages; the reason is required and kept."""
    publication = Publication.objects.select_for_update().select_related("region").get(pk=publication.pk)
    scoping.require(user, Action.PUBLISH, region=publication.region)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the publication is withdrawn.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("At most %(n)d characters.") % {"n": REASON_MAX}]})
    if publication.status != PublicationStatus.PUBLISHED:
        raise ValidationError({"status": [_("Only a publication in force can be withdrawn.")]})
    publication.status = PublicationStatus.WITHDRAWN
    publication.withdrawn_by = user
    publication.withdrawn_at = timezone.now()
    publication.withdraw_reason = reason
    publication._change_reason = reason
    publication.save()
    return publication


# ---- what is public ------------------------------------------------------------------------------


def active() -> list[Publication]:
    """The publications in force, newest first (one query)."""
    return list(
        Publication.objects.filter(status=PublicationStatus.PUBLISHED)
        .select_related("region", "edition")
        .only(
            "pk",
            "year",
            "groups",
            "edition_id",
            "published_at",
            "data_version",
            "region__path",
            "region__code",
            "region__name",
            "region__level",
            "edition__sha256",
        )
        .order_by("-published_at", "-pk")
    )


@lru_cache(maxsize=32)
def frozen(edition_id: int, seal: str = "") -> dict:
    """The frozen figures of an edition, parsed once per process (an edition never changes; its
    seal in the key keeps a reused id, as after a rolled-back test, from reading another's)."""
    text = FrozenEdition.objects.filter(pk=edition_id).values_list("figures_json", flat=True).first()
    return json.loads(text) if text else {}
