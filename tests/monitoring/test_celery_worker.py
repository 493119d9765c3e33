"""A real Celery worker consuming from Redis runs the recompute (CI: PostgreSQL + Redis)."""

import threading
import time
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connection

from apps.monitoring import services
from apps.monitoring.models import Assessment, RecomputeRun, RunStatus
from apps.monitoring.tasks import recompute_run
from carbon_portal.celery import app
from tests.conftest import require_service

from .pipeline import load_worked_example


@contextmanager
def ran(task):
    """An event set once the in-thread worker has finished running ``task``."""
    finished = threading.Event()

    def done(sender=None, **kwargs):
        if sender is not None and sender.name == task.name:
            finished.set()

    task_postrun.connect(done, weak=False)
    try:
        yield finished
    finally:
        task_postrun.disconnect(done)


def wait_for_run(run_id: int, timeout: float = 120) -> RecomputeRun:
    """The run once finished (done or failed): no task results are stored, the row tells."""
    deadline = time.monotonic() + timeout
    while True:
        run = RecomputeRun.objects.get(pk=run_id)
        if run.status in (RunStatus.DONE, RunStatus.FAILED) or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


@pytest.fixture
def redis_broker():
    import redis

    url = settings.CELERY_BROKER_URL
    ok = url.startswith("redis://")
    if ok:
        try:
            ok = redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.exceptions.ConnectionError:
            ok = False
    require_service(ok, "Redis broker (CELERY_BROKER_URL)")
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    app.control.purge()  # messages other tests published have no worker and no rows any more


@pytest.mark.real_celery
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_recompute_through_redis(redis_broker, reference_data):
    load_worked_example()
    run = services.run_create(reason="worker test")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        recompute_run.delay(run.pk)
        run = wait_for_run(run.pk)
    assert run.status == RunStatus.DONE and run.attempts == 1
    assert Assessment.objects.count() == 72


@pytest.mark.real_celery
@pytest.mark.django_db(transaction=True)
def test_a_redelivered_task_finds_the_run_done_and_does_nothing_twice(redis_broker, reference_data):
    load_worked_example()
    run = services.run_execute(services.run_create(reason="first").pk)
    with (
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30),
        ran(recompute_run) as finished,
    ):
        recompute_run.delay(run.pk)
        assert finished.wait(60)
    assert RecomputeRun.objects.get(pk=run.pk).attempts == 1
    assert Assessment.objects.count() == 72
