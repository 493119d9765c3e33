import pytest

from tests.conftest import recording


@pytest.fixture
def target_signals():
    """Records every targets_changed sent: a list of (region_ids, period_code)."""
    from apps.targets.signals import targets_changed

    with recording(targets_changed, "region_ids", "period_code") as received:
        yield received


@pytest.fixture
def period_14(db):
    from apps.targets.models import PlanPeriod

    return PlanPeriod.objects.get(code="2021-2025")
