"""Nothing lost when the broker, a worker or the database fails (issue 11, item 1).

The unit tests run everywhere (a dead broker is a port nobody listens on). The fault tests
need PostgreSQL, and those marked `real_celery` Redis too (CELERY_BROKER_URL, as `make test-pg`
sets it): they start real worker processes (`fault_worker.py`) and SIGKILL one, or terminate
a database connection mid-import; outside CI they skip without the services, in CI they fail.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.utils import timezone
from django.utils.translation import gettext

from apps.core.exceptions import DATABASE_UNAVAILABLE
from apps.monitoring import rebuild, services, tasks
from apps.monitoring.models import Assessment, MissingFigure, RecomputeRun, RunStatus
from apps.regions.models import Region, RegionLevel
from apps.reports.models import Report, ReportStatus, ReportValue
from carbon_portal.celery import app
from tests.conftest import require_service
from tests.factories import make_report

from .pipeline import approve_values, load_worked_example, read_csv

DEAD_BROKER = "redis://127.0.0.1:6399/0"  # nothing listens there
WORKER = Path(__file__).with_name("fault_worker.py")
ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def broker_down():
    """While open, this process publishes through Redis as if the broker were down."""
    saved = app.conf.task_always_eager, app.conf.broker_write_url
    app.conf.task_always_eager, app.conf.broker_write_url = False, DEAD_BROKER
    app._pool, app.amqp._producer_pool = None, None
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_write_url = saved
        app._pool, app.amqp._producer_pool = None, None


def wait_until(predicate, timeout: float, step: float = 0.05):
    """predicate()'s first true value within `timeout` seconds, else its last (false) value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def second_connection():
    """A raw connection of its own to the test database (another session, for locks)."""
    return connection.get_new_connection(connection.get_connection_params())


def figures() -> set[tuple]:
    return set(Assessment.objects.values_list("region_id", "year", "metric", "value", "level")) | {
        ("missing", *row)
        for row in MissingFigure.objects.values_list("region_id", "year", "metric", "reason")
    }


# --- dispatching never fails a write --------------------------------------------------------------


@pytest.mark.django_db
def test_an_approval_succeeds_at_once_while_the_broker_is_down_and_logs_the_run(
    api, provincial, caplog, django_capture_on_commit_callbacks
):
    report = make_report("360100", 2024, ReportStatus.SUBMITTED)
    api.force_authenticate(provincial)
    started = time.monotonic()
    with broker_down(), caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/reports/{report.pk}/approve/")
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert elapsed < 3  # was 19 s (the result backend's reconnects), then a 500
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    run = RecomputeRun.objects.get()
    assert (run.status, run.dispatched_at) == (RunStatus.QUEUED, None)
    assert f"run {run.pk}: could not be dispatched" in caplog.text


@pytest.mark.django_db
def test_a_published_run_is_recorded_as_dispatched_and_the_sweep_leaves_it(db):
    run = services.run_create(reason="dispatched")
    services.run_mark_dispatched(run.pk, "task-1")
    RecomputeRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(hours=1))
    run.refresh_from_db()
    assert run.task_id == "task-1" and run.dispatched_at is not None
    assert services.runs_claim_for_dispatch() == []


@pytest.mark.django_db
def test_the_sweep_dispatches_a_run_whose_dispatch_failed_once_and_leaves_a_fresh_one(db):
    old = services.run_create(reason="broker was down")
    RecomputeRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    fresh = services.run_create(reason="its dispatch may still be on its way")
    assert tasks.sweep() == [old.pk]  # eager here: the run is executed at once
    assert RecomputeRun.objects.get(pk=old.pk).status == RunStatus.DONE
    assert RecomputeRun.objects.get(pk=fresh.pk).status == RunStatus.QUEUED
    assert tasks.sweep() == []


@pytest.mark.django_db
def test_a_run_the_sweep_cannot_publish_is_left_for_the_next_sweep(db, caplog):
    run = services.run_create(reason="broker was down")
    RecomputeRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    with broker_down(), caplog.at_level(logging.ERROR):
        assert tasks.sweep() == [run.pk]
        assert RecomputeRun.objects.get(pk=run.pk).dispatched_at is None
        assert tasks.sweep() == [run.pk]
    assert RecomputeRun.objects.get(pk=run.pk).status == RunStatus.QUEUED


