"""Control characters (NUL and friends) are refused in every text input: uploads name the row
and the column and save nothing; forms and API fields answer a field error (apps.core.text)."""

import importlib
import inspect
import io
import pkgutil

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from rest_framework import serializers
from rest_framework.test import APIClient

import apps
from apps.accounts.roles import Role
from apps.core.tables import Columns, ImportRejected, read_sheet
from apps.core.text import ProhibitControlCharactersValidator, first_control_character
from apps.reports.models import Report, ReportStatus
from apps.targets import services as target_services
from apps.targets.models import RegionTarget
from tests.factories import make_report, user_with

BAD = ["a\x00b", "a\x01b", "a\x08", "\x0bx", "x\x1b[31m", "a\x7fb"]


def test_the_rule_refuses_c0_controls_and_del_but_keeps_tab_and_newlines():
    assert [first_control_character(v) for v in BAD] == ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f"]
    assert first_control_character("line 1\r\nline 2\tcell") is None
    assert first_control_character("江西省 · 2026 — ok") is None
    assert first_control_character(None) is None and first_control_character(12) is None


def _modules(suffix: str):
    for info in pkgutil.walk_packages(apps.__path__, "apps."):
        if info.name.endswith(suffix):
            yield importlib.import_module(info.name)


def _classes(module, base):
    return [
        c
        for _n, c in inspect.getmembers(module, inspect.isclass)
        if issubclass(c, base) and c.__module__ == module.__name__
    ]


def test_every_text_field_of_every_portal_form_refuses_control_characters():
    checked = 0
    for module in _modules(".forms"):
        for form_class in _classes(module, forms.BaseForm):
            for name, field in form_class.base_fields.items():
                if isinstance(field, forms.CharField):
                    assert ProhibitControlCharactersValidator() in field.validators, f"{form_class}.{name}"
                    checked += 1
    assert checked > 20  # the walk found the portal's forms


def _char_fields(field, path):
    if isinstance(field, serializers.CharField):
        yield path, field
    for name, child in (
        getattr(field, "fields", {}).items() if isinstance(field, serializers.Serializer) else ()
    ):
        yield from _char_fields(child, f"{path}.{name}")
    child = getattr(field, "child", None)
    if child is not None:
        yield from _char_fields(child, f"{path}[]")


@pytest.mark.django_db
def test_every_text_field_of_every_api_serializer_refuses_control_characters():
    checked = 0
    for module in _modules(".serializers"):
        for serializer_class in _classes(module, serializers.Serializer):
            for path, field in _char_fields(serializer_class(), serializer_class.__name__):
                if not field.read_only:
                    assert ProhibitControlCharactersValidator() in field.validators, path
                    checked += 1
    assert checked > 20


# --- API fields and a form page ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_control_character_in_an_api_field_is_a_400_naming_the_field():
    user = user_with(Role.REGION_STAFF, "360102")
    report = make_report("360102", 2024, ReportStatus.DRAFT)
    client = APIClient()
    client.force_authenticate(user)
    response = client.patch(
        f"/api/v1/reports/{report.pk}/", {"notes": {"energy_total": "see\x00below"}}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"notes"} and "U+0000" in body["errors"]["notes"][0]
    response = client.patch(f"/api/v1/reports/{report.pk}/", {"remarks": "bell\x07"}, format="json")
    assert response.status_code == 400 and "U+0007" in response.json()["errors"]["remarks"][0]
    report.refresh_from_db()
    assert "\x00" not in str(report.__dict__) and "\x07" not in (report.remarks or "")


@pytest.mark.django_db
def test_a_control_character_in_a_form_field_is_a_field_error_on_the_page(client):
    client.cookies["django_language"] = "en"
    response = client.post("/accounts/login/", {"username": "nobody\x00", "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        "Contains the control character U+0000 (NUL), which is not allowed in text; remove it."
    ]


# --- imports: row and column named, nothing saved -------------------------------------------


def _values_csv(note: str) -> bytes:
    return f"region_code,year,indicator,value,note\n360102,2023,energy_total,5,{note}\n".encode()


@pytest.mark.django_db
@pytest.mark.parametrize("note", BAD)
def test_values_import_api_names_row_and_column_of_a_control_character(note):
    client = APIClient()
    client.force_authenticate(user_with(Role.REGION_STAFF, "360102"))
    response = client.post(
        "/api/v1/reports/import/",
        {"file": SimpleUploadedFile("v.csv", _values_csv(note))},
        format="multipart",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["row"] == 2 and errors[0]["message"].startswith("note: Contains the control character")
    assert not Report.objects.filter(region__code="360102", year=2023).exists()


class _Sheet:
    """A worksheet as openpyxl reads one (a crafted workbook may hold what openpyxl cannot write)."""

    title = "values"

    def __init__(self, rows):
        self.rows = rows

    def iter_rows(self, **kwargs):
        return iter(self.rows)


def test_a_workbook_cell_with_a_control_character_is_a_row_error_naming_the_column():
    sheet = _Sheet(
        [("indicator", "value", "note"), ("energy_total", 5.0, "o\x01k"), ("energy_coal", 1.0, "fine")]
    )
    table = read_sheet(sheet, columns=Columns(required=("indicator", "value"), optional=("note",)))
    assert [(e.row, e.field) for e in table.errors] == [(2, "note")]
    assert [r["indicator"] for r in table.rows] == ["energy_coal"]


@pytest.mark.django_db
def test_import_values_command_reports_the_row_and_column_and_saves_nothing(tmp_path):
    user = user_with(Role.REGION_STAFF, "360102")
    path = tmp_path / "values.csv"
    path.write_bytes(_values_csv("a\x00b"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_values", str(path), "--user", user.username, stderr=err, stdout=io.StringIO())
    assert err.getvalue().startswith("Row 2: note: Contains the control character U+0000 (NUL)")
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_targets_import_names_row_and_column_of_a_control_character():
    user = user_with(Role.PROVINCIAL_OFFICIAL, "360000")
    content = "region_code,period,metric,value,year,note\n360000,2021-2025,nonfossil_share,18,,a\x1fb\n"
    with pytest.raises(ImportRejected) as exc:
        target_services.targets_import(user=user, file=io.BytesIO(content.encode()), filename="t.csv")
    assert [(e.row, e.field) for e in exc.value.row_errors] == [(2, "note")]
    assert not RegionTarget.objects.exists()
