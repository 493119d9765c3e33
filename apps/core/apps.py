from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What several apps share and no domain owns (shared/DESIGN.md, layer `core`)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.core"
    verbose_name = "Core"
