"""Fixtures of the reports tests: users of each role, a filled report, private storage in tmp."""

import pytest
from django.utils import translation

from apps.accounts.roles import Role
from tests.factories import GOOD_VALUES, user_with

__all__ = ["GOOD_VALUES"]  # its home is tests.factories; some tests still import it from here


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
