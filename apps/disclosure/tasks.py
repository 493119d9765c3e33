"""Celery tasks of the disclosure app: thin, JSON arguments, idempotent, safe to run twice."""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import tip_reminders


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def send_tip_reminders(today: str | None = None) -> dict:
    """Daily (CELERY_BEAT_SCHEDULE): reminders about tips due soon or overdue.

    `today` (ISO date) is for replays; by default the local date. Running it twice the same day
    sends nothing the second time (TipReminder's unique constraint).
    """
    day = date.fromisoformat(today) if today else None
    return tip_reminders.send_tip_reminders(today=day).as_dict()
