"""Thin Celery tasks of the ledger: they take ids and call the services (idempotent, acks_late)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

RETRY_ON = (OperationalError, InterfaceError, ConnectionError)


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=RETRY_ON,
    retry_backoff=5,
    retry_kwargs={"max_retries": 5},
)
def candidates_refresh(
    run_id: int | None = None, region_ids: list[int] | None = None, year: int | None = None
):
    """After a recompute run: the candidates of its scope from the figures it stored."""
    from . import candidates

    return candidates.refresh(run_id=run_id, region_ids=region_ids, year=year)


@shared_task(acks_late=True, ignore_result=True, autoretry_for=RETRY_ON, retry_backoff=5)
def send_rectification_reminders() -> int:
    """Beat (daily): remind the owners of overdue rectification tasks, at most once a day each."""
    from . import reminders

    return reminders.send_reminders()
