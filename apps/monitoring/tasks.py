"""Thin Celery tasks: they take ids and call services (idempotent, acks_late, retried on connection loss)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

RETRY_ON = (OperationalError, InterfaceError, ConnectionError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRY_ON,
    retry_backoff=5,
    retry_kwargs={"max_retries": 5},
)
def recompute_run(self, run_id: int) -> dict:
    run = services.run_execute(run_id)
    return {"run": run.pk, "status": run.status, "results": run.results_written}


@shared_task(acks_late=True, autoretry_for=RETRY_ON, retry_backoff=5, retry_kwargs={"max_retries": 5})
def recompute_nightly() -> dict:
    """Beat's nightly full recompute, recorded as a run like any other."""
    run = services.run_create(reason="nightly full recompute")
    run = services.run_execute(run.pk)
    return {"run": run.pk, "status": run.status, "results": run.results_written}
