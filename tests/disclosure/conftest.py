"""Fixtures of the disclosure tests: tip attachments stored in a temporary directory."""

import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TIPS_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (pages and the API answer in the request's language: the
    test clients ask for English)."""
    from django.utils import translation

    with translation.override("en"):
        yield
