"""Reminder e-mails to regions that have not submitted their annual report.

Schedule (decided for issue 4 "a week before and after the deadline"):

- *Upcoming*: once, one week before the deadline (`BEFORE_DAYS`). If the daily run missed
  that day (worker down), the next run up to the deadline day sends it instead.
- *Overdue*: the day after the deadline, then every `OVERDUE_EVERY_DAYS` days while the
  report is still not submitted, for `OVERDUE_FOR_DAYS` days after the deadline (so a
  forgotten year does not mail people forever; the grid still shows it as overdue).

"Not submitted" means no report, or the report (revision 1, nothing approved yet) is a
draft or was returned for revision. Recipients are the region's own staff, those who may
edit its report (`Action.EDIT_OWN_REPORT`), active, with an e-mail address; staff without
one are skipped and named in the log. Regions without any staff account are counted and
logged, not recorded.

Every reminder is a `ReminderLog` row, inserted in the same transaction that sends the
mail: the unique constraint (region, year, sent_on) makes a second run the same day, or a
second worker at the same moment, send nothing. If the mail server fails, the transaction
rolls back and the next run tries again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.regions.models import Region
from apps.reports.models import Report, ReportStatus

from .models import ReminderKind, ReminderLog, ReportingDeadline

logger = logging.getLogger(__name__)

BEFORE_DAYS = 7
OVERDUE_EVERY_DAYS = 7
OVERDUE_FOR_DAYS = 56
DEFAULT_BASE_URL = "http://localhost:8000"

STATUS_TEXT = {
    # status → (Chinese, English) phrase completing "the report …"
    None: ("尚未开始填报", "has not been started"),
    ReportStatus.DRAFT: ("仍为草稿，尚未提交", "is still a draft and has not been submitted"),
    ReportStatus.RETURNED: ("已被退回修改，尚未重新提交", "was returned for revision and not resubmitted"),
}


# ---------------------------------------------------------------------------
# The schedule (pure)


def reminder_due(
    *, today: date, due_date: date, last_upcoming: date | None = None, last_overdue: date | None = None
) -> ReminderKind | None:
    """Which reminder a region that has not submitted should get today, if any.

    `last_upcoming` / `last_overdue`: the latest day each kind was sent for this region-year.
    Reminders sent for an earlier, since-moved deadline do not count.
    """
    window_start = due_date - timedelta(days=BEFORE_DAYS)
    if today < window_start:
        return None
    if today <= due_date:
        already = last_upcoming is not None and window_start <= last_upcoming <= due_date
        return None if already else ReminderKind.UPCOMING
    if (today - due_date).days > OVERDUE_FOR_DAYS:
        return None
    if last_overdue is None or last_overdue <= due_date:
        return ReminderKind.OVERDUE
    if (today - last_overdue).days >= OVERDUE_EVERY_DAYS:
        return ReminderKind.OVERDUE
    return None


# ---------------------------------------------------------------------------
# Who is due a reminder today


@dataclass(frozen=True)
class Due:
    region: Region
    year: int
    due_date: date
    kind: ReminderKind
    report_id: int | None
    status: str | None  # None: no report yet


def due_reminders(today: date) -> list[Due]:
    """Region-years that should be reminded today; a constant number of queries.

    Looks only at years whose deadline lies in a reminder window around today.
    """
    deadlines = {
        d.year: d.due_date
        for d in ReportingDeadline.objects.filter(
            due_date__gte=today - timedelta(days=OVERDUE_FOR_DAYS),
            due_date__lte=today + timedelta(days=BEFORE_DAYS),
        )
    }
    if not deadlines:
        return []
    years = list(deadlines)
    submitted: set[tuple[int, int]] = set()
    open_reports: dict[tuple[int, int], tuple[int, str]] = {}
    for report_id, region_id, year, status in Report.objects.filter(year__in=years).values_list(
        "id", "region_id", "year", "status"
    ):
        if status in (ReportStatus.SUBMITTED, ReportStatus.FORWARDED, ReportStatus.APPROVED):
            submitted.add((region_id, year))
        else:
            open_reports[(region_id, year)] = (report_id, status)
    last: dict[tuple[int, int, str], date] = {
        (row["region_id"], row["year"], row["kind"]): row["last"]
        for row in ReminderLog.objects.filter(year__in=years)
        .order_by()
        .values("region_id", "year", "kind")
        .annotate(last=Max("sent_on"))
    }
    result = []
    for region in Region.objects.order_by("path"):
        for year, due_date in sorted(deadlines.items()):
            key = (region.pk, year)
            if key in submitted:
                continue
            kind = reminder_due(
                today=today,
                due_date=due_date,
                last_upcoming=last.get((region.pk, year, ReminderKind.UPCOMING)),
                last_overdue=last.get((region.pk, year, ReminderKind.OVERDUE)),
            )
            if kind is None:
                continue
            report_id, status = open_reports.get(key, (None, None))
            result.append(Due(region, year, due_date, kind, report_id, status))
    return result


def staff_by_region(region_ids) -> dict[int, list]:
    """Active users who may edit each region's report (the region's own staff); one query."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, region_id__in=list(region_ids))
        .select_related("region")
        .order_by("username")
    )
    result: dict[int, list] = defaultdict(list)
    for user in users:
        if not scoping.is_admin(user) and scoping.can(user, Action.EDIT_OWN_REPORT, region=user.region):
            result[user.region_id].append(user)
    return result


