from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    """The accountability ledger: candidates by rule, decisions (通报/约谈), rectification (整改) tasks."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.accountability"
    verbose_name = _("Accountability")
