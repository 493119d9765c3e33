"""Fixtures of the core tests: private storage in a temporary directory."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _private_roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.EDITIONS_PRIVATE_ROOT = tmp_path / "private" / "editions"


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are compared in English."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
