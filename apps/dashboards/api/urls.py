urlpatterns: list = []

# planner (H3): saved scenarios and the what-if without saving
from django.urls import path  # noqa: E402
from rest_framework.routers import SimpleRouter  # noqa: E402

from .planner import PlannerView, ScenarioViewSet  # noqa: E402

_planner_router = SimpleRouter()
_planner_router.register("scenarios", ScenarioViewSet, basename="scenario")
urlpatterns += _planner_router.urls
urlpatterns += [path("planner/", PlannerView.as_view(), name="planner-what-if")]
from django.urls import path

from .series import SeriesView

urlpatterns: list = [
    path("series/", SeriesView.as_view(), name="api-series"),
]
