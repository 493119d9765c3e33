from rest_framework.routers import DefaultRouter

from .views import AssessmentViewSet, RecomputeRunViewSet

router = DefaultRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("recompute-runs", RecomputeRunViewSet, basename="recompute-run")
urlpatterns = router.urls
