"""Reminders sent at most once a day per subject: the mechanism every app that nags people shares.

An app keeps its own log of reminders, one row per subject (e.g. a region's report for a
year) and day, by subclassing `ReminderRecord` and adding a unique constraint over its
subject's fields plus `sent_on`. It then sends each reminder through `deliver_once`, which
inserts that row and sends the mail in one transaction:

- a second run the same day, or a second worker at the same moment, hits the unique
  constraint and sends nothing (`Outcome.ALREADY_SENT`): the row is inserted before the
  mail leaves, so of two racing workers only one gets past the insert;
- a failing mail server rolls the row back (`Outcome.FAILED`), so the next run retries.

`last_sent` answers "when was each subject last reminded" in one query, for the app's own
schedule. Core knows no portal app: the app passes its model, queryset and callables in.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext_lazy as _

__all__ = ["Delivery", "Outcome", "ReminderRecord", "deliver_once", "last_sent", "split_recipients"]


class ReminderRecord(models.Model):
    """One reminder about one subject on one day: who got it, who could not.

    Subclasses add the subject's fields and `UniqueConstraint(fields=[*subject, "sent_on"])`;
    that constraint is what makes "at most once a day" hold under concurrency.
    """

    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    skipped = models.JSONField(
        _("staff without an e-mail address"), default=list, blank=True, help_text=_("User names.")
    )
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        abstract = True


class Outcome(enum.Enum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"  # another run recorded this subject today
    FAILED = "failed"  # sending failed: nothing recorded, the next run retries


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    sent: int = 0  # messages the connection reported as sent
    error: BaseException | None = None  # the failure, for the caller's log


def deliver_once(*, record: Callable[[], Any], send: Callable[[], int | None]) -> Delivery:
    """Record a reminder and send it, both or neither.

    `record` inserts the app's log row (raising IntegrityError when the subject was already
    reminded today); `send` sends the messages and returns how many went out. Both run in
    one transaction (a savepoint when called inside one), so a failed send leaves no row.
    """
    try:
        with transaction.atomic():
            record()
            sent = send()
    except IntegrityError:
        return Delivery(Outcome.ALREADY_SENT)
    except Exception as exc:  # the mail server, whatever it raises
        return Delivery(Outcome.FAILED, error=exc)
    return Delivery(Outcome.SENT, sent=sent or 0)


def last_sent(queryset: QuerySet, *subject: str) -> dict[tuple, date]:
    """The latest `sent_on` of each subject (the values of the `subject` fields); one query."""
    rows = queryset.order_by().values(*subject).annotate(last=Max("sent_on"))
    return {tuple(row[name] for name in subject): row["last"] for row in rows}


def split_recipients(users: Iterable) -> tuple[list, list[str]]:
    """Users with an e-mail address (ordered by address) and the user names of those without."""
    users = list(users)
    recipients = sorted((u for u in users if u.email), key=lambda u: u.email)
    return recipients, [u.username for u in users if not u.email]
