from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    """Congress oversight: congresses at every level, inquiries (询问/专题询问/质询) and their
    answers, oversight summaries and their frozen editions, the inspection scorecard."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.oversight"
    verbose_name = _("Congress oversight")
