from rest_framework.routers import DefaultRouter

from .views import PlanPeriodViewSet, RegionTargetViewSet

router = DefaultRouter()
router.register("periods", PlanPeriodViewSet, basename="period")
router.register("targets", RegionTargetViewSet, basename="target")
urlpatterns = router.urls
