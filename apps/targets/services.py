"""Writes of region targets and of a plan period's rule-set / factor-set assignment.

Targets are set by provincial officials for the province and its cities, by city staff
for their counties, and by administrators anywhere (`Action.SET_TARGETS`). Every write
checks that first, validates like the model (percentages strictly between 0 and 100, a
year only on annual metrics and within the period, …), records a history version
attributed to the acting user in the same transaction, and queues
`signals.targets_changed` for after the commit.

`targets_import` applies the exchange contract of shared/spec/exchange.md: a file is
accepted whole or rejected whole, with every error reported by its row number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core import conflicts
from apps.core.tables import Columns, ImportRejected, Limits, RowError, Table, read_table
from apps.indicators.models import EmissionFactorSet, RuleSet
from apps.indicators.services import check_complete
from apps.indicators.signals import send_catalog_changed_on_commit
from apps.regions.models import Region
from apps.regions.selectors import by_codes

from .models import PlanPeriod, RegionTarget, TargetMetric
from .signals import send_targets_changed_on_commit

REQUIRED_COLUMNS = ("region_code", "period", "metric", "value")
OPTIONAL_COLUMNS = ("year", "note")
COLUMNS = Columns(required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
IMPORT_LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_rows=50_000, max_unpacked_bytes=50 * 1024 * 1024)
MAX_ERRORS = 500
_MODEL_TO_COLUMN = {
    "region": "region_code",
    "period": "period",
    "metric": "metric",
    "value": "value",
    "year": "year",
}


# --- plan periods --------------------------------------------------------------------------------


@transaction.atomic
def period_assign(
    *, user, period: PlanPeriod, rule_set: RuleSet, factor_set: EmissionFactorSet | None
) -> PlanPeriod:
    """Choose the rule set and factor set (None: the default set) a period's figures are computed with."""
    scoping.require(user, Action.EDIT_CATALOG)
    period = PlanPeriod.objects.select_for_update().get(pk=period.pk)
    if rule_set is None:
        raise ValidationError({"rule_set": _("A plan period needs a rule set.")})
    if factor_set is not None:
        check_complete(factor_set, for_period=True)
    if (period.rule_set_id, period.factor_set_id) == (rule_set.pk, factor_set.pk if factor_set else None):
        return period
    period.rule_set, period.factor_set = rule_set, factor_set
    period.full_clean()
    period._history_user = user
    period.save()
    send_catalog_changed_on_commit(PlanPeriod, kind="period", object_id=period.pk)
    return period


# --- single targets ------------------------------------------------------------------------------


def _parse_decimal(value, field_name: str = "value") -> Decimal:
    if isinstance(value, Decimal):
        parsed = value
    else:
        text = str(value).strip() if value is not None else ""
        if text == "":
            raise ValidationError({field_name: _("A value is required.")})
        try:
            parsed = Decimal(text)
        except InvalidOperation:
            raise ValidationError({field_name: _("Not a number: %(value)s.") % {"value": text[:40]}})
    if not parsed.is_finite():
        raise ValidationError({field_name: _("Not a number: %(value)s.") % {"value": value}})
    return parsed


