"""Celery tasks of the oversight app: thin, JSON arguments, idempotent, safe to run twice."""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import inquiry_reminders


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def send_inquiry_reminders(today: str | None = None) -> dict:
    """Daily (CELERY_BEAT_SCHEDULE): reminders to the addressees of inquiries near or past their
    deadline. Running it twice the same day sends nothing the second time (InquiryReminder's
    unique constraint)."""
    day = date.fromisoformat(today) if today else None
    return inquiry_reminders.send_due_reminders(today=day).as_dict()
