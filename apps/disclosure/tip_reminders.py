"""Reminders about tips whose answer is due soon or overdue (daily, CELERY_BEAT_SCHEDULE).

Who: a tip routed to a department reminds that department's staff; a tip not yet routed the
development and reform commission staff who triage it (its region's and the regions' above).
When: once in the last `BEFORE_DAYS` days before the due day, then on the first overdue day and
every `OVERDUE_EVERY_DAYS` days while the tip stays unanswered. Each reminder is sent through
`apps.core.reminders.deliver_once` (at most one per tip and day, whatever runs twice) and
appended to the tip's timeline. The mail names the tip's number, region, category and due day
and links to it — never its description, attachments or contact.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.scoping import DEVELOPMENT_REFORM_KIND
from apps.core.reminders import Outcome, deliver_once, last_sent, split_recipients

from . import tips
from .models import Tip, TipEventKind, TipReminder
from .models.tips import OPEN_STATUSES

logger = logging.getLogger(__name__)

BEFORE_DAYS = 3
OVERDUE_EVERY_DAYS = 7
UPCOMING, OVERDUE = "upcoming", "overdue"


def reminder_due(*, today: date, due_on: date, last: date | None) -> str | None:
    """Which reminder an open tip should get today, if any (pure)."""
    window = due_on - timedelta(days=BEFORE_DAYS)
    if today < window:
        return None
    if today <= due_on:
        return UPCOMING if last is None or last < window else None
    if last is None or last <= due_on or (today - last).days >= OVERDUE_EVERY_DAYS:
        return OVERDUE
    return None


def handlers(tip: Tip) -> list:
    """The active staff to remind: the routed department's, else the triaging commissions'."""
    users = get_user_model().objects.filter(is_active=True).select_related("region", "department")
    if tip.department_id:
        candidates = users.filter(department_id=tip.department_id)
    else:
        paths = [tip.region.path, *tip.region.ancestor_paths]
        candidates = users.filter(
            department__kind=DEVELOPMENT_REFORM_KIND, department__region__path__in=paths
        )
    return [u for u in candidates.order_by("username") if tips.may_handle(u, tip)]


def base_url() -> str:
    return (getattr(settings, "PORTAL_BASE_URL", "") or "http://localhost:8000").rstrip("/")


def _category(tip: Tip, language: str) -> str:
    with translation.override(language):
        return str(tip.get_category_display())


def build_message(tip: Tip, user, kind: str, *, today: date, connection=None) -> EmailMessage:
    context = {
        "name": user.get_full_name() or user.username,
        "tip": tip,
        "number": tip.display_number,
        "kind": kind,
        "due_on": tip.due_on.isoformat(),
        "days_left": (tip.due_on - today).days,
        "days_overdue": (today - tip.due_on).days,
        "url": f"{base_url()}{reverse('disclosure:tip-detail', args=[tip.pk])}",
        # the bilingual e-mail names the category in each half's language, whoever sends it
        "category_zh": _category(tip, "zh-hans"),
        "category_en": _category(tip, "en"),
    }
    subject = " ".join(render_to_string("disclosure/tips/email/reminder_subject.txt", context).split())
    body = render_to_string("disclosure/tips/email/reminder_body.txt", context)
    return EmailMessage(subject, body, to=[user.email], connection=connection)


@dataclass
class TipReminderResult:
    today: date
    reminded: int = 0
    emails: int = 0
    already_sent: int = 0
    no_staff: int = 0
    failed: int = 0
    items: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        return data


def _record(tip: Tip, kind: str, recipients: list, skipped: list[str], *, today: date) -> None:
    TipReminder.objects.create(
        tip=tip, recipients=[u.email for u in recipients], skipped=skipped, sent_on=today
    )
    tips.record_event(
        tip, TipEventKind.REMINDED, None, data={"kind": kind, "recipients": [u.username for u in recipients]}
    )


def _send(tip: Tip, kind: str, recipients: list, *, today: date, connection) -> int:
    messages = [build_message(tip, u, kind, today=today, connection=connection) for u in recipients]
    return connection.send_messages(messages) if messages else 0


def send_tip_reminders(*, today: date | None = None, dry_run: bool = False) -> TipReminderResult:
    """Send today's tip reminders; safe to run any number of times a day, by any number of workers."""
    today = today or timezone.localdate()
    result = TipReminderResult(today=today)
    candidates = list(
        Tip.objects.filter(status__in=OPEN_STATUSES, due_on__lte=today + timedelta(days=BEFORE_DAYS))
        .select_related("region", "department__region")
        .order_by("due_on", "pk")
    )
    last = last_sent(TipReminder.objects.filter(tip__in=candidates), "tip_id")
    connection = None if dry_run else get_connection()
    for tip in candidates:
        kind = reminder_due(today=today, due_on=tip.due_on, last=last.get((tip.pk,)))
        if kind is None:
            continue
        users = handlers(tip)
        recipients, skipped = split_recipients(users)
        summary = {
            "tip": tip.pk,
            "kind": kind,
            "recipients": [u.email for u in recipients],
            "skipped": skipped,
        }
        if not recipients:
            result.no_staff += 1
            logger.warning("tip reminder: tip %s has no staff with an e-mail address to remind", tip.pk)
            continue
        if dry_run:
            result.items.append(summary)
            continue
        delivery = deliver_once(
            record=partial(_record, tip, kind, recipients, skipped, today=today),
            send=partial(_send, tip, kind, recipients, today=today, connection=connection),
        )
        if delivery.outcome is Outcome.ALREADY_SENT:
            result.already_sent += 1
            continue
        if delivery.outcome is Outcome.FAILED:
            result.failed += 1
            logger.error("tip reminder: sending failed for tip %s", tip.pk, exc_info=delivery.error)
            continue
        result.reminded += 1
        result.emails += delivery.sent
        result.items.append(summary)
    logger.info(
        "tip reminders %s: %d reminded, %d e-mails, %d already sent, %d failed",
        today.isoformat(),
        result.reminded,
        result.emails,
        result.already_sent,
        result.failed,
    )
    return result
