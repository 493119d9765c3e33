"""Reminder e-mails: who gets them, when, sent once a day (service, Celery task, command)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.completeness import reminders, tasks
from apps.completeness.models import ReminderKind, ReminderLog, ReportingDeadline
from apps.regions.selectors import by_code
from apps.reports.models import Report
from carbon_portal.celery import app as celery_app
from tests.factories import user_with
from tests.xlsx import xlsx_table

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created with a password in every test; hash it cheaply (before `users` runs)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


YEAR = 2025
DUE = date(2026, 3, 31)
WEEK_BEFORE = DUE - timedelta(days=7)
DAY_AFTER = DUE + timedelta(days=1)


@pytest.fixture
def staff(db):
    """Staff with e-mail addresses in a few regions, and staff of other roles who must not be mailed."""
    ReportingDeadline.objects.create(year=YEAR, due_date=DUE)
    return {
        "donghu": user_with(Role.REGION_STAFF, "360102", email="donghu@example.cn", last_name="东湖填报员"),
        "donghu2": user_with(Role.REGION_STAFF, "360102", email="donghu2@example.cn"),
        "donghu_no_mail": user_with(Role.REGION_STAFF, "360102", username="nomail", email=""),
        "donghu_inactive": user_with(Role.REGION_STAFF, "360102", email="gone@example.cn", is_active=False),
        "xihu": user_with(Role.REGION_STAFF, "360103", email="xihu@example.cn"),
        "qingyunpu": user_with(Role.REGION_STAFF, "360104", email="qyp@example.cn"),
        "nanchang": user_with(Role.REGION_STAFF, "360100", email="nanchang@example.cn"),
        "dept": user_with(Role.DEPARTMENT_STAFF, "360102", department_kind="energy", email="dept@example.cn"),
        "province": user_with(Role.PROVINCIAL_OFFICIAL, "360000", email="province@example.cn"),
        "admin": user_with(Role.ADMINISTRATOR, email="admin@example.cn"),
    }


def report(code: str, status: str, *, year: int = YEAR, revision: int = 1) -> Report:
    return Report.objects.create(region=by_code(code), year=year, status=status, revision=revision)


def recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_a_week_before_the_deadline_regions_that_have_not_submitted_are_reminded(staff):
    report("360102", "draft")
    report("360103", "returned")
    report("360104", "submitted")
    report("360100", "approved")
    result = reminders.send_due_reminders(today=WEEK_BEFORE)
    assert recipients() == {"donghu@example.cn", "donghu2@example.cn", "xihu@example.cn"}
    assert result.emails == 3
    assert all(len(m.to) == 1 for m in mail.outbox)  # one message each: no one sees the others' address
    assert set(ReminderLog.objects.values_list("region__code", "kind")) == {
        ("360102", ReminderKind.UPCOMING),
        ("360103", ReminderKind.UPCOMING),
    }


def test_forwarded_reports_count_as_submitted(staff):
    report("360102", "forwarded")
    reminders.send_due_reminders(today=WEEK_BEFORE)
    assert "donghu@example.cn" not in recipients()


def test_regions_without_a_report_are_reminded_too(staff):
    reminders.send_due_reminders(today=WEEK_BEFORE)
    assert "qyp@example.cn" in recipients() and "nanchang@example.cn" in recipients()


def test_only_the_regions_own_active_staff_get_the_reminder(staff):
    reminders.send_due_reminders(today=WEEK_BEFORE)
    got = recipients()
    assert not got & {"gone@example.cn", "dept@example.cn", "province@example.cn", "admin@example.cn"}


def test_staff_without_an_e_mail_address_are_skipped_and_recorded(staff, caplog):
    result = reminders.send_due_reminders(today=WEEK_BEFORE)
    log = ReminderLog.objects.get(region__code="360102", year=YEAR)
    assert log.skipped == ["nomail"]
    assert sorted(log.recipients) == ["donghu2@example.cn", "donghu@example.cn"]
    assert result.skipped_users == 1
    assert "nomail" in caplog.text


def test_an_approved_report_under_correction_is_not_reminded(staff):
    report("360102", "approved")
    report("360102", "draft", revision=2)
    reminders.send_due_reminders(today=DAY_AFTER)
    assert "donghu@example.cn" not in recipients()


def test_nothing_is_sent_before_the_reminder_window_or_without_a_deadline(staff):
    reminders.send_due_reminders(today=WEEK_BEFORE - timedelta(days=1))
    ReportingDeadline.objects.all().delete()
    reminders.send_due_reminders(today=WEEK_BEFORE)
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_running_twice_the_same_day_sends_nothing_the_second_time(staff):
    first = reminders.send_due_reminders(today=WEEK_BEFORE)
    sent = len(mail.outbox)
    second = reminders.send_due_reminders(today=WEEK_BEFORE)
    assert sent > 0 and first.reminded > 0
    assert len(mail.outbox) == sent
    assert (second.reminded, second.emails) == (0, 0)


def test_the_unique_constraint_stops_a_concurrent_second_sender(staff, monkeypatch):
    # A second worker that decided before the first one recorded its reminder still sends nothing.
    decided = reminders.due_reminders(WEEK_BEFORE)
    reminders.send_due_reminders(today=WEEK_BEFORE)
    sent = len(mail.outbox)
    monkeypatch.setattr(reminders, "due_reminders", lambda today: decided)
    late = reminders.send_due_reminders(today=WEEK_BEFORE)
    assert len(mail.outbox) == sent
    assert late.already_sent == 4  # the four regions with staff
    assert late.reminded == 0


def test_after_the_deadline_an_overdue_reminder_then_weekly(staff):
    report("360102", "draft")
    reminders.send_due_reminders(today=WEEK_BEFORE)
    mail.outbox.clear()
    reminders.send_due_reminders(today=DAY_AFTER)
    assert "donghu@example.cn" in recipients()
    assert "逾期" in next(m.subject for m in mail.outbox if m.to == ["donghu@example.cn"])
    mail.outbox.clear()
    for offset in range(2, 8):
        reminders.send_due_reminders(today=DUE + timedelta(days=offset))
    assert mail.outbox == []
    reminders.send_due_reminders(today=DUE + timedelta(days=8))
    assert "donghu@example.cn" in recipients()
    kinds = list(
        ReminderLog.objects.filter(region__code="360102").order_by("sent_on").values_list("kind", "sent_on")
    )
    assert kinds == [
        (ReminderKind.UPCOMING, WEEK_BEFORE),
        (ReminderKind.OVERDUE, DAY_AFTER),
        (ReminderKind.OVERDUE, DUE + timedelta(days=8)),
    ]


def test_a_region_that_submits_is_no_longer_reminded(staff):
    draft = report("360102", "draft")
    reminders.send_due_reminders(today=WEEK_BEFORE)
    Report.objects.filter(pk=draft.pk).update(status="submitted")
    mail.outbox.clear()
    reminders.send_due_reminders(today=DAY_AFTER)
    assert "donghu@example.cn" not in recipients()


def test_the_e_mail_names_region_year_deadline_and_link_in_chinese_and_english(staff, settings):
    settings.PORTAL_BASE_URL = "https://carbon.example.cn"
    draft = report("360102", "draft")
    reminders.send_due_reminders(today=WEEK_BEFORE)
    message = next(m for m in mail.outbox if m.to == ["donghu@example.cn"])
    assert "东湖区" in message.subject and "2025" in message.subject and "2026-03-31" in message.subject
    body = message.body
    assert "东湖填报员，您好" in body and "Dear 东湖填报员" in body
    assert "东湖区（360102）2025 年度" in body and "2026-03-31" in body and "还有 7 天" in body
    assert "in 7 days" in body and "is still a draft" in body
    assert f"https://carbon.example.cn{draft.get_absolute_url()}" in body
    assert "&amp;" not in body and "&#x27;" not in body  # plain text, not HTML-escaped


def test_the_e_mail_for_a_region_without_a_report_links_to_where_it_starts(staff, settings):
    settings.PORTAL_BASE_URL = "https://carbon.example.cn"
    reminders.send_due_reminders(today=DAY_AFTER)
    message = next(m for m in mail.outbox if m.to == ["qyp@example.cn"])
    assert "has not been started" in message.body
    assert "https://carbon.example.cn/reports/mine/?year=2025" in message.body
    assert "1 day ago" in message.body


def test_a_failing_mail_server_records_nothing_so_the_next_run_retries(staff, monkeypatch):
    class Broken:
        def send_messages(self, messages):
            raise OSError("connection refused")

    monkeypatch.setattr(reminders, "get_connection", lambda: Broken())
    result = reminders.send_due_reminders(today=WEEK_BEFORE)
    assert result.failed > 0 and result.reminded == 0
    assert not ReminderLog.objects.exists()
    monkeypatch.undo()
    assert reminders.send_due_reminders(today=WEEK_BEFORE).reminded == result.failed


def test_regions_without_staff_are_counted_not_recorded(staff):
    result = reminders.send_due_reminders(today=WEEK_BEFORE)
    assert result.no_staff == 112 - 4  # every region but the four with staff
    assert ReminderLog.objects.count() == 4


def test_due_reminders_costs_a_constant_number_of_queries(staff, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        due = reminders.due_reminders(WEEK_BEFORE)
    assert len(due) == 112


# --- entry points ----------------------------------------------------------------------------------


def test_the_celery_task_sends_once_a_day(staff):
    first = tasks.send_report_reminders.apply(kwargs={"today": WEEK_BEFORE.isoformat()}).get()
    second = tasks.send_report_reminders.apply(kwargs={"today": WEEK_BEFORE.isoformat()}).get()
    assert first["reminded"] == 4 and first["emails"] == 5
    assert (second["reminded"], second["emails"]) == (0, 0)
    assert len(mail.outbox) == 5


def test_the_celery_task_through_delay_with_eager_execution(staff):
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    try:
        result = tasks.send_report_reminders.delay(today=DAY_AFTER.isoformat()).get()
        again = tasks.send_report_reminders.delay(today=DAY_AFTER.isoformat()).get()
    finally:
        celery_app.conf.update(task_always_eager=saved[0], task_eager_propagates=saved[1])
    assert result["reminded"] == 4
    assert again["emails"] == 0
    assert len(mail.outbox) == 5


def test_the_task_is_scheduled_daily_in_beat(settings):
    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.send_report_reminders.name
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert schedule.hour == {8} and schedule.day_of_week == set(range(7))


def test_the_command_sends_for_a_given_date_once(staff, capsys):
    call_command("send_report_reminders", "--date", WEEK_BEFORE.isoformat())
    out = capsys.readouterr().out
    assert "360102 2025 upcoming: donghu2@example.cn, donghu@example.cn (no e-mail address: nomail)" in out
    assert "5 e-mails sent" in out
    call_command("send_report_reminders", "--date", WEEK_BEFORE.isoformat())
    assert "0 e-mails sent" in capsys.readouterr().out
    assert len(mail.outbox) == 5


def test_the_command_dry_run_sends_and_records_nothing(staff, capsys):
    call_command("send_report_reminders", "--date", WEEK_BEFORE.isoformat(), "--dry-run")
    assert "would remind 4 region-years" in capsys.readouterr().out
    assert mail.outbox == [] and not ReminderLog.objects.exists()


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--date"):
        call_command("send_report_reminders", "--date", "31.03.2026")


# --- the reminder log (UI and API) -------------------------------------------------------------------


def test_the_reminder_log_page_lists_reminders_for_provincial_officials(client, staff):
    reminders.send_due_reminders(today=WEEK_BEFORE)
    client.force_login(staff["province"])
    client.cookies["django_language"] = "en"
    response = client.get("/reports/reminders/", {"region": "360102"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "donghu@example.cn" in text and "nomail" in text
    assert "xihu@example.cn" not in text  # filtered to Donghu


def test_the_reminder_log_exports_xlsx(client, staff):
    reminders.send_due_reminders(today=WEEK_BEFORE)
    client.force_login(staff["admin"])
    response = client.get("/reports/reminders/", {"year": "2025", "format": "xlsx"})
    assert response.status_code == 200
    header, rows = xlsx_table(response.content)
    assert header[:3] == ["Sent at", "Region", "Region code"]
    assert {row[2] for row in rows} == {
        "360100",
        "360102",
        "360103",
        "360104",
    }


def test_the_reminder_log_is_refused_to_region_staff(client, staff):
    client.force_login(staff["donghu"])
    assert client.get("/reports/reminders/").status_code == 403


def test_the_reminder_log_api_for_editors_only(staff):
    reminders.send_due_reminders(today=WEEK_BEFORE)
    api = APIClient()
    api.force_authenticate(staff["province"])
    data = api.get("/api/v1/reports/reminders/", {"region": "360102", "kind": "upcoming"}).json()
    assert data["count"] == 1
    assert data["results"][0]["skipped"] == ["nomail"]
    api.force_authenticate(staff["nanchang"])
    assert api.get("/api/v1/reports/reminders/").status_code == 403
