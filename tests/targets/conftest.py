import pytest


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
