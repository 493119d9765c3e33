"""Fixtures of the reports tests: users of each role, a filled report, private storage in tmp."""

from decimal import Decimal

import pytest
from django.utils import translation

from apps.accounts.roles import Role
from tests.factories import user_with

# A complete, consistent set of values (fuels add up to the total, etc.).
GOOD_VALUES = {
    "gdp_current": Decimal("1000"),
    "gdp_index": Decimal("106"),
    "energy_total": Decimal("500"),
    "energy_coal": Decimal("300"),
    "energy_oil": Decimal("80"),
    "energy_gas": Decimal("40"),
    "energy_nonfossil": Decimal("80"),
    "renewable_power": Decimal("50"),
    "feedstock_energy": Decimal("20"),
    "electricity_net_import": Decimal("30"),
}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORTS_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages and labels are compared in English, in services and in pages alike."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def users(db):
    """One user per role around Nanchang (360100): its counties Donghu (360102) and Xihu (360103)."""
    return {
        "donghu": user_with(Role.REGION_STAFF, "360102"),
        "xihu": user_with(Role.REGION_STAFF, "360103"),
        "nanchang": user_with(Role.REGION_STAFF, "360100"),
        "jiujiang": user_with(Role.REGION_STAFF, "360400"),
        "province_staff": user_with(Role.REGION_STAFF, "360000"),
        "province": user_with(Role.PROVINCIAL_OFFICIAL, "360000"),
        "congress": user_with(Role.CONGRESS_MEMBER, "360000"),
        "dept": user_with(Role.DEPARTMENT_STAFF, "360100", department_kind="energy"),
        "admin": user_with(Role.ADMINISTRATOR),
    }
