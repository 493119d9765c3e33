"""Celery tasks of the completeness app: thin, JSON arguments, idempotent, safe to run twice."""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import reminders


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def send_report_reminders(today: str | None = None) -> dict:
    """Daily (CELERY_BEAT_SCHEDULE): reminder e-mails to regions that have not submitted.

    `today` (ISO date) is for replays; by default the local date. Running it twice the same
    day sends nothing the second time (ReminderLog's unique constraint).
    """
    day = date.fromisoformat(today) if today else None
    return reminders.send_due_reminders(today=day).as_dict()
