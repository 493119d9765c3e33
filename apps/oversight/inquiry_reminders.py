"""Reminder e-mails to the addressees of inquiries awaiting an answer (oversight.md: "overdue
ones are highlighted and reminded").

The schedule is the reporting reminders' (`apps.completeness.reminders.reminder_due`): once in
the week before the deadline, then the day after it and weekly while it is still unanswered,
for eight weeks. Recipients: whoever may answer it (the department's staff, or the region's
government staff), active, with an e-mail address. Each reminder is an `InquiryReminder` row
and a timeline event, written in the transaction that sends the mail
(`apps.core.reminders.deliver_once`): at most one a day per inquiry, however many workers run.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import partial

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.utils import timezone

from apps.accounts import scoping
from apps.completeness.reminders import BEFORE_DAYS, OVERDUE_FOR_DAYS, base_url, reminder_due
from apps.core import events
from apps.core.reminders import Outcome, deliver_once, last_sent, split_recipients

from .models import Inquiry, InquiryEvent, InquiryEventKind, InquiryReminder, InquiryStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    inquiry: Inquiry
    kind: str  # "upcoming" / "overdue" (completeness.ReminderKind values)


def due_reminders(today: date) -> list[Due]:
    """Open inquiries that should be reminded today; two queries."""
    open_ = list(
        Inquiry.objects.filter(
            status=InquiryStatus.OPEN,
            deadline__gte=today - timedelta(days=OVERDUE_FOR_DAYS),
            deadline__lte=today + timedelta(days=BEFORE_DAYS),
        ).select_related("region", "department")
    )
    last = last_sent(InquiryReminder.objects.filter(inquiry__in=[q.pk for q in open_]), "inquiry_id", "kind")
    result = []
    for inquiry in open_:
        kind = reminder_due(
            today=today,
            due_date=inquiry.deadline,
            last_upcoming=last.get((inquiry.pk, "upcoming")),
            last_overdue=last.get((inquiry.pk, "overdue")),
        )
        if kind is not None:
            result.append(Due(inquiry, str(kind)))
    return result


def addressees(inquiries: list[Inquiry]) -> dict[int, list]:
    """Active users who may answer each inquiry (scoping.may_answer_inquiry); one query."""
    regions = {q.region_id for q in inquiries}
    departments = {q.department_id for q in inquiries if q.department_id}
    users = list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(region_id__in=regions) | Q(department_id__in=departments))
        .select_related("region", "department")
        .order_by("username")
    )
    found: dict[int, list] = {}
    for inquiry in inquiries:
        found[inquiry.pk] = [
            u
            for u in users
            if not scoping.is_admin(u) and scoping.may_answer_inquiry(u, inquiry.region, inquiry.department)
        ]
    return found


def build_message(item: Due, user, *, today: date, connection=None) -> EmailMessage:
    q = item.inquiry
    url = f"{base_url()}{q.get_absolute_url()}"
    days = (today - q.deadline).days
    if item.kind == "overdue":
        subject = f"【逾期未答复】{q.region.name}人大常委会询问：{q.subject}"
        state_zh = f"答复期限 {q.deadline.isoformat()} 已过 {days} 天，尚未答复。"
        state_en = f"The answer was due on {q.deadline.isoformat()} ({days} days ago) and has not been given."
    else:
        subject = f"【即将到期】{q.region.name}人大常委会询问：{q.subject}"
        state_zh = f"答复期限为 {q.deadline.isoformat()}，尚未答复。"
        state_en = f"The answer is due on {q.deadline.isoformat()} and has not been given yet."
    body = (
        f"{user.get_full_name() or user.username}：\n\n"
        f"{q.region.name}人大常委会向{q.addressee_label}提出的“{q.subject}”{state_zh}\n"
        f"请登录平台答复：{url}\n\n"
        f"Inquiry of the standing committee of {q.region.name}: {q.subject}. {state_en}\n"
        f"Answer it here: {url}\n"
    )
    return EmailMessage(subject, body, to=[user.email], connection=connection)


@dataclass
class ReminderResult:
    today: date
    reminded: int = 0
    emails: int = 0
    already_sent: int = 0
    no_addressee: int = 0
    failed: int = 0
    items: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        return data


def _record(item: Due, summary: dict, *, today: date) -> None:
    InquiryReminder.objects.create(
        inquiry=item.inquiry,
        kind=item.kind,
        deadline=item.inquiry.deadline,
        recipients=summary["recipients"],
        skipped=summary["skipped"],
        sent_on=today,
    )
    events.event_record(
        InquiryEvent,
        subject=item.inquiry,
        kind=InquiryEventKind.REMINDED,
        user=None,
        data={"kind": item.kind, "recipients": summary["recipients"]},
    )


def _send(item: Due, recipients: list, *, today: date, connection) -> int:
    messages = [build_message(item, u, today=today, connection=connection) for u in recipients]
    return connection.send_messages(messages) if messages else 0


def send_due_reminders(*, today: date | None = None) -> ReminderResult:
    """Send today's inquiry reminders; safe to run any number of times a day."""
    today = today or timezone.localdate()
    result = ReminderResult(today=today)
    items = due_reminders(today)
    users = addressees([item.inquiry for item in items])
    connection = get_connection()
    for item in items:
        recipients, skipped = split_recipients(users.get(item.inquiry.pk, []))
        summary = {
            "inquiry": item.inquiry.pk,
            "kind": item.kind,
            "recipients": [u.email for u in recipients],
            "skipped": skipped,
        }
        if not recipients and not skipped:
            result.no_addressee += 1
            continue
        delivery = deliver_once(
            record=partial(_record, item, summary, today=today),
            send=partial(_send, item, recipients, today=today, connection=connection),
        )
        if delivery.outcome is Outcome.ALREADY_SENT:
            result.already_sent += 1
        elif delivery.outcome is Outcome.FAILED:
            result.failed += 1
            logger.error("inquiry reminder: sending failed for %s", item.inquiry.pk, exc_info=delivery.error)
        else:
            result.reminded += 1
            result.emails += delivery.sent
            result.items.append(summary)
    return result
