"""Shared helpers of the tip tests: a tip filed through the service, users by handling role."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.accounts.roles import Role
from apps.disclosure import tips
from apps.regions.selectors import by_code
from tests.factories import user_with

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%demo\n" + b"0" * 64


def png(name="photo.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def file_tip(code="360102", category="statistics", description="Figures look wrong.", **kwargs):
    data = tips.TipInput(category=category, region=by_code(code), description=description, **kwargs)
    return tips.tip_file(user=AnonymousUser(), data=data)


def drc(code="360100", **kwargs):
    """Staff of the development and reform commission at `code` (they triage its subtree's tips)."""
    return user_with(Role.DEPARTMENT_STAFF, code, department_kind="development_reform", **kwargs)


def dept_staff(code="360100", kind="statistics", **kwargs):
    return user_with(Role.DEPARTMENT_STAFF, code, department_kind=kind, **kwargs)


def english_client() -> Client:
    """A visitor who chose English with the language switcher (pages ignore Accept-Language)."""
    client = Client()
    client.cookies["django_language"] = "en"
    return client
