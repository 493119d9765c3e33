from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.regions.models import RegionLevel

from .roles import Role


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A portal user: one role and a jurisdiction (a region, and for department staff a department)."""

    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.REGION_STAFF)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    # The interface language the user chose with the language switcher; empty until they choose
    # (then the portal speaks Chinese). Applied on every request (middleware.UserLanguageMiddleware).
    language = models.CharField(
        _("interface language"), max_length=16, blank=True, default="", choices=settings.LANGUAGES
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.role == Role.ADMINISTRATOR or self.is_superuser:
            return
        if self.role == Role.DEPARTMENT_STAFF:
            if self.department_id is None:
                errors["department"] = _("Department staff need a department.")
            elif self.region_id is not None and self.region_id != self.department.region_id:
                errors["region"] = _("The region must be the department's region.")
        elif self.department_id is not None:
            errors["department"] = _("Only department staff have a department.")
        if self.region_id is None and self.role != Role.DEPARTMENT_STAFF:
            errors["region"] = _("This role needs a region.")
        # roles.md v1.1: a congress member belongs to the standing committee of a province, city
        # or county (any region); provincial officials belong to a province.
        if (
            self.role == Role.PROVINCIAL_OFFICIAL
            and self.region_id is not None
            and self.region.level != RegionLevel.PROVINCE
        ):
            errors["region"] = _("Provincial officials belong to a province.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # The role is the single source of truth; Django's admin flags follow it.
        if self.is_superuser and self.role != Role.ADMINISTRATOR and self._state.adding:
            self.role = Role.ADMINISTRATOR
        self.is_staff = self.is_superuser = self.role == Role.ADMINISTRATOR
        if self.role == Role.DEPARTMENT_STAFF and self.department_id and not self.region_id:
            self.region_id = self.department.region_id
        super().save(*args, **kwargs)
