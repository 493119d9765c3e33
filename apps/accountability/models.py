"""The accountability ledger: candidates by rule, decisions (通报/约谈), notices, interviews and
rectification (整改) tasks; thresholds and the notice template, both data an administrator edits.
"""

from __future__ import annotations

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.attachments import PrivateStorage
from apps.core.models import KIND_MAX_LENGTH, TimelineEvent
from apps.core.reminders import ReminderRecord

from .rules import Rule

RULE_LABELS = {
    Rule.PROGRESS_RED: _("Progress warning of the graded target red"),
    Rule.TOTAL_RED: _("Total energy warning red"),
    Rule.RED_TWICE: _("Same warning red two years running"),
    Rule.FINAL_NOT_COMPLETED: _("Final grade: not completed"),
    Rule.PROVISIONAL_NOT_COMPLETED: _("Provisional grade: not completed (shown, not a candidate)"),
    Rule.MEASURES_OVERDUE: _("Measures overdue"),
    Rule.CAMPAIGN_INTENSITY: _("Campaign-style cut: intensity fell far faster than required"),
    Rule.CAMPAIGN_ENERGY_FALL: _("Campaign-style cut: energy use fell while the economy grew fast"),
}


class Threshold(models.Model):
    """One threshold of the candidate rules (data, not constants; history kept)."""

    OVERDUE_DAYS = "overdue_days"
    CAMPAIGN_MULTIPLE = "campaign_multiple"
    CAMPAIGN_GDP_INDEX = "campaign_gdp_index"
    RECTIFICATION_DAYS = "rectification_days"
    CODES = (OVERDUE_DAYS, CAMPAIGN_MULTIPLE, CAMPAIGN_GDP_INDEX, RECTIFICATION_DAYS)

    code = models.CharField(_("code"), max_length=40, unique=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4)
    description = models.CharField(_("description"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("accountability threshold")
        verbose_name_plural = _("accountability thresholds")

    def __str__(self) -> str:
        return f"{self.code} = {self.value}"

    def clean(self):
        if self.code not in self.CODES:
            raise ValidationError({"code": _("Unknown threshold %(code)s.") % {"code": self.code}})
        if self.value is not None and self.value <= 0:
            raise ValidationError({"value": _("A threshold is above zero.")})


#: The fields a notice template may use ($name), each filled from the candidate's figures.
NOTICE_FIELDS = {
    "region": _("name of the region (or department) concerned"),
    "region_code": _("the region's code"),
    "year": _("the year assessed"),
    "rule": _("the rule that made it a candidate"),
    "findings": _("the figures: which target or warning, by how much"),
    "warnings": _("the warnings of the year"),
    "overdue_measures": _("the overdue measures, one a line"),
    "required": _("what is required: rectify and report by the deadline"),
    "deadline": _("the rectification deadline"),
    "issuer": _("who issues the notice"),
    "data_version": _("the data version of the figures"),
    "date": _("the date of the notice"),
}


def template_problems(body: str) -> list[str]:
    """What is wrong with a notice template's text: unknown fields (named) and bad placeholders."""
    template = string.Template(body or "")
    problems = []
    if not template.is_valid():
        problems.append(str(_("A $ not followed by a field name (write $$ for a dollar sign).")))
    unknown = sorted({name for name in template.get_identifiers() if name not in NOTICE_FIELDS})
    for name in unknown:
        problems.append(str(_("Unknown field $%(name)s.") % {"name": name}))
    return problems


class NoticeTemplate(models.Model):
    """The text a 通报 is drafted from: `string.Template` with the fields of NOTICE_FIELDS.

    A template naming an unknown field is refused when it is saved (admin or code), never at
    drafting. The active template with the highest id drafts new notices."""

    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-active", "-pk"]
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.full_clean()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        for name, text in (("title", self.title), ("body", self.body)):
            problems = template_problems(text)
            if problems:
                errors[name] = problems
        if errors:
            raise ValidationError(errors)


class Candidate(models.Model):
    """A region (or a department) that one rule names for one year, with the figures it used.

    Refreshed after every recompute run (`candidates.refresh`), stored with that data version.
    A candidate no longer met is deleted unless decided; a decided one keeps the figures it was
    decided on (`still_met` says whether the last refresh found it again).
    """

    key = models.CharField(_("key"), max_length=120, unique=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    rule = models.CharField(_("rule"), max_length=32, choices=[(r.value, RULE_LABELS[r]) for r in Rule])
    metric = models.CharField(_("metric"), max_length=48, blank=True)
    figures = models.JSONField(_("figures"), default=dict)
    informational = models.BooleanField(_("shown only"), default=False)
    run_id = models.PositiveIntegerField(_("run"), null=True, blank=True)
    data_version = models.CharField(_("data version"), max_length=200)
    computed_at = models.DateTimeField(_("computed at"))
    still_met = models.BooleanField(_("still met"), default=True)

    scoping_department_field = "department"

    class Meta:
        ordering = ["-year", "region__path", "rule", "metric"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        indexes = [models.Index(fields=["year", "region"])]

    def __str__(self) -> str:
        return f"{self.year} {self.region_id} {self.rule} {self.metric}"

    @property
    def rule_label(self) -> str:
        return str(RULE_LABELS.get(Rule(self.rule), self.rule))


class Outcome(models.TextChoices):
    NO_ACTION = "no_action", _("No action")
    NOTICE = "notice", _("Notice (通报)")
    INTERVIEW = "interview", _("Interview (约谈)")
    BOTH = "both", _("Notice and interview")


class CaseStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    DECIDED = "decided", _("Decided")
    NOTICE_ISSUED = "notice_issued", _("Notice issued")
    INTERVIEW_HELD = "interview_held", _("Interview held")
    RECTIFYING = "rectifying", _("Rectifying")
    CLOSED = "closed", _("Closed")


class Decision(models.Model):
    """What an official decided about one candidate; issued when recorded (the region then sees it)."""

    candidate = models.OneToOneField(
        Candidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="decision"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("decision"), max_length=12, choices=Outcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(_("decided at"))
    history = HistoricalRecords()

    scoping_department_field = "department"

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.candidate} → {self.outcome}"

    @property
    def wants_notice(self) -> bool:
        return self.outcome in (Outcome.NOTICE, Outcome.BOTH)

    @property
    def wants_interview(self) -> bool:
        return self.outcome in (Outcome.INTERVIEW, Outcome.BOTH)


class CaseEventKind(models.TextChoices):
    DECIDED = "decided", _("Decided")
    NOTICE_DRAFTED = "notice_drafted", _("Notice drafted")
    NOTICE_EDITED = "notice_edited", _("Notice edited")
    NOTICE_ISSUED = "notice_issued", _("Notice issued")
    DISCLOSURE = "disclosure", _("Disclosure mark changed")
    INTERVIEW_SCHEDULED = "interview_scheduled", _("Interview scheduled")
    INTERVIEW_HELD = "interview_held", _("Interview held")
    TASK_CREATED = "task_created", _("Rectification task created")
    TASK_ANSWERED = "task_answered", _("Rectification answered")
    TASK_RETURNED = "task_returned", _("Answer sent back")
    TASK_ACCEPTED = "task_accepted", _("Answer accepted")
    CLOSED = "closed", _("Case closed")


class CaseEvent(TimelineEvent):
    """The timeline of a case: decided, notice drafted/issued, interview scheduled/held, tasks."""

    subject_field = "decision"
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=KIND_MAX_LENGTH, choices=CaseEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")


class Notice(models.Model):
    """A 通报: drafted from the template and the figures, edited, then issued (frozen edition)."""

    decision = models.OneToOneField(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="notice"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    template = models.ForeignKey(
        NoticeTemplate, verbose_name=_("template"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edition = models.OneToOneField(
        "core.FrozenEdition",
        verbose_name=_("issued edition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    disclose = models.BooleanField(_("marked for public disclosure"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title

    @property
    def issued(self) -> bool:
        return self.edition_id is not None


class Interview(models.Model):
    """A 约谈: when, who interviewed whom (officials by role / department), minutes, commitments."""

    decision = models.OneToOneField(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="interview"
    )
    scheduled_for = models.DateField(_("date"))
    interviewers = models.CharField(_("interviewers (role / department)"), max_length=300)
    interviewees = models.CharField(_("interviewees (role / department)"), max_length=300)
    minutes = models.TextField(_("minutes"), blank=True)
    commitments = models.TextField(_("commitments"), blank=True)
    held = models.BooleanField(_("held"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self) -> str:
        return f"{self.decision_id} {self.scheduled_for}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    RETURNED = "returned", _("Sent back")
    ACCEPTED = "accepted", _("Accepted (closed)")


class RectificationTask(models.Model):
    """A 整改 task of a region's government (department None) or of a department, with a deadline."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="tasks"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("what is to be done"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_reason = models.TextField(_("reason sent back"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    scoping_department_field = "department"

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("rectification task")
        verbose_name_plural = _("rectification tasks")

    def __str__(self) -> str:
        return f"{self.region_id} {self.deadline}"

    @property
    def closed(self) -> bool:
        return self.status == TaskStatus.ACCEPTED

    def is_overdue(self, today) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.RETURNED) and self.deadline < today


@deconstructible
class AttachmentStorage(PrivateStorage):
    """Rectification answers' files: PRIVATE_FILES_ROOT/accountability, downloads only through
    the permission-checked view."""

    def __init__(self):
        super().__init__("accountability")


attachment_storage = AttachmentStorage()


class TaskAttachment(models.Model):
    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("file name"), max_length=190)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    file = models.FileField(_("file"), upload_to="tasks/%Y/", storage=attachment_storage, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class RectificationReminder(ReminderRecord):
    """One reminder about one overdue task on one day (`apps.core.reminders`)."""

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="reminders")

    class Meta:
        verbose_name = _("rectification reminder")
        verbose_name_plural = _("rectification reminders")
        constraints = [
            models.UniqueConstraint(fields=["task", "sent_on"], name="rectification_reminder_once_a_day")
        ]
