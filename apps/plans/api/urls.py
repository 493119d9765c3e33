from rest_framework.routers import DefaultRouter

from .views import (
    MeasureViewSet,
    PlanMilestoneViewSet,
    PlanProgressNoteViewSet,
    PlanTargetViewSet,
    SectorPlanViewSet,
)

router = DefaultRouter()
router.register("sector-plans", SectorPlanViewSet, basename="sector-plan")
router.register(r"sector-plans/(?P<plan_pk>[0-9]+)/targets", PlanTargetViewSet, basename="plan-target")
router.register(
    r"sector-plans/(?P<plan_pk>[0-9]+)/milestones", PlanMilestoneViewSet, basename="plan-milestone"
)
router.register(
    r"sector-plans/(?P<plan_pk>[0-9]+)/progress-notes", PlanProgressNoteViewSet, basename="plan-progress-note"
)
router.register("measures", MeasureViewSet, basename="plan-measure")
urlpatterns = router.urls
