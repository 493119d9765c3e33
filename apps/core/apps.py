from django.apps import AppConfig

from .text import install_validators

# Before any app's ready() imports forms (the admin's autodiscovery imports auth's forms):
# every text field created from now on refuses control characters (apps.core.text).
install_validators()


class CoreConfig(AppConfig):
    """What several apps share and no domain owns (shared/DESIGN.md, layer `core`)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import audit  # noqa: F401  (its receivers record sign-ins and sign-outs)
