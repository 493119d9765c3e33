from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompletenessConfig(AppConfig):
    """Deadlines, the completeness grid and reminders: reads reports, never written to by them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.completeness"
    verbose_name = _("Report completeness")
