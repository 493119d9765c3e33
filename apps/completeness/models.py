"""Reporting deadlines per year and the log of reminder e-mails (issue 4 item 5).

Moved out of the reports app (issue 9); the tables were renamed from `reports_*` by
migration 0001, which keeps existing rows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

__all__ = ["ReminderKind", "ReminderLog", "ReportingDeadline"]


class ReportingDeadline(models.Model):
    """The date by which every region must submit its annual report for `year`.

    One deadline per report year for the whole portal; provincial officials and
    administrators set it (see `services.py`), every change is kept
    in the history.
    """

    year = models.PositiveSmallIntegerField(
        _("report year"), unique=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    due_date = models.DateField(_("due date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("reporting deadline")
        verbose_name_plural = _("reporting deadlines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=1990, year__lte=2100), name="reporting_deadline_year_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.due_date.isoformat()}"


class ReminderKind(models.TextChoices):
    UPCOMING = "upcoming", _("Deadline in one week")
    OVERDUE = "overdue", _("Deadline passed")


class ReminderLog(models.Model):
    """One reminder about one region-year on one day: who got it, who could not.

    The unique constraint on (region, year, sent_on) is what makes "reminded at most once
    a day" hold even when two workers run the task at the same time: the reminder row
    is inserted before the e-mail leaves, in the same transaction.
    """

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("report year"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    due_date = models.DateField(_("due date"))
    report = models.ForeignKey(
        "reports.Report",
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    skipped = models.JSONField(
        _("staff without an e-mail address"), default=list, blank=True, help_text=_("User names.")
    )
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "sent_on"], name="reminder_once_a_day"),
        ]
        indexes = [models.Index(fields=["year", "region", "kind"], name="reminder_year_region_kind")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.kind} {self.sent_on.isoformat()}"
