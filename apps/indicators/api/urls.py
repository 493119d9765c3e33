from rest_framework.routers import DefaultRouter

from .views import EmissionFactorSetViewSet, GridViewSet, IndicatorViewSet, RuleSetViewSet

router = DefaultRouter()
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("emission-factor-sets", EmissionFactorSetViewSet, basename="emission-factor-set")
router.register("grids", GridViewSet, basename="grid")
router.register("rule-sets", RuleSetViewSet, basename="rule-set")
urlpatterns = router.urls
