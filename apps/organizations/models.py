from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .catalog import KIND_BY_CODE, KIND_CHOICES


class DepartmentRole(models.TextChoices):
    LEAD = "lead", _("Lead department")
    SUPPORTING = "supporting", _("Supporting department")


class Department(models.Model):
    """A government department at one region (province, city or county)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="departments"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=KIND_CHOICES)
    role = models.CharField(_("role"), max_length=12, choices=DepartmentRole.choices)
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=160)

    class Meta:
        ordering = ["region__path", "kind"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="department_region_kind_unique")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name


class Sector(models.Model):
    """A key sector of the decision, with the kind of department that leads its peak plan."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=96)
    lead_kind = models.CharField(_("lead department"), max_length=32, choices=KIND_CHOICES)
    peak_plan_required = models.BooleanField(_("peak plan required"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name

    @property
    def lead_kind_label(self) -> str:
        return KIND_BY_CODE[self.lead_kind].label

    def lead_department_at(self, region) -> "Department | None":
        return Department.objects.filter(region=region, kind=self.lead_kind).first()
