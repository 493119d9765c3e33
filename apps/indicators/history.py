"""Readable version history (who, when, what changed) from django-simple-history records.

Detail pages of the catalog and of targets show one timeline per object, merging the
object's own history with that of its parts (a factor set with its fuel factors, a grid
with its yearly factors). Changes come from simple_history's ``diff_against`` between
consecutive versions of the same row; related ids are resolved to names in one query
per related model, so a timeline costs a few queries however long it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

HISTORY_LIMIT = 50
_SKIPPED = {"id", "updated_at", "updated_by"}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str  # "created" | "changed" | "deleted"
    subject: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}[self.action]


def _user_label(user) -> str:
    if user is None:
        return _("system")
    return user.get_full_name() or user.username


def _display(model: type[models.Model], name: str, value, related_names: dict) -> str:
    if value is None or value == "":
        return "—"
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        model_field = None
    if isinstance(value, list):  # many-to-many rows: [{"grid": 1, "region": 5}, ...]
        labels = []
        for row in value:
            for key, pk in row.items():
                if model_field is not None and key == model_field.m2m_reverse_field_name():
                    labels.append(related_names.get((model_field.related_model, pk), str(pk)))
        return ", ".join(labels) if labels else "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model_field is not None and model_field.is_relation:
        return related_names.get((model_field.related_model, value), str(value))
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return str(value)


def _field_label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _related_names(model: type[models.Model], records: list, m2m: Iterable[str]) -> dict:
    """Names of the objects that foreign keys and m2m rows of the records point to."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for f in model._meta.concrete_fields:
        if f.is_relation and f.name not in _SKIPPED:
            for record in records:
                pk = getattr(record, f.attname, None)
                if pk is not None:
                    wanted[f.related_model].add(pk)
    for name in m2m:
        f = model._meta.get_field(name)
        for record in records:
            for pk in getattr(record, name).values_list(f.m2m_reverse_field_name(), flat=True):
                wanted[f.related_model].add(pk)
    names = {}
    for related, pks in wanted.items():
        for obj in related._default_manager.filter(pk__in=pks):
            names[(related, obj.pk)] = str(obj)
    return names


def timeline(
    records: models.QuerySet,
    *,
    subject: Callable[[object], str] | None = None,
    limit: int = HISTORY_LIMIT,
) -> list[HistoryEntry]:
    """History entries of the rows in `records` (a historical queryset), newest first."""
    model = records.model.instance_type
    m2m = [f.name for f in getattr(records.model, "_history_m2m_fields", [])]
    rows = list(records.select_related("history_user").order_by("-history_date", "-history_id")[: limit * 4])
    rows.reverse()
    related = _related_names(model, rows, m2m)
    last_seen: dict = {}
    entries: list[HistoryEntry] = []
    for record in rows:
        previous = last_seen.get(record.id)
        last_seen[record.id] = record
        label = subject(record) if subject else str(model._meta.verbose_name)
        entry = HistoryEntry(
            when=record.history_date,
            who=_user_label(record.history_user),
            action={"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
            subject=label,
            reason=record.history_change_reason or "",
        )
        if record.history_type == "+" or previous is None:
            for f in model._meta.concrete_fields:
                if f.name in _SKIPPED or not f.editable:
                    continue
                value = getattr(record, f.attname)
                if value not in (None, ""):
                    entry.changes.append(
                        Change(_field_label(model, f.name), "—", _display(model, f.name, value, related))
                    )
        elif record.history_type == "~":
            delta = record.diff_against(previous, excluded_fields=_SKIPPED)
            for change in delta.changes:
                entry.changes.append(
                    Change(
                        _field_label(model, change.field),
                        _display(model, change.field, change.old, related),
                        _display(model, change.field, change.new, related),
                    )
                )
            if not entry.changes and not entry.reason:
                continue  # a save without a change (e.g. re-seeding) is not worth a line
        entries.append(entry)
    entries.reverse()
    return entries[:limit]


def merge(*timelines: list[HistoryEntry], limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """One timeline, newest first, from the timelines of an object and its parts."""
    merged = [e for t in timelines for e in t]
    merged.sort(key=lambda e: e.when, reverse=True)
    return merged[:limit]
