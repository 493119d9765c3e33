from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Barometer, region dashboards and the remaining-years planner: read stored figures only."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.dashboards"
    verbose_name = _("Dashboards")
