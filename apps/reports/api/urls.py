from rest_framework.routers import DefaultRouter

from .views import ReportValueViewSet, ReportViewSet

router = DefaultRouter()
router.register("reports", ReportViewSet, basename="report")
router.register("report-values", ReportValueViewSet, basename="report-value")
urlpatterns = router.urls
