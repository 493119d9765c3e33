"""Event timelines: one timeline per workflow object (a report, a notice, an inquiry), written
by small `<noun>_<what>_event` helpers in the owning app (as Saleor's `order/events.py`).

An app declares its event model on `TimelineEvent` (abstract: no table here), adds the foreign
key to the object it records (named by `subject_field`), its own `kind` choices and any extra
fields (reports add `field_reasons`), and writes events only through `event_record`, inside
the transaction of the change it records. Reading: `events_of` (oldest first, actors joined).
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from .models import TimelineEvent

E = TypeVar("E", bound=TimelineEvent)


def event_actor(user):
    """The user to record: None for no user or an anonymous one (the system acted)."""
    return user if user is not None and user.is_authenticated else None


def event_record(
    model: type[E],
    *,
    subject: models.Model,
    kind: str,
    user,
    reason: str = "",
    data: dict | None = None,
    **extra,
) -> E:
    """Append one event to `subject`'s timeline (call it inside the change's transaction)."""
    return model.objects.create(
        **{model.subject_field: subject},
        kind=kind,
        actor=event_actor(user),
        reason=reason,
        data=data or {},
        **extra,
    )


def events_of(model: type[E], subject: models.Model) -> models.QuerySet[E]:
    """`subject`'s timeline, oldest first, with the actors in the same query."""
    return (
        model.objects.filter(**{model.subject_field: subject})
        .select_related("actor")
        .order_by("created_at", "pk")
    )
