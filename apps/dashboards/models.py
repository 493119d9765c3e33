"""Saved what-if scenarios of the remaining-years planner.

A scenario is the user's assumptions for the remaining years of a plan period and the outcome the
engine gave for them when saved, with the data version it was computed on. It lives in its own
table and never mixes with approved data or stored figures (`Assessment`): every page shows it
labelled "scenario". It may be attached to one of the region's annual reports as that report's
recovery plan (a link from the scenario, so an approved, immutable report is never edited).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Scenario(models.Model):
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="scenarios"
    )
    name = models.CharField(_("name"), max_length=200)
    period = models.ForeignKey(
        "targets.PlanPeriod", verbose_name=_("plan period"), on_delete=models.PROTECT, related_name="+"
    )
    latest_year = models.PositiveSmallIntegerField(_("latest assessed year"))
    assumptions = models.JSONField(_("assumptions"), default=list)
    outcome = models.JSONField(_("outcome at save time"), default=dict)
    data_run_id = models.PositiveIntegerField(_("data version (recompute run)"), null=True, blank=True)
    data_finished_at = models.DateTimeField(_("data version time"), null=True, blank=True)
    spec_version = models.CharField(_("spec version"), max_length=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attached_report = models.ForeignKey(
        "reports.Report",
        verbose_name=_("recovery plan of report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recovery_plans",
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attached by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attached_at = models.DateTimeField(_("attached at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["region__path", "-created_at", "-pk"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        indexes = [models.Index(fields=["region", "-created_at"], name="scenario_region_created")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.name}"

    @property
    def data_version(self):
        from apps.monitoring.years import DataVersion

        return DataVersion(self.data_run_id, self.data_finished_at, self.spec_version)
