"""Writes to the indicator catalog, emission factors, grids and rule sets.

Every function checks `Action.EDIT_CATALOG` first (provincial officials and
administrators), validates the whole object (bad input → ValidationError naming the
field, nothing saved), records a history version attributed to the acting user in the
same transaction, and queues `signals.catalog_changed` for after the commit so the
monitoring app can recompute what the change affects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.regions.models import Region

from .models import EmissionFactorSet, Fuel, FuelFactor, Grid, GridFactor, Indicator, RuleSet
from .signals import send_catalog_changed_on_commit

INDICATOR_FIELDS = frozenset(
    {
        "name_zh",
        "name_en",
        "precision",
        "unit",
        "unit_en",
        "definition_zh",
        "definition_en",
        "required",
        "allow_negative",
        "order",
        "change_measure",
        "change_lower",
        "change_upper",
        "change_basis",
        "parent_tolerance",
    }
)
RULE_SET_FIELDS = frozenset(
    {
        "name",
        "description",
        "source",
        "intensity_excludes_feedstock",
        "intensity_excludes_nonfossil",
        "total_excludes_feedstock",
        "total_excludes_nonfossil",
        "total_deducts_new_renewables",
        "progress_method",
    }
)
_INDICATOR_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _apply(obj, allowed: frozenset[str], changes: dict) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(obj, name, value)


def _save(obj, user, *, exclude: Iterable[str] = ()) -> None:
    """Validate and save one row; its history version names the acting user."""
    obj.full_clean(exclude=list(exclude))
    obj._history_user = user
    obj.save()


# --- indicators -------------------------------------------------------------------------------


@transaction.atomic
def indicator_create(*, user, code: str, **fields) -> Indicator:
    """Add an indicator to the catalog (its code is fixed from then on: reports and the engine use it)."""
    scoping.require(user, Action.EDIT_CATALOG)
    code = (code or "").strip()
    if not _INDICATOR_CODE.match(code):
        raise ValidationError(
            {"code": _("Use lower-case letters, digits and underscores, starting with a letter.")}
        )
    if Indicator.objects.filter(code=code).exists():
        raise ValidationError({"code": _("An indicator with this code already exists.")})
    indicator = Indicator(code=code)
    _apply(indicator, INDICATOR_FIELDS, fields)
    _save(indicator, user)
    send_catalog_changed_on_commit(Indicator, kind="indicator", object_id=indicator.pk)
    return indicator


@transaction.atomic
def indicator_update(*, user, indicator: Indicator, **changes) -> Indicator:
    """Change an indicator's names, unit, definition, flags or plausibility bounds (not its code).

    New bounds apply to every report validated from then on (submission, review, imports).
    """
    scoping.require(user, Action.EDIT_CATALOG)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    _apply(indicator, INDICATOR_FIELDS, changes)
    _save(indicator, user)
    send_catalog_changed_on_commit(Indicator, kind="indicator", object_id=indicator.pk)
    return indicator


# --- emission factor sets ------------------------------------------------------------------------


def _make_default(model, obj, user) -> None:
    """Move the single default flag to `obj` (unset the others first: one default at a time)."""
    others = list(model.objects.select_for_update().filter(is_default=True).exclude(pk=obj.pk).order_by("pk"))
    for other in others:
        other.is_default = False
        other._history_user = user
        other.save(update_fields=["is_default"])
    obj.is_default = True
    obj._history_user = user
    obj.save(update_fields=["is_default"])


def check_complete(factor_set: EmissionFactorSet, *, for_period: bool = False) -> None:
    """A set that figures are computed with (the default, or a period's own) has every fuel's factor."""
    missing = set(Fuel.values) - set(factor_set.fuel_factors.values_list("fuel", flat=True))
    if missing:
        fuels = {"fuels": ", ".join(str(Fuel(f).label) for f in sorted(missing))}
        if for_period:
            message = _("A period's factor set needs a factor for every fuel; missing: %(fuels)s.")
            raise ValidationError({"factor_set": message % fuels})
        message = _("The default set needs a factor for every fuel; missing: %(fuels)s.")
        raise ValidationError({"is_default": message % fuels})


@transaction.atomic
def factor_set_create(
    *,
    user,
    code: str,
    name: str,
    description: str = "",
    copy_from: EmissionFactorSet | None = None,
    is_default: bool = False,
) -> EmissionFactorSet:
    """A new factor set, optionally starting from a copy of another set's fuel factors."""
    scoping.require(user, Action.EDIT_CATALOG)
    factor_set = EmissionFactorSet(code=(code or "").strip(), name=name, description=description)
    _save(factor_set, user)
    if copy_from is not None:
        for source in copy_from.fuel_factors.all():
            copy = FuelFactor(
                factor_set=factor_set,
                fuel=source.fuel,
                value=source.value,
                unit=source.unit,
                source=source.source,
            )
            _save(copy, user)
    if is_default:
        check_complete(factor_set)
        _make_default(EmissionFactorSet, factor_set, user)
    send_catalog_changed_on_commit(EmissionFactorSet, kind="factor_set", object_id=factor_set.pk)
    return factor_set


@transaction.atomic
def factor_set_update(
    *, user, factor_set: EmissionFactorSet, name: str, description: str = ""
) -> EmissionFactorSet:
    scoping.require(user, Action.EDIT_CATALOG)
    factor_set = EmissionFactorSet.objects.select_for_update().get(pk=factor_set.pk)
    factor_set.name, factor_set.description = name, description
    _save(factor_set, user)
    send_catalog_changed_on_commit(EmissionFactorSet, kind="factor_set", object_id=factor_set.pk)
    return factor_set


@transaction.atomic
def factor_set_mark_default(*, user, factor_set: EmissionFactorSet) -> EmissionFactorSet:
    """Make this the default set (for periods without their own set); the previous default stops being it."""
    scoping.require(user, Action.EDIT_CATALOG)
    factor_set = EmissionFactorSet.objects.select_for_update().get(pk=factor_set.pk)
    check_complete(factor_set)
    if not factor_set.is_default:
        _make_default(EmissionFactorSet, factor_set, user)
        send_catalog_changed_on_commit(EmissionFactorSet, kind="factor_set", object_id=factor_set.pk)
    return factor_set


@transaction.atomic
def fuel_factor_set(
    *, user, factor_set: EmissionFactorSet, fuel: str, value: Decimal, unit: str, source: str
) -> FuelFactor:
    """Create or change one fuel's factor in a set (value > 0, stored in the unit it was published in)."""
    scoping.require(user, Action.EDIT_CATALOG)
    factor_set = EmissionFactorSet.objects.select_for_update().get(pk=factor_set.pk)
    factor = FuelFactor.objects.select_for_update().filter(factor_set=factor_set, fuel=fuel).first()
    if factor is None:
        factor = FuelFactor(factor_set=factor_set, fuel=fuel)
    factor.value, factor.unit, factor.source = value, unit, source
    _save(factor, user)
    send_catalog_changed_on_commit(EmissionFactorSet, kind="factor_set", object_id=factor_set.pk)
    return factor


# --- grids ---------------------------------------------------------------------------------------


@transaction.atomic
def grid_create(*, user, code: str, name: str) -> Grid:
    """A regional grid (not the default); assign regions and add yearly factors afterwards."""
    scoping.require(user, Action.EDIT_CATALOG)
    grid = Grid(code=(code or "").strip(), name=name, is_default=False)
    _save(grid, user)
    send_catalog_changed_on_commit(Grid, kind="grid", object_id=grid.pk)
    return grid


@transaction.atomic
def grid_update(*, user, grid: Grid, name: str) -> Grid:
    scoping.require(user, Action.EDIT_CATALOG)
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    grid.name = name
    _save(grid, user)
    send_catalog_changed_on_commit(Grid, kind="grid", object_id=grid.pk)
    return grid


@transaction.atomic
def grid_mark_default(*, user, grid: Grid) -> Grid:
    """Make this the default grid: its factors apply to every region not assigned to another grid."""
    scoping.require(user, Action.EDIT_CATALOG)
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    if grid.regions.exists():
        raise ValidationError(
            {
                "is_default": _(
                    "Remove the regions assigned to this grid first: the default grid applies to every "
                    "region not assigned to another grid."
                )
            }
        )
    if not grid.factors.exists():
        raise ValidationError({"is_default": _("The default grid needs at least one yearly factor.")})
    if not grid.is_default:
        _make_default(Grid, grid, user)
        send_catalog_changed_on_commit(Grid, kind="grid", object_id=grid.pk)
    return grid


def _check_year_free(grid: Grid, year, exclude_pk=None) -> None:
    clash = GridFactor.objects.filter(grid=grid, year=year).exclude(pk=exclude_pk)
    if year is not None and clash.exists():
        raise ValidationError(
            {"year": _("This grid already has a factor for %(year)s; edit that one.") % {"year": year}}
        )


@transaction.atomic
def grid_factor_create(*, user, grid: Grid, year: int, value_kg_per_kwh: Decimal, source: str) -> GridFactor:
    """Add a grid's published factor for a year (2000–2100, one per grid and year, value > 0)."""
    scoping.require(user, Action.EDIT_CATALOG)
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    _check_year_free(grid, year)
    factor = GridFactor(grid=grid, year=year, value_kg_per_kwh=value_kg_per_kwh, source=source)
    _save(factor, user)
    send_catalog_changed_on_commit(Grid, kind="grid", object_id=grid.pk)
    return factor


@transaction.atomic
def grid_factor_update(
    *, user, factor: GridFactor, year: int, value_kg_per_kwh: Decimal, source: str
) -> GridFactor:
    scoping.require(user, Action.EDIT_CATALOG)
    factor = GridFactor.objects.select_for_update().select_related("grid").get(pk=factor.pk)
    _check_year_free(factor.grid, year, exclude_pk=factor.pk)
    factor.year, factor.value_kg_per_kwh, factor.source = year, value_kg_per_kwh, source
    _save(factor, user)
    send_catalog_changed_on_commit(Grid, kind="grid", object_id=factor.grid_id)
    return factor


@transaction.atomic
def grid_factor_delete(*, user, factor: GridFactor) -> None:
    """Remove a year's factor (e.g. entered for the wrong year); its history stays."""
    scoping.require(user, Action.EDIT_CATALOG)
    factor = GridFactor.objects.select_for_update().select_related("grid").get(pk=factor.pk)
    grid = factor.grid
    if grid.is_default and grid.factors.count() == 1:
        raise ValidationError({"year": _("The default grid must keep at least one yearly factor.")})
    factor._history_user = user
    factor.delete()
    send_catalog_changed_on_commit(Grid, kind="grid", object_id=grid.pk)


@transaction.atomic
def grid_regions_set(*, user, grid: Grid, regions: Iterable[Region]) -> Grid:
    """Assign exactly these regions to a regional grid (a region belongs to at most one grid)."""
    scoping.require(user, Action.EDIT_CATALOG)
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    regions = list(regions)
    if grid.is_default and regions:
        raise ValidationError(
            {
                "regions": _(
                    "The default grid applies to every region not assigned elsewhere; assign regions to a "
                    "regional grid instead."
                )
            }
        )
    taken = (
        Grid.regions.through.objects.filter(region__in=regions)
        .exclude(grid=grid)
        .select_related("region", "grid")
        .order_by("region__path")
    )
    if taken:
        raise ValidationError(
            {
                "regions": [
                    _("%(region)s is already assigned to the grid %(grid)s.")
                    % {"region": row.region, "grid": row.grid}
                    for row in taken
                ]
            }
        )
    current = set(grid.regions.values_list("pk", flat=True))
    if current != {r.pk for r in regions}:
        grid._history_user = user
        grid.regions.set(regions)
        send_catalog_changed_on_commit(Grid, kind="grid", object_id=grid.pk)
    return grid


# --- rule sets -----------------------------------------------------------------------------------


@transaction.atomic
def rule_set_create(*, user, code: str, name: str, **fields) -> RuleSet:
    """A new rule set (methodology §4); assign it to a plan period to use it."""
    scoping.require(user, Action.EDIT_CATALOG)
    rule_set = RuleSet(code=(code or "").strip(), name=name)
    _apply(rule_set, RULE_SET_FIELDS, fields)
    _save(rule_set, user)
    send_catalog_changed_on_commit(RuleSet, kind="rule_set", object_id=rule_set.pk)
    return rule_set


@transaction.atomic
def rule_set_update(*, user, rule_set: RuleSet, **changes) -> RuleSet:
    """Change a rule set's flags or progress method; periods using it are recomputed."""
    scoping.require(user, Action.EDIT_CATALOG)
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    _apply(rule_set, RULE_SET_FIELDS, changes)
    _save(rule_set, user)
    send_catalog_changed_on_commit(RuleSet, kind="rule_set", object_id=rule_set.pk)
    return rule_set
