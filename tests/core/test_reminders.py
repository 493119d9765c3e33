"""The once-a-day reminder mechanism of apps/core, with a stand-in log (auth groups have unique names)."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from apps.core.reminders import Outcome, deliver_once, last_sent, split_recipients

pytestmark = pytest.mark.django_db


def record(name: str = "2025 · 360102 · 2026-03-24"):
    return lambda: Group.objects.create(name=name)


def test_a_reminder_is_recorded_and_sent():
    delivery = deliver_once(record=record(), send=lambda: 2)
    assert (delivery.outcome, delivery.sent) == (Outcome.SENT, 2)
    assert Group.objects.count() == 1


def test_a_second_reminder_of_the_same_subject_and_day_sends_nothing():
    deliver_once(record=record(), send=lambda: 1)
    sent = []
    delivery = deliver_once(record=record(), send=lambda: sent.append("mail") or 1)
    assert delivery.outcome is Outcome.ALREADY_SENT
    assert sent == []  # the insert fails before the mail leaves
    assert Group.objects.count() == 1


def test_a_failed_send_records_nothing_so_the_next_run_retries():
    def broken():
        raise OSError("connection refused")

    delivery = deliver_once(record=record(), send=broken)
    assert delivery.outcome is Outcome.FAILED and isinstance(delivery.error, OSError)
    assert not Group.objects.exists()
    assert deliver_once(record=record(), send=lambda: 1).outcome is Outcome.SENT


def test_a_backend_that_counts_nothing_counts_as_zero():
    assert deliver_once(record=record(), send=lambda: None).sent == 0


def test_last_sent_per_subject_in_one_query(django_assert_num_queries):
    from datetime import date

    from apps.completeness.models import ReminderKind, ReminderLog
    from apps.regions.selectors import by_code

    region = by_code("360102")
    for day in (date(2026, 3, 24), date(2026, 4, 1), date(2026, 4, 8)):
        kind = ReminderKind.UPCOMING if day.month == 3 else ReminderKind.OVERDUE
        ReminderLog.objects.create(
            region=region, year=2025, kind=kind, due_date=date(2026, 3, 31), sent_on=day
        )
    with django_assert_num_queries(1):
        last = last_sent(ReminderLog.objects.all(), "region_id", "year", "kind")
    assert last == {
        (region.pk, 2025, ReminderKind.UPCOMING): date(2026, 3, 24),
        (region.pk, 2025, ReminderKind.OVERDUE): date(2026, 4, 8),
    }


def test_recipients_are_ordered_by_address_and_the_rest_named():
    class U:
        def __init__(self, username, email):
            self.username, self.email = username, email

    recipients, skipped = split_recipients([U("b", "b@x.cn"), U("n", ""), U("a", "a@x.cn")])
    assert [u.username for u in recipients] == ["a", "b"]
    assert skipped == ["n"]


def test_the_reminder_mechanism_imports_no_portal_app():
    """Core is the lowest layer (shared/DESIGN.md): what it needs comes in as arguments."""
    source = Path(__file__).resolve().parents[2] / "apps/core/reminders.py"
    modules = set()
    for node in ast.walk(ast.parse(source.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    assert not {m for m in modules if m.startswith("apps.") and not m.startswith("apps.core")}
