from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


LEVEL_DEPTH = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.COUNTY: 2}


class Region(models.Model):
    """An administrative division keyed by its GB/T 2260 code.

    `path` is a materialised path ("360000/360100/360102/") so that a whole subtree
    or all ancestors are one indexed query, whatever the depth.
    """

    code = models.CharField(_("code"), max_length=6, db_index=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=8, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=32, unique=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            # GB/T 2260 reuses a prefecture's code for its single county-level unit
            # (e.g. 东莞市 441900 as city and as county), so a code is unique per level.
            models.UniqueConstraint(fields=["code", "level"], name="region_code_level_unique"),
        ]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("regions:detail", args=[self.level, self.code])

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def ancestor_paths(self) -> list[str]:
        """Paths of the root down to the parent, read off the path without a query."""
        parts = self.path.strip("/").split("/")
        return ["".join(f"{p}/" for p in parts[:i]) for i in range(1, len(parts))]

    def is_within(self, other: "Region") -> bool:
        """True when self is `other` or lies below it."""
        return self.path.startswith(other.path)
