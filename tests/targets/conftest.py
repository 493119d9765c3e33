import pytest

from tests.indicators.helpers import make_user


@pytest.fixture
def user_of(db):
    """user_of("provincial") → a saved user with that role."""
    return make_user


@pytest.fixture
def provincial(db):
    return make_user("provincial")


@pytest.fixture
def catalog_signals():
    """Records every catalog_changed sent: a list of (kind, object_id)."""
    from apps.indicators.signals import catalog_changed

    received = []

    def receiver(sender, *, kind, object_id, **kwargs):
        received.append((kind, object_id))

    catalog_changed.connect(receiver, weak=False)
    yield received
    catalog_changed.disconnect(receiver)


@pytest.fixture
def target_signals():
    """Records every targets_changed sent: a list of (region_ids, period_code)."""
    from apps.targets.signals import targets_changed

    received = []

    def receiver(sender, *, region_ids, period_code, **kwargs):
        received.append((region_ids, period_code))

    targets_changed.connect(receiver, weak=False)
    yield received
    targets_changed.disconnect(receiver)


@pytest.fixture
def period_14(db):
    from apps.targets.models import PlanPeriod

    return PlanPeriod.objects.get(code="2021-2025")
