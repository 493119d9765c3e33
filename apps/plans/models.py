"""Sector carbon-peak plans (decision §三): a plan per key sector and region, with its peak
year, quantitative targets, and measures tracked through milestones and progress notes.

Every model keeps its full history (django-simple-history); writes go through
`services.py`, which checks permissions and records the acting user.
"""

from __future__ import annotations

import os
import uuid
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.attachments import PrivateStorage as CorePrivateStorage
from apps.core.conflicts import VersionedMixin

FIRST_YEAR, LAST_YEAR = 2020, 2060  # the decision's horizon: peak before 2030, neutrality before 2060
EARLIEST_BASELINE_YEAR = 2005


class PlanStatus(models.TextChoices):
    DRAFTING = "drafting", _("Drafting")
    IN_FORCE = "in_force", _("In force")
    REVISED = "revised", _("Revised")


# Allowed status changes: a draft is adopted; a plan in force is revised; a revision is adopted again.
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFTING: frozenset({PlanStatus.IN_FORCE}),
    PlanStatus.IN_FORCE: frozenset({PlanStatus.REVISED}),
    PlanStatus.REVISED: frozenset({PlanStatus.IN_FORCE}),
}


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", _("Done")


class SectorPlan(VersionedMixin, models.Model):
    """A sector's carbon-peak implementation plan at one region, led by one department."""

    scoping_department_field = "lead_department"  # scoping.restrict(..., Action.EDIT_PLANS)

    sector = models.ForeignKey(
        "organizations.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="plans"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="sector_plans"
    )
    lead_department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="led_plans",
    )
    title = models.CharField(_("title"), max_length=200)
    peak_year = models.PositiveSmallIntegerField(
        _("peak year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFTING
    )
    summary = models.TextField(_("summary"), blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts the saves of this row."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["region__path", "sector_id", "title"]
        verbose_name = _("sector peak plan")
        verbose_name_plural = _("sector peak plans")
        constraints = [
            models.UniqueConstraint(fields=["region", "sector", "title"], name="sector_plan_unique_title"),
            models.CheckConstraint(
                condition=models.Q(peak_year__gte=FIRST_YEAR, peak_year__lte=LAST_YEAR),
                name="sector_plan_peak_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("plans:plan-detail", args=[self.pk])


class PlanTarget(models.Model):
    """A quantitative target of a plan: a catalog indicator, or a named metric with its unit."""

    plan = models.ForeignKey(
        SectorPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_targets",
    )
    metric_name = models.CharField(
        _("metric"),
        max_length=120,
        blank=True,
        help_text=_("Only when the indicator catalog has no such indicator."),
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    target_year = models.PositiveSmallIntegerField(
        _("target year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    target_value = models.DecimalField(_("target value"), max_digits=18, decimal_places=4)
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(EARLIEST_BASELINE_YEAR), MaxValueValidator(LAST_YEAR)],
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "target_year", "id"]
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(indicator__isnull=False, metric_name="", unit="")
                    | (models.Q(indicator__isnull=True) & ~models.Q(metric_name="") & ~models.Q(unit=""))
                ),
                name="plan_target_indicator_xor_metric",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric_label} {self.target_year}: {self.target_value} {self.unit_label}"

    @property
    def metric_label(self) -> str:
        return self.indicator.name if self.indicator_id else self.metric_name

    @property
    def unit_label(self) -> str:
        return self.indicator.unit_label if self.indicator_id else self.unit

    @property
    def precision(self) -> int | None:
        """Decimals pages show: the catalog's for an indicator; a custom metric's as entered."""
        return self.indicator.precision if self.indicator_id else None


class Measure(VersionedMixin, models.Model):
    """A measure of a plan, carried out by a department in the plan's region or below it."""

    scoping_department_field = "responsible_department"  # restrict(..., region_field=RESPONSIBLE_REGION)

    plan = models.ForeignKey(
        SectorPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="measures"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible_department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="plan_measures",
    )
    start_date = models.DateField(_("start date"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.NOT_STARTED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts the saves of this row."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "due_date", "id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_date__gte=models.F("start_date")), name="measure_due_after_start"
            ),
            models.UniqueConstraint(fields=["plan", "title"], name="measure_unique_title_per_plan"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("plans:measure-detail", args=[self.pk])

    def is_overdue(self, today: date) -> bool:
        return measure_overdue(self.due_date, self.status, today)


class Milestone(models.Model):
    """A dated step of a measure; done when its completion date is set."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure_id", "due_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date) -> bool:
        return milestone_overdue(self.due_date, self.done_on, today)


def measure_overdue(due_date: date, status: str, today: date) -> bool:
    """Past its due date and not done (the status a department reports does not excuse it)."""
    return due_date < today and status != MeasureStatus.DONE


def milestone_overdue(due_date: date, done_on: date | None, today: date) -> bool:
    return due_date < today and done_on is None


@deconstructible
class PrivateStorage(CorePrivateStorage):
    """Attachments outside MEDIA_ROOT (never served as media) and without a URL: downloads go
    through the permission-checked view. Location: PLANS_PRIVATE_ROOT, else
    PRIVATE_FILES_ROOT/plans (the portal's private-files volume)."""

    def __init__(self):
        super().__init__("plans", "PLANS_PRIVATE_ROOT")


private_storage = PrivateStorage()


def attachment_path(instance: ProgressNote, filename: str) -> str:
    """A random stored name, so nothing about the file is guessable from its path."""
    ext = os.path.splitext(filename)[1].lower()
    return f"plans/notes/{uuid.uuid4().hex}{ext}"


class ProgressNote(models.Model):
    """A dated progress report on a measure, optionally with a file and a status change."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="progress_notes"
    )
    date = models.DateField(_("date"))
    text = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="plan_progress_notes",
    )
    attachment = models.FileField(
        _("attachment"), upload_to=attachment_path, storage=private_storage, blank=True, max_length=200
    )
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True)
    attachment_type = models.CharField(_("attachment type"), max_length=100, blank=True)
    attachment_size = models.PositiveIntegerField(_("attachment size (bytes)"), null=True, blank=True)
    status_from = models.CharField(
        _("status before"), max_length=12, choices=MeasureStatus.choices, blank=True
    )
    status_to = models.CharField(_("status after"), max_length=12, choices=MeasureStatus.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text="") | ~models.Q(status_to="") | ~models.Q(attachment=""),
                name="progress_note_not_empty",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.text[:40]}"

    @property
    def changes_status(self) -> bool:
        return bool(self.status_to) and self.status_to != self.status_from
