"""The audit log: sign-ins, sign-outs, changes and downloads recorded in one append-only table."""

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.core.models import AuditAction, AuditEntry, FrozenError
from apps.reports.models import ReportStatus
from tests.factories import GOOD_VALUES, make_report, user_for

pytestmark = pytest.mark.django_db


def _entries(action):
    return list(AuditEntry.objects.filter(action=action))


def test_sign_ins_failed_attempts_and_sign_outs_are_recorded_with_the_address(client):
    user = user_for("county")
    user.set_password(settings.DEMO_PASSWORD)
    user.save()
    client.post("/accounts/login/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/login/", {"username": user.username, "password": settings.DEMO_PASSWORD})
    client.post("/accounts/logout/")
    [failed] = _entries(AuditAction.LOGIN_FAILED)
    assert failed.username == user.username and failed.actor_id is None and failed.ip == "10.1.2.3"
    [login] = _entries(AuditAction.LOGIN)
    assert login.actor_id == user.pk and login.ip == "127.0.0.1"
    assert [e.actor_id for e in _entries(AuditAction.LOGOUT)] == [user.pk]
    assert not _entries(AuditAction.WRITE)  # the sign-in form itself is not a "change"


def test_changes_and_refusals_through_the_api_are_recorded_without_anyone_remembering():
    official, county = user_for("provincial"), user_for("county")
    report = make_report(county.region.code, 2024, ReportStatus.FORWARDED, GOOD_VALUES)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=official).key}")
    assert api.post(f"/api/v1/reports/{report.pk}/approve/").status_code == 200
    [write] = _entries(AuditAction.WRITE)
    assert (write.actor_id, write.method, write.status) == (official.pk, "POST", 200)
    assert write.path == f"/api/v1/reports/{report.pk}/approve/" and "approve" in write.view
    refused = APIClient()
    refused.force_authenticate(county)
    assert refused.post(f"/api/v1/reports/{report.pk}/approve/").status_code in (403, 404, 409)
    [no] = _entries(AuditAction.REFUSED)
    assert no.actor_id == county.pk


def test_downloads_are_recorded_with_the_filters_asked_for(client):
    official = user_for("provincial")
    client.force_login(official)
    response = client.get("/monitoring/export/?year=2024")
    assert response.status_code == 200
    [download] = _entries(AuditAction.DOWNLOAD)
    assert download.actor_id == official.pk and download.path == "/monitoring/export/?year=2024"
    assert download.detail["file"].endswith(".csv")


def test_nobody_changes_or_deletes_an_entry():
    entry = AuditEntry.objects.create(action=AuditAction.LOGIN, username="x")
    entry.username = "y"
    with pytest.raises(FrozenError):
        entry.save()
    with pytest.raises(FrozenError):
        entry.delete()
    with pytest.raises(FrozenError):
        AuditEntry.objects.filter(pk=entry.pk).update(username="y")
    with pytest.raises(FrozenError):
        AuditEntry.objects.all().delete()
    if connection.vendor == "postgresql":  # not even with SQL
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET username = 'y' WHERE id = %s", [entry.pk])
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).username == "x"


def test_administrators_read_filter_and_export_the_log_and_nobody_else(client):
    AuditEntry.objects.create(action=AuditAction.LOGIN_FAILED, username="mallory", path="/accounts/login/")
    AuditEntry.objects.create(action=AuditAction.LOGIN, username="alice")
    for role in ("county", "city", "department", "provincial", "congress"):
        client.force_login(user_for(role))
        assert client.get("/accounts/audit/").status_code == 403
    client.force_login(user_for("admin"))
    page = client.get("/accounts/audit/?action=login_failed").content.decode()
    assert "mallory" in page and "alice" not in page
    assert "?action=login_failed" in client.get("/accounts/audit/?action=login_failed").content.decode()
    assert client.get("/accounts/audit/?from=not-a-date").status_code == 200  # the error is shown
    exported = client.get("/accounts/audit/?user=mall&export=csv").content.decode("utf-8-sig")
    assert "mallory" in exported and "alice" not in exported
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get(f"/admin/core/auditentry/{AuditEntry.objects.first().pk}/delete/").status_code == 403
