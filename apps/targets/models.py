from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.conflicts import VersionedMixin


class PlanPeriod(models.Model):
    """A five-year plan period (methodology §2) with the rule set and factor set applied to it."""

    code = models.CharField(_("code"), max_length=9, unique=True, help_text="e.g. 2021-2025")
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60)
    base_year = models.PositiveSmallIntegerField(_("base year"))
    length = models.PositiveSmallIntegerField(_("length (years)"), default=5)
    rule_set = models.ForeignKey(
        "indicators.RuleSet", verbose_name=_("rule set"), on_delete=models.PROTECT, related_name="periods"
    )
    factor_set = models.ForeignKey(
        "indicators.EmissionFactorSet",
        verbose_name=_("emission factor set"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="periods",
        help_text=_("Empty: the default factor set."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["base_year"]
        verbose_name = _("plan period")
        verbose_name_plural = _("plan periods")

    def __str__(self) -> str:
        from apps.core.display import parenthesized

        return f"{self.name}{parenthesized(self.code)}"

    @property
    def display_name(self) -> str:
        """The period's name in the current language, e.g. "14th Five-Year Plan (2021-2025)"."""
        name = self.name_en if translation.get_language() == "en" else self.name
        return f"{name} ({self.code})"

    @property
    def years(self) -> range:
        """The years the period's targets cover (base year excluded)."""
        return range(self.first_year, self.last_year + 1)

    @property
    def first_year(self) -> int:
        return self.base_year + 1

    @property
    def last_year(self) -> int:
        return self.base_year + self.length


class TargetMetric(models.TextChoices):
    ENERGY_INTENSITY_REDUCTION = "energy_intensity_reduction", _("Energy intensity reduction (%)")
    CO2_INTENSITY_REDUCTION = "co2_intensity_reduction", _("CO2 intensity reduction (%)")
    ENERGY_TOTAL_CAP = "energy_total_cap", _("Total energy cap (10^4 tce)")
    NONFOSSIL_SHARE = "nonfossil_share", _("Non-fossil share at period end (%)")
    ENERGY_INTENSITY_REDUCTION_ANNUAL = (
        "energy_intensity_reduction_annual",
        _("Annual energy intensity reduction (%)"),
    )
    CO2_INTENSITY_REDUCTION_ANNUAL = "co2_intensity_reduction_annual", _("Annual CO2 intensity reduction (%)")


ANNUAL_METRICS = frozenset(
    {TargetMetric.ENERGY_INTENSITY_REDUCTION_ANNUAL, TargetMetric.CO2_INTENSITY_REDUCTION_ANNUAL}
)
PERCENT_METRICS = frozenset(set(TargetMetric) - {TargetMetric.ENERGY_TOTAL_CAP})


class RegionTarget(VersionedMixin, models.Model):
    """One target of a region for a period; annual metrics also name their year."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="targets"
    )
    period = models.ForeignKey(
        PlanPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="targets"
    )
    metric = models.CharField(_("metric"), max_length=40, choices=TargetMetric.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    value = models.DecimalField(
        _("value"), max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("updated by"),
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
        ordering = ["region__path", "period__base_year", "metric", "year"]
        verbose_name = _("region target")
        verbose_name_plural = _("region targets")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "period", "metric", "year"], name="region_target_unique_annual"
            ),
            models.UniqueConstraint(
                fields=["region", "period", "metric"],
                condition=models.Q(year__isnull=True),
                name="region_target_unique_period",
            ),
        ]

    def __str__(self) -> str:
        suffix = f" {self.year}" if self.year else ""
        return f"{self.region.code} {self.period.code} {self.metric}{suffix} = {self.value}"

    def clean(self) -> None:
        errors = {}
        if self.metric in PERCENT_METRICS and self.value is not None and not (0 < self.value < 100):
            errors["value"] = _("A percentage target must lie strictly between 0 and 100.")
        if self.metric == TargetMetric.ENERGY_TOTAL_CAP and self.value is not None and self.value <= 0:
            errors["value"] = _("The total energy cap must be positive.")
        if self.metric in ANNUAL_METRICS:
            if self.year is None:
                errors["year"] = _("An annual target needs its year.")
            elif self.period_id and not (self.period.first_year <= self.year <= self.period.last_year):
                errors["year"] = _("The year must lie within the period.")
        elif self.year is not None:
            errors["year"] = _("Only annual targets have a year.")
        if errors:
            raise ValidationError(errors)
