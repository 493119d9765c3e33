from rest_framework.routers import DefaultRouter

from .views import (
    AssessmentViewSet,
    CompleteYearViewSet,
    MeasuresScoreViewSet,
    MetricViewSet,
    RecomputeRunViewSet,
)

router = DefaultRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("measures-scores", MeasuresScoreViewSet, basename="measures-score")
router.register("metrics", MetricViewSet, basename="metric")
router.register("complete-years", CompleteYearViewSet, basename="complete-year")
router.register("recompute-runs", RecomputeRunViewSet, basename="recompute-run")
urlpatterns = router.urls
