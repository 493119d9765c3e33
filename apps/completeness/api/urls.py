"""The completeness API under /api/v1/reports/, mounted before the reports routes (see the root urls)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import CompletenessExportView, CompletenessView, ReminderLogViewSet, ReportingDeadlineViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("reports/deadlines", ReportingDeadlineViewSet, basename="reporting-deadline")
router.register("reports/reminders", ReminderLogViewSet, basename="report-reminder")

urlpatterns = [
    path("reports/completeness/", CompletenessView.as_view(), name="reports-completeness"),
    path(
        "reports/completeness/export/", CompletenessExportView.as_view(), name="reports-completeness-export"
    ),
    path("", include(router.urls)),
]
