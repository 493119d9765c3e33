from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PublicationStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Publication(models.Model):
    """A provincial official's decision to make one year's figures of a region's subtree public.

    The figures are a frozen copy (`edition`: a `core.FrozenEdition` of kind
    `disclosure.publication`, subject "<year>/<region path>", with its data version and SHA-256),
    so a later recompute changes nothing public until the official publishes again; publishing
    the same year and region again supersedes this one (a new edition of the same subject).
    Withdrawing takes it off the public pages at once and keeps who, when and why.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("regions"), on_delete=models.PROTECT, related_name="publications"
    )
    groups = models.JSONField(_("figure groups"), default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=PublicationStatus.choices, default=PublicationStatus.PUBLISHED
    )
    edition = models.OneToOneField(
        "core.FrozenEdition", verbose_name=_("frozen figures"), on_delete=models.PROTECT, related_name="+"
    )
    data_version = models.CharField(_("data version"), max_length=200)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"))
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True)
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    scoping_region_field = "region"

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [models.Index(fields=["status", "year"])]

    def __str__(self) -> str:
        return f"{self.year} {self.region_id} ({self.status})"

    @property
    def is_public(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED
