"""Fixtures of the oversight tests: editions and files in a temporary directory."""

import pytest


@pytest.fixture(autouse=True)
def _private_roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.EDITIONS_PRIVATE_ROOT = tmp_path / "private" / "editions"
