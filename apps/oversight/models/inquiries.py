"""Inquiries of a standing committee (shared/spec/oversight.md "Inquiries"): 询问, 专题询问 and
质询 put to the government or a department of the region whose congress puts them, their
answers with attachments, the timeline of every step, and the reminders of overdue ones.

An inquiry's region is the congress's region, which is also the addressee's: a congress
oversees the government of its own level (roles.md v1.1). Writes go through
`apps/oversight/inquiries.py`, which checks permissions and records the timeline.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.attachments import PrivateStorage
from apps.core.models import KIND_MAX_LENGTH, TimelineEvent
from apps.core.reminders import ReminderRecord
from apps.regions.models import RegionLevel

SUBJECT_MAX = 200


class InquiryKind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry (询问)")
    TOPIC = "topic", _("Special-topic inquiry (专题询问)")
    QUESTION = "question", _("Question motion (质询)")


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed as satisfactory")


class AnswerForm(models.TextChoices):
    """How a 质询 is answered, as the council of chairmen (主任会议) decides."""

    ORAL = "oral", _("Oral answer at a meeting")
    WRITTEN = "written", _("Written answer")


class SignatoryMinimum(models.Model):
    """The least number of joint signatories a 质询 needs at a level (oversight.md: kept as
    data, not constants, since the provinces' implementing regulations differ and change)."""

    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices, unique=True)
    minimum = models.PositiveSmallIntegerField(_("least signatories"), validators=[MinValueValidator(1)])
    basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["level"]
        verbose_name = _("least signatories of a question motion")
        verbose_name_plural = _("least signatories of question motions")
        constraints = [
            models.CheckConstraint(condition=models.Q(minimum__gte=1), name="signatory_minimum_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.minimum}"


class Inquiry(models.Model):
    """One inquiry of a standing committee to its region's government or one of its departments."""

    scoping_department_field = "department"  # scoping.restrict(..., READ_INQUIRIES) for department staff

    kind = models.CharField(_("kind"), max_length=10, choices=InquiryKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("congress"), on_delete=models.PROTECT, related_name="inquiries"
    )
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department addressed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inquiries",
        help_text=_("Empty: the inquiry is put to the region's people's government."),
    )
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX)
    question = models.TextField(_("question"))
    deadline = models.DateField(_("answer due"))
    status = models.CharField(
        _("status"), max_length=10, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )
    round = models.PositiveSmallIntegerField(
        _("round"), default=1, help_text=_("1 for the first question; each follow-up adds one.")
    )
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    signatories = models.JSONField(_("signatories"), default=list, blank=True)
    answer_form = models.CharField(_("form of answer"), max_length=10, choices=AnswerForm.choices, blank=True)
    # The anchor: what the inquiry is about, frozen as it was when put (apps/oversight/anchors.py).
    anchor_kind = models.CharField(_("about"), max_length=40, blank=True)
    anchor_ref = models.CharField(_("reference"), max_length=100, blank=True)
    anchor_label = models.CharField(_("about (as put)"), max_length=300, blank=True)
    anchor_data = models.JSONField(_("frozen anchor"), default=dict, blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("put by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("put at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("last answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        indexes = [
            models.Index(fields=["region", "status"], name="inquiry_region_status"),
            models.Index(fields=["department", "status"], name="inquiry_department_status"),
            models.Index(fields=["status", "deadline"], name="inquiry_status_deadline"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("oversight:inquiry-detail", args=[self.pk])

    @property
    def addressee_label(self) -> str:
        """The addressee by name: the department, else the region's people's government."""
        if self.department_id:
            return self.department.display_name
        return government_name(self.region)

    def is_overdue(self, today: date) -> bool:
        return inquiry_overdue(self.status, self.deadline, today)


def inquiry_overdue(status: str, deadline: date, today: date) -> bool:
    """Awaiting an answer after its deadline (an answered one waits for the member, not the addressee)."""
    return status == InquiryStatus.OPEN and deadline < today


def government_name(region) -> str:
    """'东湖区人民政府' / 'People's Government of 东湖区' (names, never codes)."""
    from django.utils import translation

    if translation.get_language() == "en":
        return f"People's Government of {region.name}"
    return f"{region.name}人民政府"


class InquiryAnswer(models.Model):
    """An answer of the addressee to one round of an inquiry (a 专题询问's handling report too)."""

    inquiry = models.ForeignKey(
        Inquiry, verbose_name=_("inquiry"), on_delete=models.CASCADE, related_name="answers"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    text = models.TextField(_("answer"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        ordering = ["inquiry", "created_at", "pk"]
        verbose_name = _("answer to an inquiry")
        verbose_name_plural = _("answers to inquiries")

    def __str__(self) -> str:
        return f"{self.inquiry_id} #{self.round}"


# Location: OVERSIGHT_PRIVATE_ROOT when set, else PRIVATE_FILES_ROOT/oversight (outside MEDIA_ROOT).
_private_storage = PrivateStorage("oversight", "OVERSIGHT_PRIVATE_ROOT")


def private_storage() -> PrivateStorage:
    return _private_storage


def attachment_upload_to(instance: InquiryAttachment, filename: str) -> str:
    # The stored name never comes from the user; the original name is kept in a field.
    return f"inquiries/{instance.answer.inquiry_id}/{instance.sha256[:16]}{instance.extension}"


class InquiryAttachment(models.Model):
    """A file of an answer (type checked by content: apps.core.files)."""

    answer = models.ForeignKey(
        InquiryAnswer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("file"), upload_to=attachment_upload_to, storage=private_storage, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(_("extension"), max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["answer", "pk"]
        verbose_name = _("attachment of an answer")
        verbose_name_plural = _("attachments of answers")

    def __str__(self) -> str:
        return self.original_name


class InquiryEventKind(models.TextChoices):
    PUT = "put", _("Put")
    FORM_DECIDED = "form_decided", _("Form of answer decided")
    ANSWERED = "answered", _("Answered")
    FOLLOW_UP = "follow_up", _("Follow-up asked")
    CLOSED = "closed", _("Closed as satisfactory")
    REMINDED = "reminded", _("Reminder sent")


class InquiryEvent(TimelineEvent):
    """The timeline of an inquiry: who did what, when (core.events)."""

    subject_field = "inquiry"

    inquiry = models.ForeignKey(
        Inquiry, verbose_name=_("inquiry"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=KIND_MAX_LENGTH, choices=InquiryEventKind.choices)

    class Meta:
        ordering = ["inquiry", "created_at", "pk"]
        verbose_name = _("inquiry event")
        verbose_name_plural = _("inquiry events")
        indexes = [models.Index(fields=["inquiry", "created_at"], name="inquiry_event_timeline")]


class InquiryReminder(ReminderRecord):
    """One reminder about one inquiry on one day (core.reminders: at most once a day)."""

    inquiry = models.ForeignKey(
        Inquiry, verbose_name=_("inquiry"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10)
    deadline = models.DateField(_("answer due"))

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("inquiry reminder")
        verbose_name_plural = _("inquiry reminders")
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "sent_on"], name="inquiry_reminder_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.inquiry_id} {self.kind} {self.sent_on.isoformat()}"
