from django.urls import path
from rest_framework.routers import SimpleRouter

from .planner import PlannerView, ScenarioViewSet
from .series import SeriesView

router = SimpleRouter()
router.register("scenarios", ScenarioViewSet, basename="scenario")

urlpatterns = [
    *router.urls,
    path("planner/", PlannerView.as_view(), name="planner-what-if"),
    path("series/", SeriesView.as_view(), name="api-series"),
]
