from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def _localised(obj, field: str) -> str:
    return getattr(obj, f"{field}_en") if translation.get_language() == "en" else getattr(obj, f"{field}_zh")


class ChangeMeasure(models.TextChoices):
    """How a year-on-year change of an indicator is measured."""

    PERCENT = "percent", _("Percent change")
    POINTS = "points", _("Difference in points or in the unit")


class ChangeBasis(models.TextChoices):
    """What a year-on-year change is compared with (the bound kind)."""

    OWN = "own", _("The region's own last year")
    PARENT = "parent", _("The parent region's change")


class Indicator(models.Model):
    """An input indicator of the annual report (methodology §1), with its unit and plausibility bounds.

    The bounds are data (issue 15): a year-on-year change beyond them needs an explanation in the
    value's note before the report can be submitted (apps/reports/validation.py reads them).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=20)
    unit_en = models.CharField(_("unit (English)"), max_length=20)
    definition_zh = models.TextField(_("definition (Chinese)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    required = models.BooleanField(_("required in the annual report"), default=False)
    allow_negative = models.BooleanField(_("may be negative"), default=False)
    precision = models.PositiveSmallIntegerField(
        _("decimals shown"),
        default=2,
        validators=[MaxValueValidator(6)],
        help_text=_("How many decimals pages show (values are stored as reported)."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    change_measure = models.CharField(
        _("year-on-year change measured as"),
        max_length=8,
        choices=ChangeMeasure.choices,
        default=ChangeMeasure.PERCENT,
        help_text=_(
            "Percent of last year's value, or the difference (percentage points for a share, points for "
            "an index, else the indicator's unit)."
        ),
    )
    change_lower = models.DecimalField(
        _("lower bound of the year-on-year change"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Negative or zero, e.g. −20 (a fall of 20 %); empty: no lower bound."),
    )
    change_upper = models.DecimalField(
        _("upper bound of the year-on-year change"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Positive or zero, e.g. 20 (a rise of 20 %); empty: no upper bound."),
    )
    change_basis = models.CharField(
        _("year-on-year change compared with"),
        max_length=8,
        choices=ChangeBasis.choices,
        default=ChangeBasis.OWN,
        help_text=_(
            "Own: the change lies within the lower and upper bound. Parent: it differs from the parent "
            "region's change by at most the tolerance; the own bounds apply while the parent has no "
            "approved figures of both years."
        ),
    )
    parent_tolerance = models.DecimalField(
        _("tolerance against the parent region's change"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "With the parent region as the basis: the most the region's change may differ from its "
            "parent's (percentage points, or the indicator's unit)."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        from apps.core.display import parenthesized

        return f"{self.name}{parenthesized(self.unit_label)}"

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def definition(self) -> str:
        return _localised(self, "definition")

    @property
    def unit_label(self) -> str:
        return self.unit_en if translation.get_language() == "en" else self.unit

    @property
    def is_share(self) -> bool:
        """A percentage of a whole (unit %): lies within 0–100 (derived from the catalog's unit)."""
        return self.unit.strip() == "%"

    @property
    def change_bounds_text(self) -> str:
        """The plausibility bound as people read it, in the active language ('' when none)."""
        from .bounds import describe

        return describe(self)

    @property
    def has_change_bounds(self) -> bool:
        return (
            self.change_lower is not None
            or self.change_upper is not None
            or (self.change_basis == ChangeBasis.PARENT and self.parent_tolerance is not None)
        )

    def clean(self) -> None:
        errors = {}
        if self.change_lower is not None and self.change_lower > 0:
            errors["change_lower"] = _(
                "The lower bound must be zero or negative: no change is always plausible."
            )
        if self.change_upper is not None and self.change_upper < 0:
            errors["change_upper"] = _(
                "The upper bound must be zero or positive: no change is always plausible."
            )
        if (
            self.change_measure == ChangeMeasure.PERCENT
            and not self.allow_negative
            and self.change_lower is not None
            and self.change_lower < -100
        ):
            errors["change_lower"] = _("A value that cannot be negative cannot fall by more than 100 %.")
        if self.change_basis == ChangeBasis.PARENT and self.parent_tolerance is None:
            errors["parent_tolerance"] = _("Give the tolerance against the parent region's change.")
        if self.parent_tolerance is not None and self.parent_tolerance <= 0:
            errors["parent_tolerance"] = _("The tolerance must be positive.")
        if errors:
            raise ValidationError(errors)


class Fuel(models.TextChoices):
    COAL = "coal", _("Coal")
    OIL = "oil", _("Oil")
    GAS = "gas", _("Natural gas")


class FactorUnit(models.TextChoices):
    CARBON = "tC/tce", _("tC per tce (carbon content; × 44/12 gives CO2)")
    CO2 = "tCO2/tce", _("tCO2 per tce")


CO2_PER_C = Decimal(44) / Decimal(12)
"""Molar mass ratio CO2 / C: a carbon content in tC becomes tCO2 (methodology §6)."""


class EmissionFactorSet(models.Model):
    """A versioned set of fuel emission factors (methodology §6); one set is the default."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default set"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("emission factor set")
        verbose_name_plural = _("emission factor sets")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_factor_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class FuelFactor(models.Model):
    """One fuel's factor in a set, stored as published (carbon content or CO2), with its source."""

    factor_set = models.ForeignKey(
        EmissionFactorSet, verbose_name=_("factor set"), on_delete=models.CASCADE, related_name="fuel_factors"
    )
    fuel = models.CharField(_("fuel"), max_length=8, choices=Fuel.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=10, choices=FactorUnit.choices, default=FactorUnit.CARBON)
    source = models.CharField(_("source"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        ordering = ["factor_set", "fuel"]
        verbose_name = _("fuel emission factor")
        verbose_name_plural = _("fuel emission factors")
        constraints = [
            models.UniqueConstraint(fields=["factor_set", "fuel"], name="fuel_factor_unique"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="fuel_factor_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.factor_set.code} {self.fuel} {self.value} {self.unit}"

    def clean(self) -> None:
        if self.value is not None and self.value <= 0:
            raise ValidationError({"value": _("An emission factor must be positive.")})

    @property
    def co2_per_tce(self) -> Decimal | None:
        """The factor in tCO2/tce: a carbon content (tC/tce) × 44/12, a CO2 factor as it is."""
        if self.value is None:
            return None
        return self.value * CO2_PER_C if self.unit == FactorUnit.CARBON else self.value


class Grid(models.Model):
    """A power grid whose average emission factor applies to regions assigned to it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_default = models.BooleanField(_("default grid (national average)"), default=False)
    regions = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("regions"),
        blank=True,
        related_name="grids",
        help_text=_("Regions that use this grid's factors instead of the default grid's."),
    )
    history = HistoricalRecords(m2m_fields=[regions])

    class Meta:
        ordering = ["-is_default", "code"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_grid"
            )
        ]

    def __str__(self) -> str:
        return self.name


GRID_YEAR_MIN, GRID_YEAR_MAX = 2000, 2100


class GridFactor(models.Model):
    """A grid's published average CO2 factor for one year (kgCO2/kWh), with its source."""

    grid = models.ForeignKey(Grid, verbose_name=_("grid"), on_delete=models.CASCADE, related_name="factors")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(GRID_YEAR_MIN), MaxValueValidator(GRID_YEAR_MAX)]
    )
    value_kg_per_kwh = models.DecimalField(_("factor (kgCO2/kWh)"), max_digits=8, decimal_places=4)
    source = models.CharField(_("source"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid", "year"]
        verbose_name = _("grid emission factor")
        verbose_name_plural = _("grid emission factors")
        constraints = [
            models.UniqueConstraint(fields=["grid", "year"], name="grid_factor_year_unique"),
            models.CheckConstraint(
                condition=models.Q(value_kg_per_kwh__gt=0), name="grid_factor_value_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=GRID_YEAR_MIN, year__lte=GRID_YEAR_MAX),
                name="grid_factor_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid.code} {self.year}: {self.value_kg_per_kwh}"

    def clean(self) -> None:
        if self.value_kg_per_kwh is not None and self.value_kg_per_kwh <= 0:
            raise ValidationError({"value_kg_per_kwh": _("An emission factor must be positive.")})


class ProgressMethod(models.TextChoices):
    GEOMETRIC = "geometric", _("Geometric: Q_k = 1 − (1 − T)^(k/n)")
    LINEAR = "linear", _("Linear: Q_k = T × k / n")


class RuleSet(models.Model):
    """Which energy counts for intensity and for the total (methodology §4), as data."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    intensity_excludes_feedstock = models.BooleanField(
        _("intensity excludes feedstock energy"), default=False
    )
    intensity_excludes_nonfossil = models.BooleanField(
        _("intensity excludes non-fossil energy"), default=False
    )
    total_excludes_feedstock = models.BooleanField(_("total excludes feedstock energy"), default=False)
    total_excludes_nonfossil = models.BooleanField(_("total excludes non-fossil energy"), default=False)
    total_deducts_new_renewables = models.BooleanField(
        _("total deducts new renewable power (D_t)"), default=False
    )
    progress_method = models.CharField(
        _("progress requirement"),
        max_length=10,
        choices=ProgressMethod.choices,
        default=ProgressMethod.GEOMETRIC,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"
