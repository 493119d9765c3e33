"""The reminder schedule (pure): one week before, then after the deadline, at most weekly."""

from datetime import date, timedelta

import pytest

from apps.completeness.models import ReminderKind
from apps.completeness.reminders import BEFORE_DAYS, OVERDUE_EVERY_DAYS, OVERDUE_FOR_DAYS, reminder_due

DUE = date(2026, 3, 31)


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def test_nothing_before_the_week_before_the_deadline():
    assert reminder_due(today=day(-BEFORE_DAYS - 1), due_date=DUE) is None


def test_upcoming_reminder_one_week_before_the_deadline():
    assert reminder_due(today=day(-BEFORE_DAYS), due_date=DUE) == ReminderKind.UPCOMING


def test_upcoming_reminder_is_sent_once():
    assert reminder_due(today=day(-3), due_date=DUE, last_upcoming=day(-BEFORE_DAYS)) is None
    assert reminder_due(today=DUE, due_date=DUE, last_upcoming=day(-BEFORE_DAYS)) is None


def test_a_missed_upcoming_reminder_is_caught_up_until_the_deadline_day():
    assert reminder_due(today=day(-2), due_date=DUE) == ReminderKind.UPCOMING
    assert reminder_due(today=DUE, due_date=DUE) == ReminderKind.UPCOMING


def test_an_upcoming_reminder_for_a_since_moved_deadline_does_not_count():
    moved = day(30)
    assert reminder_due(today=moved - timedelta(days=7), due_date=moved, last_upcoming=day(-7)) == (
        ReminderKind.UPCOMING
    )


def test_overdue_reminder_the_day_after_the_deadline():
    assert reminder_due(today=day(1), due_date=DUE, last_upcoming=day(-7)) == ReminderKind.OVERDUE


def test_overdue_reminders_repeat_weekly_not_daily():
    assert reminder_due(today=day(2), due_date=DUE, last_overdue=day(1)) is None
    assert reminder_due(today=day(1 + OVERDUE_EVERY_DAYS - 1), due_date=DUE, last_overdue=day(1)) is None
    assert reminder_due(today=day(1 + OVERDUE_EVERY_DAYS), due_date=DUE, last_overdue=day(1)) == (
        ReminderKind.OVERDUE
    )


def test_overdue_reminders_stop_after_the_overdue_period():
    assert reminder_due(today=day(OVERDUE_FOR_DAYS), due_date=DUE) == ReminderKind.OVERDUE
    assert reminder_due(today=day(OVERDUE_FOR_DAYS + 1), due_date=DUE) is None


@pytest.mark.parametrize("offset", range(-10, OVERDUE_FOR_DAYS + 5))
def test_following_the_schedule_day_by_day_never_sends_two_in_a_week_after_the_deadline(offset):
    # Replay every day from 10 days before up to `offset`, as the daily task would.
    last = {ReminderKind.UPCOMING: None, ReminderKind.OVERDUE: None}
    sent = []
    for d in range(-10, offset + 1):
        kind = reminder_due(
            today=day(d),
            due_date=DUE,
            last_upcoming=last[ReminderKind.UPCOMING],
            last_overdue=last[ReminderKind.OVERDUE],
        )
        if kind:
            last[kind] = day(d)
            sent.append((d, kind))
    assert [d for d, k in sent if k == ReminderKind.UPCOMING] == ([-7] if offset >= -7 else [])
    overdue_days = [d for d, k in sent if k == ReminderKind.OVERDUE]
    assert overdue_days == [d for d in range(1, min(offset, OVERDUE_FOR_DAYS) + 1) if (d - 1) % 7 == 0]
