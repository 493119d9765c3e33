from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    """What the public sees: frozen publications, public pages and API, tips (举报) by tracking number."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.disclosure"
    verbose_name = _("Disclosure")

    def ready(self) -> None:
        # The figure groups of this app, then every other app's `apps/<app>/disclosure.py` entries.
        from . import figure_groups  # noqa: F401
        from .groups import discover

        discover()
