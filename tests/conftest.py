"""Shared fixtures: the real Jiangxi region tree and departments are loaded once per session;
an API client; users by role and the catalog_changed recorder (catalog and targets tests)."""

import os
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from apps.organizations.services import load_departments
from apps.regions.models import Region
from apps.regions.services import JIANGXI_CSV, load_regions_csv
from tests.indicators.helpers import make_user

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
    with override_settings(STORAGES=storages, PASSWORD_HASHERS=hashers):
        yield


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Tasks run in-process in tests, broker or not; tests marked `real_celery` use the broker."""
    from carbon_portal.celery import app

    if request.node.get_closest_marker("real_celery"):
        yield
        return
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_regions_csv(JIANGXI_CSV)
        load_departments()


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
    """user_of("provincial") → a saved user with that role."""
    return make_user


@pytest.fixture
def provincial(db):
    return make_user("provincial")


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
    and rule sets, plan periods), so those seeds are run again too.
    """
    from importlib import import_module

    from django.apps import apps as django_apps

    from apps.indicators.models import Indicator

    if not Indicator.objects.exists():
        import_module("apps.indicators.migrations.0002_seed_catalog").seed(django_apps, None)
        import_module("apps.targets.migrations.0002_seed_periods").seed(django_apps, None)
    if not Region.objects.exists():
        load_regions_csv(JIANGXI_CSV)
        load_departments()
