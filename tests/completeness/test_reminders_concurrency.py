"""Two workers sending the same day's reminders at the same moment (PostgreSQL; CI runs it)."""

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection, connections

from apps.accounts.roles import Role
from apps.completeness import reminders
from apps.completeness.models import ReminderLog, ReportingDeadline
from tests.conftest import require_service
from tests.factories import user_with

DUE = date(2026, 3, 31)
WEEK_BEFORE = DUE - timedelta(days=7)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(reference_data, settings, monkeypatch):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ReportingDeadline.objects.create(year=2025, due_date=DUE)
    for code in ("360102", "360103", "360104"):
        user_with(Role.REGION_STAFF, code, email=f"{code}@example.cn")

    # Both workers decide whom to remind before either records anything, then race to send.
    barrier = threading.Barrier(2, timeout=30)
    decide = reminders.due_reminders

    def decide_then_wait(today):
        due = decide(today)
        barrier.wait()
        return due

    monkeypatch.setattr(reminders, "due_reminders", decide_then_wait)
    results, errors = [], []

    def worker():
        try:
            results.append(reminders.send_due_reminders(today=WEEK_BEFORE))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(address for m in mail.outbox for address in m.to) == [
        "360102@example.cn",
        "360103@example.cn",
        "360104@example.cn",
    ]
    assert sum(r.reminded for r in results) == 3
    assert sum(r.already_sent for r in results) == 3  # each region-year lost by one of the two
    assert ReminderLog.objects.count() == 3
