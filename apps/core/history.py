"""Readable version history (who, when, what changed) from django-simple-history records.

Detail pages of the catalog, of targets and of sector plans show one timeline per object,
merging the object's own history with that of its parts (a factor set with its fuel factors,
a grid with its yearly factors, a plan with its targets, measures, milestones and notes).
Changes come from simple_history's ``diff_against`` between consecutive versions of the same
row; related ids are resolved to names in one query per related model, so a timeline costs a
few queries however long it is. A `Style` says how the entries read (the defaults are the
catalog's; the plans pages name some things differently).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HISTORY_LIMIT = 50
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}  # simple_history's history_type

Subject = Callable[[object], str]


@dataclass(frozen=True)
class Style:
    """How a timeline reads."""

    # Bookkeeping fields, neither shown nor named.
    skip: frozenset[str] = frozenset({"id", "updated_at", "updated_by"})
    # An empty value, and the "before" of a field set when the row was created.
    empty: str = "—"
    # Who, when a version has no user (e.g. the seeded baseline).
    nobody: str = gettext_lazy("system")
    # True: every decimal loses its trailing zeros (540.0000 → 540, 1.5000 → 1.5); False: only
    # whole numbers do, so a factor keeps its published precision.
    trim_decimals: bool = False
    # True: a version's changes in the model's field order; False: by field name (diff_against's).
    field_order: bool = False
    # How rows of a related model are named (default: str(obj)).
    labels: Mapping[type[models.Model], Callable[[models.Model], str]] = field(default_factory=dict)


CATALOG = Style()


# Fields whose values are identifiers (shown as code beside the names, not as prose).
CODE_FIELDS = frozenset({"code"})


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str
    is_code: bool = False  # the value is an identifier (a `code` field): pages mark it as code


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str  # "created" | "changed" | "deleted"
    subject: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)
    kind: str = ""  # verbose name of the changed row's model

    @property
    def action_label(self) -> str:
        return {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}[self.action]


# Reasons the portal itself stores on versions (data migrations, demo seeding, workflow steps),
# in English as stored; shown in the active language (a reason someone typed is shown as typed).
SYSTEM_REASONS = {
    "Initial catalog (methodology spec v1)": gettext_lazy("Initial catalog (methodology spec v1)"),
    "Initial plan periods (methodology spec v1)": gettext_lazy("Initial plan periods (methodology spec v1)"),
    "demo data (seed_demo)": gettext_lazy("demo data"),
    "published": gettext_lazy("published"),
    "superseded": gettext_lazy("superseded by a new publication"),
    "declared complete": gettext_lazy("declared complete"),
}


def reason_label(reason: str) -> str:
    """A stored change reason for people: the portal's own reasons translated, others as typed."""
    label = SYSTEM_REASONS.get(reason.strip()) if reason else None
    return str(label) if label is not None else reason


def user_label(user) -> str:
    return user.get_full_name() or user.username


def _display(model: type[models.Model], name: str, value, related_names: dict, style: Style) -> str:
    if value is None or value == "":
        return style.empty
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
        return ", ".join(labels) if labels else style.empty
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model_field is not None and model_field.is_relation:
        return related_names.get((model_field.related_model, value), str(value))
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        if style.trim_decimals or value == value.to_integral():
            return format(value.normalize(), "f")
        return format(value, "f")
    return str(value)


def _field_label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _related_names(versions: Iterable[tuple[type[models.Model], list, list[str]]], style: Style) -> dict:
    """Names of the objects that foreign keys and m2m rows of the records point to, keyed by
    (related model, pk): one query per related model, whichever tracked models point to it."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for model, records, m2m in versions:
        for f in model._meta.concrete_fields:
            if f.is_relation and f.name not in style.skip:
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
        label = style.labels.get(related, str)
        for obj in related._default_manager.filter(pk__in=pks):
            names[(related, obj.pk)] = label(obj)
    return names


def _entries(model, rows: list, subject: Subject | None, related: dict, style: Style) -> list[HistoryEntry]:
    """The entries of one model's versions (`rows` oldest first), newest first."""
    position = {f.name: i for i, f in enumerate(model._meta.concrete_fields)}
    last_seen: dict = {}
    entries: list[HistoryEntry] = []
    for record in rows:
        previous = last_seen.get(record.id)
        last_seen[record.id] = record
        entry = HistoryEntry(
            when=record.history_date,
            who=str(style.nobody) if record.history_user is None else user_label(record.history_user),
            action=ACTIONS[record.history_type],
            subject=subject(record) if subject else str(model._meta.verbose_name),
            reason=reason_label(record.history_change_reason or ""),
            kind=str(model._meta.verbose_name),
        )
        if record.history_type == "+" or previous is None:
            for f in model._meta.concrete_fields:
                if f.name in style.skip or not f.editable:
                    continue
                value = getattr(record, f.attname)
                if value not in (None, ""):
                    entry.changes.append(
                        Change(
                            _field_label(model, f.name),
                            style.empty,
                            _display(model, f.name, value, related, style),
                            f.name in CODE_FIELDS,
                        )
                    )
        elif record.history_type == "~":
            changes = record.diff_against(previous, excluded_fields=style.skip).changes
            if style.field_order:
                changes = sorted(changes, key=lambda c: position.get(c.field, len(position)))
            for change in changes:
                entry.changes.append(
                    Change(
                        _field_label(model, change.field),
                        _display(model, change.field, change.old, related, style),
                        _display(model, change.field, change.new, related, style),
                        change.field in CODE_FIELDS,
                    )
                )
            if not entry.changes and not entry.reason:
                continue  # a save without a change (e.g. re-seeding) is not worth a line
        entries.append(entry)
    entries.reverse()
    return entries


def merged_timeline(
    sources: Sequence[tuple[models.QuerySet, Subject | None]],
    *,
    limit: int | None = HISTORY_LIMIT,
    style: Style = CATALOG,
) -> list[HistoryEntry]:
    """One timeline, newest first, of the rows in several historical querysets (an object and
    its parts), each with how its entries name their row; `limit=None`: every version."""
    versions = []
    for records, subject in sources:
        rows = records.select_related("history_user").order_by("-history_date", "-history_id")
        rows = list(rows if limit is None else rows[: limit * 4])
        rows.reverse()
        m2m = [f.name for f in getattr(records.model, "_history_m2m_fields", [])]
        versions.append((records.model.instance_type, rows, m2m, subject))
    related = _related_names(((model, rows, m2m) for model, rows, m2m, _s in versions), style)
    merged = [
        e for model, rows, _m2m, subject in versions for e in _entries(model, rows, subject, related, style)
    ]
    merged.sort(key=lambda e: e.when, reverse=True)  # stable: at the same instant, in the order of `sources`
    return merged if limit is None else merged[:limit]


def timeline(
    records: models.QuerySet,
    *,
    subject: Subject | None = None,
    limit: int | None = HISTORY_LIMIT,
    style: Style = CATALOG,
) -> list[HistoryEntry]:
    """History entries of the rows in `records` (a historical queryset), newest first."""
    return merged_timeline([(records, subject)], limit=limit, style=style)
