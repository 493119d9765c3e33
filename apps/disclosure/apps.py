from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    """What the public sees: frozen publications, public pages and API, tips (举报) by tracking number."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.disclosure"
    verbose_name = _("Disclosure")
