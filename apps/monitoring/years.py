"""Which year the figures pages show by default, which data version they show, and declaring a
year's assessment complete.

The default year is the latest year a provincial official has declared complete (roles.md v1.1)
or, until one has, the latest year in which at least 80 % of the regions the user may read have
an `energy_intensity_reduction_cum` result — so a single early approval never moves what the
dashboards show. Each answer costs one or two queries, however many regions there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core.cache import cached_fragment, history_model, latest_pks, scope_key

from .engine import SPEC_VERSION
from .models import Assessment, CompleteYear, RecomputeRun, RunStatus

COVERAGE_METRIC = "energy_intensity_reduction_cum"
COVERAGE_SHARE = 0.8
REASON_MAX = 500


@dataclass(frozen=True)
class DataVersion:
    """The recompute run whose results a page, document or download shows (shared/DESIGN.md)."""

    run_id: int | None
    finished_at: datetime | None
    spec_version: str = SPEC_VERSION

    def __str__(self) -> str:
        if self.run_id is None:
            return _("no recompute yet · spec %(spec)s") % {"spec": self.spec_version}
        when = timezone.localtime(self.finished_at).strftime("%Y-%m-%d %H:%M") if self.finished_at else ""
        return _("data version #%(run)s · %(when)s · spec %(spec)s") % {
            "run": self.run_id,
            "when": when,
            "spec": self.spec_version,
        }


def data_version() -> DataVersion:
    """The latest finished recompute run (one query)."""
    run = (
        RecomputeRun.objects.filter(status=RunStatus.DONE, finished_at__isnull=False)
        .order_by("-finished_at", "-pk")
        .only("pk", "finished_at")
        .first()
    )
    return DataVersion(run.pk, run.finished_at) if run else DataVersion(None, None)


@dataclass(frozen=True)
class YearCoverage:
    year: int
    regions_with_results: int
    regions_in_scope: int
    declared: CompleteYear | None

    @property
    def share(self) -> float:
        return self.regions_with_results / self.regions_in_scope if self.regions_in_scope else 0.0

    @property
    def covered(self) -> bool:
        return self.regions_in_scope > 0 and self.share >= COVERAGE_SHARE


def coverage(user) -> list[YearCoverage]:
    """Per year with results: how many regions the user may read have the coverage metric (newest first)."""
    regions = scoping.regions_for(user, Action.READ_ASSESSMENTS)
    in_scope = regions.count()
    counts = dict(
        Assessment.objects.filter(metric=COVERAGE_METRIC, region__in=regions)
        .values_list("year")
        .annotate(n=Count("id"))
        .values_list("year", "n")
    )
    declared = {c.year: c for c in CompleteYear.objects.select_related("declared_by")}
    years = sorted(set(counts) | set(declared), reverse=True)
    return [YearCoverage(y, counts.get(y, 0), in_scope, declared.get(y)) for y in years]


def default_year(user) -> int | None:
    """The year figures pages open on for `user` (see the module docstring); None without results."""
    declared = CompleteYear.objects.order_by("-year").values_list("year", flat=True).first()
    if declared is not None:
        return declared
    rows = coverage(user)
    for row in rows:
        if row.covered:
            return row.year
    # No year covered yet: the year most regions have results for (the later one on a tie).
    best = max(rows, key=lambda r: (r.regions_with_results, r.year), default=None)
    return best.year if best and best.regions_with_results else None


def years_with_results(user) -> list[int]:
    """Years with any figure the user may read, newest first (one query)."""
    qs = scoping.restrict(Assessment.objects.all(), user, Action.READ_ASSESSMENTS)
    return list(qs.order_by("-year").values_list("year", flat=True).distinct())


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("Give a year.")]}) from None
    if not Assessment.objects.filter(year=year).exists():
        raise ValidationError({"year": [_("There are no figures for %(year)s yet.") % {"year": year}]})
    return year


@transaction.atomic
def declare_complete(user, year) -> CompleteYear:
    """Declare a year's assessment complete: it becomes every dashboard's default year."""
    if not scoping.holds_everywhere(user, Action.DECLARE_YEAR_COMPLETE):
        raise PermissionDenied(_("Only a provincial official may declare a year complete."))
    year = _check_year(year)
    found = CompleteYear.objects.filter(year=year).first()
    if found:
        raise ValidationError({"year": [_("%(year)s is already declared complete.") % {"year": year}]})
    entry = CompleteYear(year=year, declared_by=_person(user), declared_at=timezone.now())
    entry._history_user = _person(user)
    entry._change_reason = "declared complete"
    entry.save()
    return entry


@transaction.atomic
def withdraw_complete(user, year, reason: str) -> None:
    """Withdraw a declaration (with the reason, kept in the history); the default falls back."""
    if not scoping.holds_everywhere(user, Action.DECLARE_YEAR_COMPLETE):
        raise PermissionDenied(_("Only a provincial official may declare a year complete."))
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the declaration is withdrawn.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("At most %(n)s characters.") % {"n": REASON_MAX}]
    entry = CompleteYear.objects.select_for_update().filter(year=year).first()
    if entry is None:
        errors["year"] = [_("%(year)s is not declared complete.") % {"year": year}]
    if errors:
        raise ValidationError(errors)
    entry._history_user = _person(user)
    entry._change_reason = reason
    entry.delete()


def _person(user):
    return user if getattr(user, "pk", None) else None


def figures_stamp(version: DataVersion | None = None) -> tuple:
    """A version of everything the figures pages show: the data version (a recompute run), the
    newest figure (rows written without a run: data loads) and the newest declaration history row
    (a year declared complete or withdrawn). One query besides `data_version()`."""
    version = version or data_version()
    return (
        version.run_id,
        version.finished_at,
        *latest_pks(Assessment.objects.all(), history_model(CompleteYear).objects.all()),
    )


def cached_years(
    user, years_of=years_with_results, stamp: tuple | None = None
) -> tuple[list[int], int | None]:
    """(`years_of(user)`, `default_year(user)`) from the page cache (`apps.core.cache`).

    Both read figures across every region in scope (tens of milliseconds on national data) on
    every figures page; they change only with the figures or a declaration (`figures_stamp`)."""
    key = (
        scope_key(user),
        getattr(years_of, "__qualname__", str(years_of)),
        getattr(years_of, "__module__", ""),
        stamp or figures_stamp(),
    )
    return cached_fragment("figure-years", key, lambda: (years_of(user), default_year(user)))
