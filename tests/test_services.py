"""The real services CI runs against: PostgreSQL through DATABASE_URL, Redis as Celery's broker."""

from django.conf import settings
from django.db import connection

from tests.conftest import IN_CI, require_service


def test_ci_runs_on_postgresql(db):
    if IN_CI:
        assert connection.vendor == "postgresql", "CI must set DATABASE_URL to PostgreSQL"
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert "PostgreSQL" in cursor.fetchone()[0]


def test_ci_uses_redis_as_the_celery_broker():
    import redis

    broker = settings.CELERY_BROKER_URL
    if IN_CI:
        assert broker.startswith("redis://"), "CI must set CELERY_BROKER_URL to Redis"
        assert not settings.CELERY_TASK_ALWAYS_EAGER
    require_service(broker.startswith("redis://"), "Redis (CELERY_BROKER_URL)")
    try:
        reachable = redis.Redis.from_url(broker, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        reachable = False
    require_service(reachable, f"Redis at {broker}")


def test_without_a_broker_tasks_run_eagerly():
    if settings.CELERY_BROKER_URL == "memory://":
        assert settings.CELERY_TASK_ALWAYS_EAGER
    else:
        assert not settings.CELERY_TASK_ALWAYS_EAGER
