from rest_framework.routers import DefaultRouter

from .views import AssessmentViewSet, MeasuresScoreViewSet, RecomputeRunViewSet

router = DefaultRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("measures-scores", MeasuresScoreViewSet, basename="measures-score")
router.register("recompute-runs", RecomputeRunViewSet, basename="recompute-run")
urlpatterns = router.urls
