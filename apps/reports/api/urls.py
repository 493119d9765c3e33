from rest_framework.routers import DefaultRouter

from .views import ReportValueViewSet, ReportViewSet

router = DefaultRouter()
router.register("reports", ReportViewSet, basename="report")
router.register("report-values", ReportValueViewSet, basename="report-value")
urlpatterns = router.urls

# Completeness grid, deadlines and reminders (completeness.py), listed before "reports/<pk>/".
from .completeness import URLS as COMPLETENESS_URLS  # noqa: E402

urlpatterns = COMPLETENESS_URLS + urlpatterns
