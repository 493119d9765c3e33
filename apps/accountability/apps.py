from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    """The accountability ledger: candidates by rule, decisions (通报/约谈), rectification (整改) tasks."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.accountability"
    verbose_name = _("Accountability")

    def ready(self) -> None:
        from apps.monitoring.signals import run_finished

        from . import receivers

        run_finished.connect(receivers.on_run_finished, dispatch_uid="accountability-run-finished")
