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
