from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    """Congress oversight: summaries (HTML, PDF, DOCX; frozen editions), inquiries, inspection scorecard."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.oversight"
    verbose_name = _("Congress oversight")
