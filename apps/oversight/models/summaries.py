"""Oversight summaries of a region and year (shared/spec/oversight.md): the government's working
draft and its timeline. Issued editions are `core.FrozenEdition` rows of kind `SUMMARY_KIND`
(figures and rendered files with their SHA-256), never rows of this app: they cannot change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import KIND_MAX_LENGTH, TimelineEvent

#: The `FrozenEdition.kind` of an issued oversight summary; its `subject_key` is "<region id>/<year>".
SUMMARY_KIND = "oversight.summary"


class SummaryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    ISSUED = "issued", _("Issued")


class SummaryDraft(models.Model):
    """The government side's working copy of a region-year's summary: the text it adds to the
    figures (next steps), its state (draft → reviewed → issued) and who moved it. The figures are
    gathered from stored assessments whenever the draft is shown; issuing freezes them."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=SummaryStatus.choices, default=SummaryStatus.DRAFT
    )
    next_steps = models.TextField(_("next steps (the government's own text)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "region__path"]
        verbose_name = _("oversight summary draft")
        verbose_name_plural = _("oversight summary drafts")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="oversight_summary_draft_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year} ({self.status})"

    @property
    def subject_key(self) -> str:
        return subject_key(self.region_id, self.year)


def subject_key(region_id: int, year: int) -> str:
    """The `FrozenEdition.subject_key` of a region-year's summary."""
    return f"{region_id}/{year}"


class SummaryEventKind(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    EDITED = "edited", _("Edited")
    REVIEWED = "reviewed", _("Reviewed")
    REOPENED = "reopened", _("Reopened")
    ISSUED = "issued", _("Issued")


class SummaryEvent(TimelineEvent):
    """The summary's timeline: drafted, edited, reviewed, issued (with the edition number)."""

    subject_field = "draft"

    draft = models.ForeignKey(
        SummaryDraft, verbose_name=_("summary"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=KIND_MAX_LENGTH, choices=SummaryEventKind.choices)

    class Meta:
        ordering = ["draft", "created_at", "pk"]
        verbose_name = _("summary event")
        verbose_name_plural = _("summary events")
