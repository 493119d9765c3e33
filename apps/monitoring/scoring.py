"""Writes of the §9 measures score (0–60) of a region-year, and the reads of the scoring page.

A provincial official (or an administrator) enters the measures part of a region-year's score
(`Action.ENTER_MEASURES_SCORE`, roles.md v1.1). The score is an input of the region-year, like
an approved value: it is saved with its comment, recorded in the history (the comment is the
change's reason), and once the transaction commits the region is recomputed like after an
approval, so its grade leaves "pending review" (methodology §9).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core import history
from apps.regions.models import Region
from apps.targets.models import PlanPeriod

from . import dispatch
from .models import MEASURES_SCORE_MAX, Assessment, MeasuresScore

COMMENT_MAX = 500
#: What the scoring list shows of each region-year, besides the score itself.
LIST_METRICS = ("grade", "score_target", "score_total")
HISTORY_STYLE = history.Style(
    skip=frozenset({"id", "region", "year", "comment", "entered_by", "entered_at"}), trim_decimals=True
)


def _parse_score(value, errors: dict[str, list[str]]) -> Decimal | None:
    text = "" if value is None else str(value).strip()
    if text == "":
        errors.setdefault("score", []).append(_("A score is required."))
        return None
    try:
        score = Decimal(text)
    except InvalidOperation:
        errors.setdefault("score", []).append(_("Not a number: %(value)s.") % {"value": text[:40]})
        return None
    if not score.is_finite() or not Decimal(0) <= score <= MEASURES_SCORE_MAX:
        errors.setdefault("score", []).append(_("The measures score must be between 0 and 60."))
        return None
    if score != score.quantize(Decimal("0.1")):
        errors.setdefault("score", []).append(_("Give the score with at most one decimal place."))
        return None
    return score.quantize(Decimal("0.1"))


def scoring_years() -> list[int]:
    """Years a measures score may be given for: the years of the plan periods (k ≥ 1) up to this year."""
    last = timezone.localdate().year
    years = {y for p in PlanPeriod.objects.all() for y in p.years if y <= last}
    return sorted(years, reverse=True)


def _check_year(year, errors: dict[str, list[str]]) -> int | None:
    try:
        year = int(year)
    except (TypeError, ValueError):
        errors.setdefault("year", []).append(_("The year must be a number."))
        return None
    if year not in scoring_years():
        errors.setdefault("year", []).append(
            _("%(year)s is not a year of a plan period up to this year.") % {"year": year}
        )
        return None
    return year


@transaction.atomic
def measures_score_set(*, user, region: Region, year, score, comment: str = "") -> MeasuresScore:
    """Enter or change the measures score of `region` for `year`; recompute the region after commit.

    Changing a score needs a comment (why); every error is reported at once, naming its field."""
    scoping.require(user, Action.ENTER_MEASURES_SCORE, region=region)
    errors: dict[str, list[str]] = {}
    year = _check_year(year, errors)
    parsed = _parse_score(score, errors)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors.setdefault("comment", []).append(
            _("The comment is too long (at most %(n)d characters).") % {"n": COMMENT_MAX}
        )
    current = None
    if year is not None:
        current = MeasuresScore.objects.select_for_update().filter(region=region, year=year).first()
    if current is not None and parsed is not None and parsed != current.score and not comment:
        errors.setdefault("comment", []).append(_("Say why the score changes."))
    if errors:
        raise ValidationError(errors)
    if current is not None and current.score == parsed and current.comment == comment:
        return current
    entry = current or MeasuresScore(region=region, year=year)
    entry.score, entry.comment = parsed, comment
    entry.entered_by, entry.entered_at = user, timezone.now()
    entry._history_user = user
    entry._change_reason = comment
    entry.save()
    dispatch.run_queue(user=user, region=region, reason=f"measures score {year} entered")
    return entry


@transaction.atomic
def measures_score_clear(*, user, region: Region, year: int, comment: str = "") -> bool:
    """Remove the measures score of a region-year (its history is kept): the grade returns to
    "pending review". False when there was none."""
    scoping.require(user, Action.ENTER_MEASURES_SCORE, region=region)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [_("Say why the score is removed.")]})
    entry = MeasuresScore.objects.select_for_update().filter(region=region, year=year).first()
    if entry is None:
        return False
    entry._history_user = user
    entry._change_reason = comment
    entry.delete()
    dispatch.run_queue(user=user, region=region, reason=f"measures score {year} removed")
    return True


# ---- reads --------------------------------------------------------------------------------------


def scores_for(user) -> QuerySet[MeasuresScore]:
    """Measures scores the user may read (those of regions whose assessments they read)."""
    return scoping.restrict(
        MeasuresScore.objects.select_related("region", "entered_by"), user, Action.READ_ASSESSMENTS
    )


@dataclass
class RegionYear:
    region: Region
    year: int
    figures: dict[str, Assessment]
    score: MeasuresScore | None

    @property
    def grade(self) -> Assessment | None:
        return self.figures.get("grade")


def scoring_rows(user, *, year: int, city: Region | None = None) -> list[RegionYear]:
    """Every region the user may score that has a computed grade for `year` (or a score), with
    its grade, target part, total and the entered score: three queries."""
    regions = scoping.regions_for(user, Action.ENTER_MEASURES_SCORE)
    if city is not None:
        regions = regions.filter(path__startswith=city.path)
    figures = Assessment.objects.filter(region__in=regions, year=year, metric__in=LIST_METRICS)
    scores = MeasuresScore.objects.filter(region__in=regions, year=year).select_related("entered_by")
    by_region: dict[int, dict[str, Assessment]] = {}
    for a in figures:
        by_region.setdefault(a.region_id, {})[a.metric] = a
    score_of = {s.region_id: s for s in scores}
    wanted = set(by_region) | set(score_of)
    return [
        RegionYear(region, year, by_region.get(region.pk, {}), score_of.get(region.pk))
        for region in Region.objects.filter(pk__in=wanted).order_by("path")
    ]


def score_history(region: Region, year: int) -> list[history.HistoryEntry]:
    """Every version of a region-year's measures score (removals included), newest first."""
    return history.timeline(
        MeasuresScore.history.filter(region_id=region.pk, year=year),
        subject=lambda r: _("Measures score %(year)s") % {"year": r.year},
        style=HISTORY_STYLE,
    )