@pytest.mark.django_db
def test_a_message_lost_by_the_broker_is_dispatched_again_after_the_visibility_timeout(db):
    run = services.run_create(reason="Redis lost it")
    services.run_mark_dispatched(run.pk, "task-1")
    long_ago = timezone.now() - timedelta(seconds=services._visibility_timeout() + 60)
    RecomputeRun.objects.filter(pk=run.pk).update(created_at=long_ago, dispatched_at=long_ago)
    with broker_down():
        assert services.runs_claim_for_dispatch() == [run.pk]


def test_time_limits_and_visibility_timeout_fit_the_longest_task_and_the_sweep_is_scheduled():
    soft, hard = settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    longest_retry_backoff = 5 * 2**4  # retry_backoff=5, five retries
    assert 5 * 60 <= soft < hard  # the national full recompute takes about 21 s (bench/RESULTS.md)
    assert hard + longest_retry_backoff < visibility  # Redis never hands out a running task twice
    assert hard > settings.RECOMPUTE_STALE_AFTER
    schedule = {e["task"]: e for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["apps.monitoring.tasks.sweep_runs"]["schedule"] <= 60
    assert settings.CELERY_TASK_IGNORE_RESULT and tasks.recompute_run.ignore_result


# --- a run in a live worker is never started twice -----------------------------------------------


def hold_run_lock(run_id: int):
    other = second_connection()
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services.RUN_LOCK_NAMESPACE, run_id])
    return other


def test_a_running_run_whose_worker_holds_its_lock_is_left_alone_and_claimed_once_it_dies(postgres_db):
    run = services.run_create(reason="long")
    long_ago = timezone.now() - timedelta(hours=1)
    RecomputeRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )
    worker = hold_run_lock(run.pk)  # a live (quiet) worker
    try:
        assert services.runs_claim_for_dispatch() == []
    finally:
        worker.close()  # the worker dies: PostgreSQL ends its session and its locks
    assert wait_until(lambda: services.runs_claim_for_dispatch() == [run.pk], 10)
    assert RecomputeRun.objects.get(pk=run.pk).status == RunStatus.QUEUED


def test_a_second_delivery_does_nothing_while_another_worker_executes_the_run(postgres_db):
    run = services.run_create(reason="delivered twice")
    worker = hold_run_lock(run.pk)
    try:
        again = services.run_execute(run.pk)
        with worker.cursor() as cursor:  # the other worker is done with it
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [services.RUN_LOCK_NAMESPACE, run.pk])
    finally:
        worker.close()
    assert (again.status, again.attempts) == (RunStatus.QUEUED, 0)
    assert services.run_execute(run.pk).status == RunStatus.DONE


# --- the database goes away mid-request ------------------------------------------------------------


