from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "apps.monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from apps.core.exports import register_data_version
        from apps.indicators.signals import catalog_changed
        from apps.reports.signals import report_approved, reports_approved
        from apps.targets.signals import targets_changed

        from . import receivers, years

        register_data_version(years.data_version)  # every export names the data version it shows

        report_approved.connect(receivers.on_report_approved, dispatch_uid="monitoring-report-approved")
        reports_approved.connect(receivers.on_reports_approved, dispatch_uid="monitoring-reports-approved")
        targets_changed.connect(receivers.on_targets_changed, dispatch_uid="monitoring-targets-changed")
        catalog_changed.connect(receivers.on_catalog_changed, dispatch_uid="monitoring-catalog-changed")
