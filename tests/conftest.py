"""Shared fixtures: the real Jiangxi region tree and departments are loaded once per session;
the demo data (`seed_demo`) is seeded once per session for the tests that ask for `demo`;
an API client; users by role and the catalog_changed recorder (catalog and targets tests)."""

import os
from contextlib import contextmanager
from io import StringIO

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from apps.organizations.services import load_departments
from apps.regions.models import Region
from apps.regions.services import JIANGXI_CSV, load_regions_csv
from tests.factories import user_for

IN_CI = bool(os.environ.get("CI"))

# No timing in tests: a loaded CI machine must not turn a slow example into a failure.
hypothesis_settings.register_profile("portal", deadline=None)
hypothesis_settings.load_profile("portal")


@pytest.fixture(scope="session", autouse=True)
def _plain_static_storage():
    """Tests: static files without a collectstatic manifest, and a fast password hasher."""
    from django.test import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # PBKDF2's deliberate slowness costs a quarter second per test user; tests need no strength.
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Login lockout (django-axes) off: the suite signs in from one address many times; the
    # lockout tests turn it on (tests/accounts/test_login_hardening.py).
    with override_settings(STORAGES=storages, PASSWORD_HASHERS=hashers, AXES_ENABLED=False):
        yield


@contextmanager
def eager_celery():
    """While open, Celery tasks run in-process, whatever the broker."""
    from carbon_portal.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Tasks run in-process in tests, broker or not; tests marked `real_celery` use the broker."""
    if request.node.get_closest_marker("real_celery"):
        yield
        return
    with eager_celery():
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_regions_csv(JIANGXI_CSV)
        load_departments()


def _seed_demo() -> None:
    """`manage.py seed_demo` as an operator runs it: committed, so its recompute runs too."""
    from django.core.management import call_command

    with eager_celery():
        call_command("seed_demo", stdout=StringIO())


def _demo_present() -> bool:
    from apps.accounts.models import User

    return User.objects.filter(username="donghu").exists()


@pytest.fixture(scope="session")
def _demo_database(django_db_setup, django_db_blocker):
    """The demo data, seeded (and committed) once per session, the first time a test asks for it."""
    with django_db_blocker.unblock():
        _seed_demo()


@pytest.fixture
def demo(_demo_database, db):
    """The demo data of `manage.py seed_demo` (users, reports, targets, plans, deadlines, figures).

    Seeded once per session, not per test: each test's changes are rolled back with its
    transaction. Tests that ask for it run after the other database tests (see
    pytest_collection_modifyitems below), so no other test finds demo rows it did not ask for.
    A transactional test that asks for it after a flush gets it seeded again.
    """
    if not _demo_present():
        _seed_demo()


def _run_order(item: pytest.Item) -> int:
    """0: database tests, 1: database tests on the demo data, 2: transactional tests, 3: the rest."""
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional = "transactional_db" in fixtures or "live_server" in fixtures
    if marker is not None:
        transactional = transactional or bool(
            marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
        )
    uses_db = marker is not None or "db" in fixtures or transactional
    if not uses_db:
        return 3
    if transactional:
        return 2
    return 1 if "demo" in fixtures else 0


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Like pytest-django's order (database, transactional, others), with the tests on the demo
    data last among the database tests: the demo is seeded (committed) when the first of them
    runs and stays until the transactional tests flush the database."""
    items.sort(key=_run_order)


@pytest.fixture
def national(db):
    """All 3,351 national regions with stored figures, traces and reports for two years
    (tests/national.py), created in this test's transaction and rolled back with it."""
    from tests.national import load_national

    return load_national()


@pytest.fixture
def region():
    """Look up a Jiangxi region by code: region("360102")."""

    def get(code: str) -> Region:
        from apps.regions.selectors import by_code

        found = by_code(code)
        assert found is not None, code
        return found

    return get


@pytest.fixture
def user_of(db):
    """user_of("provincial") → a saved user of that kind (tests.factories.ROLE_PROFILES)."""
    return user_for


@pytest.fixture
def provincial(db):
    return user_for("provincial")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_role(api, user_of):
    """as_role("provincial") → the API client, authenticated as a new user with that role."""

    def login(role):
        api.force_authenticate(user_of(role))
        return api

    return login


@contextmanager
def recording(signal, *fields: str):
    """While open, every sending of ``signal``: a list of tuples of the named keyword arguments."""
    received = []

    def receiver(sender, **kwargs):
        received.append(tuple(kwargs[f] for f in fields))

    signal.connect(receiver, weak=False)
    try:
        yield received
    finally:
        signal.disconnect(receiver)


@pytest.fixture
def catalog_signals():
    """Records every catalog_changed sent: a list of (kind, object_id)."""
    from apps.indicators.signals import catalog_changed

    with recording(catalog_changed, "kind", "object_id") as received:
        yield received


def require_service(available: bool, what: str) -> None:
    """Service-dependent tests skip outside CI when the service is absent, and fail in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} not available (set up outside CI)")


@pytest.fixture
def postgres_db(db):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    return connection


@pytest.fixture
def reference_data(db):
    """For transactional tests (which flush the database): reload reference data if gone.

    A flush also empties the rows the data migrations seeded (indicator catalog, factor
    and rule sets, plan periods), so those seeds are run again too. The session's demo data,
    if still there (the tests on it run just before the transactional ones), is flushed first:
    a transactional test starts from the reference data alone.
    """
    from importlib import import_module

    from django.apps import apps as django_apps
    from django.core.management import call_command

    from apps.indicators.models import Indicator

    if _demo_present():
        call_command("flush", interactive=False, verbosity=0)
    if not Indicator.objects.exists():
        import_module("apps.indicators.migrations.0002_seed_catalog").seed(django_apps, None)
        import_module("apps.targets.migrations.0002_seed_periods").seed(django_apps, None)
    if not Region.objects.exists():
        load_regions_csv(JIANGXI_CSV)
        load_departments()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts and ends with an empty cache: page fragments (apps/core/cache.py) and
    counters never leak from one test to the next, in local memory or in a shared Redis."""
    from django.core.cache import cache

    from apps.accounts.navigation import forget_menus

    cache.clear()
    forget_menus()
    yield
    cache.clear()
