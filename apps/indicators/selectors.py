"""Reads of the catalog shared by the UI, the API and exports (a constant number of queries each).

The catalog is reference data: everyone signed in reads all of it (`Action.READ_REFERENCE`);
a user without that action gets empty querysets.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core import history

from .models import EmissionFactorSet, FuelFactor, Grid, GridFactor, Indicator, RuleSet, _localised


def _readable(queryset: QuerySet, user) -> QuerySet:
    return queryset if scoping.scope_of(user, Action.READ_REFERENCE) is not None else queryset.none()


def indicators(user, *, required: bool | None = None, q: str = "") -> QuerySet[Indicator]:
    qs = Indicator.objects.all()
    if required is not None:
        qs = qs.filter(required=required)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name_zh__contains=q) | Q(name_en__icontains=q))
    return _readable(qs, user)


def factor_sets(user) -> QuerySet[EmissionFactorSet]:
    """Factor sets with their fuel factors and the periods that use them."""
    return _readable(
        EmissionFactorSet.objects.prefetch_related(
            Prefetch("fuel_factors", queryset=FuelFactor.objects.order_by("fuel")), "periods"
        ).order_by("-is_default", "code"),
        user,
    )


def grids(user) -> QuerySet[Grid]:
    """Grids with their yearly factors and assigned regions."""
    return _readable(
        Grid.objects.prefetch_related(
            Prefetch("factors", queryset=GridFactor.objects.order_by("year")),
            "regions",
        ),
        user,
    )


def rule_sets(user) -> QuerySet[RuleSet]:
    return _readable(RuleSet.objects.prefetch_related("periods"), user)


def default_factor_set() -> EmissionFactorSet | None:
    return EmissionFactorSet.objects.filter(is_default=True).first()


def default_grid() -> Grid | None:
    return Grid.objects.filter(is_default=True).first()


# --- history timelines ---------------------------------------------------------------------------


def indicator_history(indicator: Indicator) -> list[history.HistoryEntry]:
    # the indicator's name in the active language, as it read in that version (not its code)
    records = Indicator.history.filter(id=indicator.pk)
    return history.timeline(records, subject=lambda r: _localised(r, "name"))


def factor_set_history(factor_set: EmissionFactorSet) -> list[history.HistoryEntry]:
    """The set's own versions and its fuel factors' versions, newest first."""
    return history.merged_timeline(
        [
            (EmissionFactorSet.history.filter(id=factor_set.pk), lambda r: r.code),
            (FuelFactor.history.filter(factor_set_id=factor_set.pk), lambda r: str(r.get_fuel_display())),
        ]
    )


def grid_history(grid: Grid) -> list[history.HistoryEntry]:
    """The grid's versions (name, default flag, assigned regions) and its yearly factors'."""
    return history.merged_timeline(
        [
            (Grid.history.filter(id=grid.pk), lambda r: r.code),
            (GridFactor.history.filter(grid_id=grid.pk), lambda r: str(r.year)),
        ]
    )


def rule_set_history(rule_set: RuleSet) -> list[history.HistoryEntry]:
    return history.timeline(RuleSet.history.filter(id=rule_set.pk), subject=lambda r: r.code)
