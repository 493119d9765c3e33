"""Fixtures of the inquiry tests: congress members at three levels, the addressees of Donghu
(its government's staff and its development and reform commission), a sibling county, and
private attachment storage in a temporary directory."""

import pytest
from django.utils import translation

from apps.accounts.roles import Role
from tests.factories import user_with


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OVERSIGHT_PRIVATE_ROOT = tmp_path / "private"
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.EDITIONS_PRIVATE_ROOT = tmp_path / "private" / "editions"


@pytest.fixture
def english():
    """Messages compared in English (the inquiry tests; the summaries' documents are Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def people(db):
    return {
        "admin": user_with(Role.ADMINISTRATOR),
        "province": user_with(Role.PROVINCIAL_OFFICIAL, "360000"),
        "congress_province": user_with(Role.CONGRESS_MEMBER, "360000"),
        "congress_nanchang": user_with(Role.CONGRESS_MEMBER, "360100"),
        "congress_donghu": user_with(Role.CONGRESS_MEMBER, "360102"),
        "congress_xihu": user_with(Role.CONGRESS_MEMBER, "360103"),
        "donghu": user_with(Role.REGION_STAFF, "360102", email="donghu@example.org"),
        "xihu": user_with(Role.REGION_STAFF, "360103"),
        "nanchang": user_with(Role.REGION_STAFF, "360100"),
        "ndrc_donghu": user_with(
            Role.DEPARTMENT_STAFF, "360102", department_kind="development_reform", email="ndrc@example.org"
        ),
        "energy_donghu": user_with(Role.DEPARTMENT_STAFF, "360102", department_kind="energy"),
        "ndrc_nanchang": user_with(Role.DEPARTMENT_STAFF, "360100", department_kind="development_reform"),
        "ndrc_province": user_with(Role.DEPARTMENT_STAFF, "360000", department_kind="development_reform"),
    }
