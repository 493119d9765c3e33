from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REGION_STAFF = "region_staff", _("County / city staff")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    PROVINCIAL_OFFICIAL = "provincial_official", _("Provincial official")
    CONGRESS_MEMBER = "congress_member", _("Congress member")
    ADMINISTRATOR = "administrator", _("Administrator")