@transaction.atomic
def target_set(
    *,
    user,
    region: Region,
    period: PlanPeriod,
    metric: str,
    value,
    year: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> RegionTarget:
    """Create or change the target of `region` for `period` and `metric` (and `year` for annual metrics).

    `expected_version`: the version of the target the editor loaded (None: no check); a
    target saved since (by someone else or an import) is not overwritten (VersionConflict).
    """
    scoping.require(user, Action.SET_TARGETS, region=region)
    value = _parse_decimal(value)
    note = (note or "").strip()
    target = (
        RegionTarget.objects.select_for_update()
        .filter(region=region, period=period, metric=metric, year=year)
        .first()
    )
    if target is not None:
        conflicts.check_version(target, expected_version)
    if target is None:
        target = RegionTarget(region=region, period=period, metric=metric, year=year)
    elif target.value == value and target.note == note:
        return target
    target.value, target.note, target.updated_by = value, note, user
    target.full_clean(exclude=["region", "period", "updated_by"])
    target._history_user = user
    target.save()
    send_targets_changed_on_commit(RegionTarget, region_ids=[region.pk], period_code=period.code)
    return target


@transaction.atomic
def target_delete(*, user, target: RegionTarget) -> None:
    """Remove a target (its history is kept)."""
    target = RegionTarget.objects.select_for_update().select_related("region", "period").get(pk=target.pk)
    scoping.require(user, Action.SET_TARGETS, region=target.region)
    region_id, period_code = target.region_id, target.period.code
    target._history_user = user
    target.delete()
    send_targets_changed_on_commit(RegionTarget, region_ids=[region_id], period_code=period_code)


# --- import --------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    region_ids: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def __str__(self) -> str:
        return _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def _cell_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError({"value": _("Not a number: %(value)s.") % {"value": value}})
    if isinstance(value, int | float):
        value = repr(value) if isinstance(value, float) else str(value)
    return _parse_decimal(value)


def _cell_year(value) -> int | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if not text.isdigit():
        raise ValidationError({"year": _("Not a year: %(value)s.") % {"value": text[:20]}})
    return int(text)


@dataclass
class _Row:
    number: int
    target: RegionTarget


def _validate_rows(user, table: Table) -> tuple[list[_Row], list[RowError]]:
    """Check every row that could be read; the rows that could not are reported with them."""
    errors = list(table.errors)
    rows = table.rows
    regions = by_codes({r.text("region_code") for r in rows})
    periods = {p.code: p for p in PlanPeriod.objects.all()}
    metrics = set(TargetMetric.values)
    valid: list[_Row] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        number = row.row
        row_errors: list[RowError] = []
        code = row.text("region_code")
        region = regions.get(code)
        if not code:
            row_errors.append(RowError(number, "region_code", _("A region code is required.")))
        elif region is None:
            row_errors.append(
                RowError(number, "region_code", _("Unknown region code %(code)s.") % {"code": code})
            )
        elif not scoping.can(user, Action.SET_TARGETS, region=region):
            row_errors.append(
                RowError(
                    number,
                    "region_code",
                    _("You may not set targets for %(region)s: it is outside your jurisdiction.")
                    % {"region": region},
                )
            )
        period_code = row.text("period")
        period = periods.get(period_code)
        if period is None:
            row_errors.append(
                RowError(
                    number,
                    "period",
                    _("Unknown period %(period)s; expected one of %(codes)s.")
                    % {"period": period_code or "—", "codes": ", ".join(periods)},
                )
            )
        metric = row.text("metric")
        if metric not in metrics:
            row_errors.append(
                RowError(
                    number,
                    "metric",
                    _("Unknown metric %(metric)s; expected one of %(metrics)s.")
                    % {"metric": metric or "—", "metrics": ", ".join(TargetMetric.values)},
                )
            )
        value = year = None
        for name, parse in (("value", _cell_decimal), ("year", _cell_year)):
            try:
                parsed = parse(row[name])
            except ValidationError as exc:
                row_errors.extend(RowError(number, name, m) for m in exc.message_dict[name])
            else:
                if name == "value":
                    value = parsed
                else:
                    year = parsed
        note = row.text("note")
        parsed = not any(e.field in ("value", "year") for e in row_errors)
        if region is not None and period is not None and metric in metrics and parsed:
            target = RegionTarget(
                region=region, period=period, metric=metric, year=year, value=value, note=note
            )
            try:
                target.full_clean(
                    exclude=["region", "period", "updated_by"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    column = _MODEL_TO_COLUMN.get(name, name)
                    row_errors.extend(RowError(number, column, m) for m in messages)
            key = (region.pk, period.pk, metric, year)
            if not row_errors and key in seen:
                row_errors.append(
                    RowError(
                        number,
                        "row",
                        _("Duplicate of row %(row)s (same region, period, metric and year).")
                        % {"row": seen[key]},
                    )
                )
            if not row_errors:
                seen[key] = number
                valid.append(_Row(number, target))
        errors.extend(row_errors)
    return valid, errors


@transaction.atomic
def targets_import(*, user, file, filename: str) -> ImportResult:
    """Create or update the targets in a CSV / .xlsx file, as `user` would one by one in the UI.

    All-or-nothing: any invalid row (or a row outside the user's jurisdiction) rejects the
    whole file with an `ImportRejected` listing every error with its row number.
    A user who may not set targets anywhere gets PermissionDenied before the file is read.
    """
    if scoping.scope_of(user, Action.SET_TARGETS) is None:
        raise PermissionDenied("not allowed: set_targets")
    table = read_table(file, filename, columns=COLUMNS, limits=IMPORT_LIMITS)
    rows, errors = _validate_rows(user, table)
    if errors:
        raise ImportRejected.capped(errors, MAX_ERRORS)

    targets = [r.target for r in rows]
    existing = {
        (t.region_id, t.period_id, t.metric, t.year): t
        for t in RegionTarget.objects.select_for_update()
        .filter(region__in={t.region_id for t in targets}, period__in={t.period_id for t in targets})
        .order_by("pk")
    }
    result = ImportResult()
    now = timezone.now()
    to_create, to_update = [], []
    for new in targets:
        old = existing.get((new.region_id, new.period_id, new.metric, new.year))
        if old is None:
            new.updated_by = user
            to_create.append(new)
            result.created += 1
        elif old.value == new.value and old.note == new.note:
            result.unchanged += 1
            continue
        else:
            old.value, old.note, old.updated_by, old.updated_at = new.value, new.note, user, now
            conflicts.bump(old)  # a form loaded before the import is refused, not overwriting it
            to_update.append(old)
            result.updated += 1
        result.region_ids[new.period.code].add(new.region_id)
    reason = f"import {filename}"[:100]
    if to_create:
        bulk_create_with_history(to_create, RegionTarget, default_user=user, default_change_reason=reason)
    if to_update:
        bulk_update_with_history(
            to_update,
            RegionTarget,
            ["value", "note", "updated_by", "updated_at", "version"],
            default_user=user,
            default_change_reason=reason,
        )
    for period_code, region_ids in result.region_ids.items():
        send_targets_changed_on_commit(RegionTarget, region_ids=region_ids, period_code=period_code)
    return result
