"""The completeness tests use the reports tests' users and settings (one user per role around Nanchang)."""

from tests.reports.conftest import _english, _private_media, users  # noqa: F401