@pytest.mark.django_db
def test_a_lost_database_connection_in_the_api_is_a_503_with_the_one_error_body(api, provincial):
    api.force_authenticate(provincial)
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch("apps.reports.services.values_import", side_effect=lost):
        response = api.post(
            "/api/v1/reports/import/",
            {"file": SimpleUploadedFile("v.csv", b"region_code,year,indicator,value\n")},
            format="multipart",
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.json() == {"detail": gettext(DATABASE_UNAVAILABLE)}


# --- real faults: PostgreSQL, Redis and worker processes ------------------------------------------


@pytest.fixture
def services_up():
    """PostgreSQL and the Redis broker of the environment (`make test-pg`), with an empty queue."""
    import redis

    url = os.environ.get("CELERY_BROKER_URL", "")
    ok = url.startswith("redis://")
    if ok:
        try:
            ok = redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.exceptions.ConnectionError:
            ok = False
    require_service(ok, "Redis broker (CELERY_BROKER_URL)")
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    app.control.purge()
    yield url
    app.control.purge()


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


@contextmanager
def worker_process(broker_url: str, **env: str):
    """A real `celery worker` process (solo pool) on the test database; stopped on leaving."""
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "test-only",
        "SECURE_SSL_REDIRECT": "0",
        **env,
    }
    log = tempfile.NamedTemporaryFile(prefix="fault-worker-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, str(WORKER)], cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    process.log_path = log.name
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        log.close()


def worker_log(process) -> str:
    return Path(process.log_path).read_text(errors="replace")[-4000:]


def run_lock_free(run_id: int) -> bool:
    return services._nobody_runs(run_id)


@pytest.mark.real_celery
@pytest.mark.django_db(transaction=True)
def test_broker_down_during_an_approval_then_up_and_the_figures_appear_without_anyone_acting(
    services_up, reference_data, api, provincial
):
    report = make_report("360100", 2024, ReportStatus.SUBMITTED)
    api.force_authenticate(provincial)
    started = time.monotonic()
    with broker_down():
        response = api.post(f"/api/v1/reports/{report.pk}/approve/")
    assert response.status_code == 200, response.content
    assert time.monotonic() - started < 3
    run = RecomputeRun.objects.get()
    assert (run.status, run.dispatched_at) == (RunStatus.QUEUED, None)
    assert not Assessment.objects.filter(region=report.region).exists()

    # The broker is back; a worker starts (as after an outage) and its sweep finds the run.
    with worker_process(services_up, RECOMPUTE_REDISPATCH_AFTER="0") as worker:
        done = wait_until(lambda: RecomputeRun.objects.get(pk=run.pk).status == RunStatus.DONE, 60, 0.2)
        assert done, worker_log(worker)
    assert Assessment.objects.filter(region=report.region, year=2024).exists()
    assert RecomputeRun.objects.get(pk=run.pk).attempts == 1


def _national_enough_data() -> int:
    """The worked example's values for every city of Jiangxi (several chunks to recompute)."""
    load_worked_example()
    rows = read_csv("worked_values.csv")
    cities = (
        Region.objects.filter(level=RegionLevel.CITY).exclude(code="360100").values_list("code", flat=True)
    )
    approve_values([{**row, "region_code": code} for code in cities for row in rows])
    return len(cities) + 1


@pytest.mark.real_celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_full_recompute_is_replaced_and_the_run_completes_as_a_clean_run(
    services_up, reference_data
):
    regions = _national_enough_data()
    assert regions >= 8
    run = services.run_create(reason="killed mid-run")
    slow = {"FAULT_CHUNK_DELAY": "0.5", "FAULT_CHUNK_REGIONS": "2"}
    with worker_process(services_up, **slow) as worker:
        assert tasks.publish(run.pk)
        mid_run = wait_until(
            lambda: RecomputeRun.objects.filter(
                pk=run.pk, status=RunStatus.RUNNING, regions_done__gte=2
            ).exists(),
            60,
            0.02,
        )
        assert mid_run, worker_log(worker)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    killed = RecomputeRun.objects.get(pk=run.pk)
    assert killed.status == RunStatus.RUNNING and killed.regions_done < regions  # left behind
    assert wait_until(lambda: run_lock_free(run.pk), 10)  # PostgreSQL ended the dead worker's session

    with worker_process(services_up, RECOMPUTE_STALE_AFTER="0") as worker:
        done = wait_until(lambda: RecomputeRun.objects.get(pk=run.pk).status == RunStatus.DONE, 60, 0.2)
        assert done, worker_log(worker)
    resumed = RecomputeRun.objects.get(pk=run.pk)
    assert resumed.attempts == 2 and resumed.regions_done == regions
    after_fault = figures()
    assert after_fault

    clean = services.run_execute(services.run_create(reason="clean").pk)
    assert clean.status == RunStatus.DONE
    assert figures() == after_fault
    with connection.cursor() as cursor:  # the killed rebuild's staged tables are gone too
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        assert not [t for (t,) in cursor.fetchall() if t.endswith(rebuild.SUFFIX)]


@pytest.mark.django_db(transaction=True)
def test_a_database_connection_terminated_during_an_import_saves_nothing_and_answers_503(
    postgres_db, reference_data, api, provincial
):
    from apps.reports import services as report_services

    api.force_authenticate(provincial)
    before = Report.objects.count(), ReportValue.objects.count()
    original = report_services._apply_values
    calls = []

    def terminated_midway(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the first report is written: PostgreSQL loses this session now
            other = second_connection()
            other.autocommit = True
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
            other.close()
        return original(*args, **kwargs)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    upload = (ROOT / "tests/monitoring/data/worked_values.csv").read_bytes()
    with mock.patch.object(report_services, "_apply_values", terminated_midway):
        response = api.post(
            "/api/v1/reports/import/",
            {"file": SimpleUploadedFile("worked_values.csv", upload), "approve": "true"},
            format="multipart",
        )
    assert len(calls) == 2
    assert response.status_code == 503, response.content
    assert response.json() == {"detail": gettext(DATABASE_UNAVAILABLE)}
    connection.close()  # the test client keeps the broken connection; a new one follows
    assert (Report.objects.count(), ReportValue.objects.count()) == before  # nothing half-imported
    assert not RecomputeRun.objects.exists()