# ---------------------------------------------------------------------------
# The e-mail


def base_url() -> str:
    return (getattr(settings, "PORTAL_BASE_URL", "") or DEFAULT_BASE_URL).rstrip("/")


def report_link(item: Due) -> str:
    """Where the recipient acts: the open report, else their region's reports page (to start it)."""
    if item.report_id:
        path = reverse("reports:detail", args=[item.report_id])
    else:
        try:
            path = f"{reverse('reports:mine')}?{urlencode({'year': item.year})}"
        except NoReverseMatch:
            path = f"{reverse('completeness:grid')}?{urlencode({'years': item.year})}"
    return f"{base_url()}{path}"


def build_message(item: Due, user, *, today: date, connection=None) -> EmailMessage:
    status_zh, status_en = STATUS_TEXT.get(item.status, STATUS_TEXT[None])
    context = {
        "user": user,
        "name": user.get_full_name() or user.username,
        "region": item.region,
        "year": item.year,
        "due_date": item.due_date.isoformat(),
        "kind": item.kind,
        "days_left": (item.due_date - today).days,
        "days_overdue": (today - item.due_date).days,
        "status_zh": status_zh,
        "status_en": status_en,
        "url": report_link(item),
    }
    subject = " ".join(render_to_string("completeness/email/reminder_subject.txt", context).split())
    body = render_to_string("completeness/email/reminder_body.txt", context)
    return EmailMessage(subject, body, to=[user.email], connection=connection)


# ---------------------------------------------------------------------------
# Sending


@dataclass
class ReminderResult:
    today: date
    reminded: int = 0  # region-years reminded (a ReminderLog each)
    emails: int = 0  # messages sent
    already_sent: int = 0  # region-years another run reminded today
    no_staff: int = 0  # region-years whose region has no staff account
    skipped_users: int = 0  # staff without an e-mail address
    failed: int = 0  # region-years whose mail could not be sent (retried next run)
    items: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        return data


def send_due_reminders(*, today: date | None = None, dry_run: bool = False) -> ReminderResult:
    """Send today's reminders; safe to run any number of times a day, by any number of workers."""
    today = today or timezone.localdate()
    result = ReminderResult(today=today)
    items = due_reminders(today)
    staff = staff_by_region({item.region.pk for item in items})
    connection = None if dry_run else get_connection()
    for item in items:
        users = staff.get(item.region.pk, [])
        recipients = sorted((u for u in users if u.email), key=lambda u: u.email)
        skipped = [u.username for u in users if not u.email]
        summary = {
            "region": item.region.code,
            "year": item.year,
            "kind": str(item.kind),
            "recipients": [u.email for u in recipients],
            "skipped": skipped,
        }
        if not users:
            result.no_staff += 1
            logger.debug("report reminder: %s %s has no staff account", item.region.code, item.year)
            continue
        if skipped:
            logger.warning(
                "report reminder: %s %s: staff without an e-mail address skipped: %s",
                item.region.code,
                item.year,
                ", ".join(skipped),
            )
        if dry_run:
            result.items.append(summary)
            continue
        try:
            with transaction.atomic():
                ReminderLog.objects.create(
                    region=item.region,
                    year=item.year,
                    kind=item.kind,
                    due_date=item.due_date,
                    report_id=item.report_id,
                    recipients=summary["recipients"],
                    skipped=skipped,
                    sent_on=today,
                )
                messages = [build_message(item, u, today=today, connection=connection) for u in recipients]
                sent = connection.send_messages(messages) if messages else 0
        except IntegrityError:
            result.already_sent += 1  # another run reminded this region-year today
            continue
        except Exception:  # the mail server: nothing recorded, the next run retries
            result.failed += 1
            logger.exception("report reminder: sending failed for %s %s", item.region.code, item.year)
            continue
        result.reminded += 1
        result.emails += sent or 0
        result.skipped_users += len(skipped)
        result.items.append(summary)
    logger.info(
        "report reminders %s: %d reminded, %d e-mails, %d already sent, %d failed",
        today.isoformat(),
        result.reminded,
        result.emails,
        result.already_sent,
        result.failed,
    )
    return result
