"""Tips (举报) from the public: what was reported, where, to whom it is routed, its timeline.

A tip is filed without an account and known to the public only by its tracking number
(`apps.disclosure.tracking`); the public sees its status and, once published, the reply — never
the description, the attachments, the department or the contact. Staff read tips in their
scope (`apps.accounts.scoping`: TRIAGE_TIPS by region, ANSWER_TIPS by the routed department).
No address, session or browser detail of the person who filed it is stored.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from apps.core.attachments import PrivateStorage as CorePrivateStorage
from apps.core.models import TimelineEvent
from apps.core.reminders import ReminderRecord

from .. import tracking

DESCRIPTION_MAX = 5000
CONTACT_MAX = 200
REPLY_MAX = 5000


class TipCategory(models.TextChoices):
    STATISTICS = "statistics", _("False statistics")
    PROJECT = "project", _("Illegal energy-intensive, high-emission (两高) project")
    ENERGY_SAVING = "energy_saving", _("Energy-saving violation")
    EMISSIONS = "emissions", _("Illegal emissions")
    OTHER = "other", _("Other")


class TipStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    INVESTIGATING = "investigating", _("Under investigation")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (TipStatus.RECEIVED, TipStatus.ASSIGNED, TipStatus.INVESTIGATING)


class Tip(models.Model):
    """One tip: category, region, optional references, the description, the handling and reply."""

    scoping_department_field = "department"  # scoping.restrict(..., Action.ANSWER_TIPS)

    tracking_number = models.CharField(
        _("tracking number"), max_length=tracking.LENGTH, unique=True, default=tracking.new_number
    )
    category = models.CharField(_("category"), max_length=16, choices=TipCategory.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="tips"
    )
    # A figure the tip is about (a region, year and metric of the monitoring catalog).
    figure_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("figure's region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    figure_year = models.PositiveSmallIntegerField(_("figure's year"), null=True, blank=True)
    figure_metric = models.CharField(_("figure's metric"), max_length=64, blank=True)
    measure = models.ForeignKey(
        "plans.Measure",
        verbose_name=_("sector plan measure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tips",
    )
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    contact = models.CharField(_("contact"), max_length=CONTACT_MAX, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TipStatus.choices, default=TipStatus.RECEIVED, db_index=True
    )
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tips",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    due_on = models.DateField(_("answer due on"))
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reply = models.TextField(_("reply"), max_length=REPLY_MAX, blank=True)
    reply_published_at = models.DateTimeField(_("reply published at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        indexes = [models.Index(fields=["status", "due_on"], name="tip_status_due")]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return tracking.display(self.tracking_number)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        """Not answered (nor closed) after the answer's due day."""
        return self.is_open and (today or timezone.localdate()) > self.due_on

    @property
    def published_reply(self) -> str:
        return self.reply if self.reply_published_at else ""

    @property
    def figure_label(self) -> str:
        if not self.figure_metric:
            return ""
        code = self.figure_region.code if self.figure_region_id else ""
        return f"{code} · {self.figure_year} · {self.figure_metric}"


@deconstructible
class PrivateStorage(CorePrivateStorage):
    """Tip attachments outside MEDIA_ROOT and without a URL: only staff handling the tip download
    them through a permission-checked view. TIPS_PRIVATE_ROOT, else PRIVATE_FILES_ROOT/tips."""

    def __init__(self):
        super().__init__("tips", "TIPS_PRIVATE_ROOT")


private_storage = PrivateStorage()


def attachment_path(instance: TipAttachment, filename: str) -> str:
    """A random stored name: nothing about the file or the tip is guessable from its path."""
    return f"tips/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class TipAttachment(models.Model):
    """A file sent with a tip, accepted by its content (apps.core.files) and kept private."""

    tip = models.ForeignKey(Tip, verbose_name=_("tip"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), storage=private_storage, upload_to=attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("tip attachment")
        verbose_name_plural = _("tip attachments")

    def __str__(self) -> str:
        return self.name


class TipEventKind(models.TextChoices):
    FILED = "filed", _("Filed")
    ROUTED = "routed", _("Routed to a department")
    INVESTIGATING = "investigating", _("Investigation started")
    NOTE = "note", _("Note")
    ANSWERED = "answered", _("Answered")
    REPLY_PUBLISHED = "reply_published", _("Reply published")
    CLOSED = "closed", _("Closed")
    REMINDED = "reminded", _("Reminder sent")


class TipEvent(TimelineEvent):
    """One step of a tip's handling (staff only; the public sees the status alone)."""

    subject_field = "tip"

    tip = models.ForeignKey(Tip, verbose_name=_("tip"), on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("tip event")
        verbose_name_plural = _("tip events")


class TipReminder(ReminderRecord):
    """A reminder about a tip whose answer is due soon or overdue: at most one per tip and day."""

    tip = models.ForeignKey(Tip, verbose_name=_("tip"), on_delete=models.CASCADE, related_name="reminders")

    class Meta:
        verbose_name = _("tip reminder")
        verbose_name_plural = _("tip reminders")
        constraints = [models.UniqueConstraint(fields=["tip", "sent_on"], name="tip_reminder_once_a_day")]
