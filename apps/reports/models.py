"""Annual progress reports: one per region and year, with revisions, values, sections, attachments, events.

A report row is one *revision* of the region-year report. Revision 1 is the first
report; a correction of an approved revision opens revision n+1 (copying values,
sections and attachments) which goes through the workflow again. An approved
revision is never changed; it stays in force until a later revision is approved
(see selectors.approved_values). At most one revision per region-year is open
(not yet approved) at any time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.attachments import PrivateStorage
from apps.core.conflicts import VersionedMixin
from apps.core.models import KIND_MAX_LENGTH, TimelineEvent


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    FORWARDED = "forwarded", _("Forwarded to the province")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")


# States in which the region's staff may edit the report.
EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)
# States readable only by the region's own staff (roles.md: drafts are private).
PRIVATE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


class SectionArea(models.TextChoices):
    """Narrative sections: the task areas of the decision (shared/spec/decision.txt 三–七)."""

    INDUSTRY = "industry", _("Industrial restructuring")
    ENERGY = "energy", _("Energy system")
    TRANSPORT = "transport", _("Transport")
    URBAN_RURAL = "urban_rural", _("Urban-rural construction")
    TECHNOLOGY = "technology", _("Green and low-carbon technology")
    CARBON_SINKS = "carbon_sinks", _("Carbon sinks")
    POLICY = "policy", _("Policy support (finance, pricing, trading)")
    STATISTICS = "statistics", _("Statistics and monitoring")
    PUBLICITY = "publicity", _("Publicity and education")
    PARTICIPATION = "participation", _("Public participation")


class Report(VersionedMixin, models.Model):
    """One revision of a region's annual progress report for a year."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    previous = models.OneToOneField(
        "self",
        verbose_name=_("corrects revision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_revision",
    )
    revision_reason = models.TextField(_("reason for the revision"), blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    # The reason of the latest return, shown on the form until the report is submitted again.
    return_reason = models.TextField(_("reason for return"), blank=True)
    return_field_reasons = models.JSONField(_("reasons per field"), default=dict, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts the saves of this row."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "region__path", "-revision"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "revision"], name="report_region_year_revision"
            ),
            # Only one revision of a region-year may be under way (not yet approved).
            models.UniqueConstraint(
                fields=["region", "year"],
                condition=~Q(status="approved"),
                name="report_one_open_revision",
            ),
            models.CheckConstraint(condition=Q(year__gte=1990, year__lte=2100), name="report_year_range"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="report_revision_positive"),
        ]
        indexes = [
            # approved_values(): latest approved revision per region-year.
            models.Index(fields=["status", "region", "year", "revision"], name="report_status_region_year"),
            models.Index(fields=["year", "status"], name="report_year_status"),
        ]

    def __str__(self) -> str:
        suffix = f" r{self.revision}" if self.revision > 1 else ""
        return f"{self.region.name} {self.year}{suffix}"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_approved(self) -> bool:
        return self.status == ReportStatus.APPROVED


class ReportValue(models.Model):
    """One indicator's value in a report revision, in the indicator's unit, with an optional note."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(
        "indicators.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "indicator__order", "indicator__code"]
        verbose_name = _("report value")
        verbose_name_plural = _("report values")
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="report_value_unique")]

    def __str__(self) -> str:
        return f"{self.report} {self.indicator.code}={self.value}"


class ReportSection(models.Model):
    """The narrative of one task area in a report revision."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="sections"
    )
    area = models.CharField(_("task area"), max_length=20, choices=SectionArea.choices)
    text = models.TextField(_("text"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "area"]
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        constraints = [models.UniqueConstraint(fields=["report", "area"], name="report_section_unique")]

    def __str__(self) -> str:
        return f"{self.report} {self.area}"


# Location: REPORTS_PRIVATE_ROOT when set, else PRIVATE_FILES_ROOT/reports (outside MEDIA_ROOT,
# so no media server ever serves them; a volume of its own in production).
_private_storage = PrivateStorage("reports", "REPORTS_PRIVATE_ROOT")


def private_storage() -> PrivateStorage:
    return _private_storage


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # The stored name never comes from the user; the original name is kept in a field.
    report = instance.report
    return f"reports/{report.region.code}/{report.year}/{instance.sha256[:16]}{instance.extension}"


class Attachment(models.Model):
    """A supporting document of a report revision (type checked by content; see services)."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("file"), upload_to=attachment_upload_to, storage=private_storage, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200)
    description = models.CharField(_("description"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(_("extension"), max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["report", "uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    SAVED = "saved", _("Saved")
    SUBMITTED = "submitted", _("Submitted")
    FORWARDED = "forwarded", _("Forwarded to the province")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")
    REVISION_OPENED = "revision_opened", _("Revision opened")
    IMPORTED = "imported", _("Values imported")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    ATTACHMENT_REMOVED = "attachment_removed", _("Attachment removed")


class ReportEvent(TimelineEvent):
    """The timeline of a report revision: who did what, when and why (core.events)."""

    subject_field = "report"

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=KIND_MAX_LENGTH, choices=EventKind.choices)
    field_reasons = models.JSONField(_("reasons per field"), default=dict, blank=True)

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        indexes = [models.Index(fields=["report", "created_at"], name="report_event_timeline")]

    def __str__(self) -> str:
        return f"{self.report} {self.kind}"
