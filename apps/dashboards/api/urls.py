from django.urls import path
from rest_framework.routers import SimpleRouter

from .barometer import BarometerViewSet
from .planner import PlannerView, ScenarioViewSet
from .series import SeriesView

router = SimpleRouter()
router.register("scenarios", ScenarioViewSet, basename="scenario")

urlpatterns = [
    path("barometer/", BarometerViewSet.as_view({"get": "list"}), name="barometer-list"),
    *router.urls,
    path("planner/", PlannerView.as_view(), name="planner-what-if"),
    path("series/", SeriesView.as_view(), name="api-series"),
]
