from django.urls import path

from .views import barometer as barometer_views
from .views import planner as planner_views
from .views import region as region_views

app_name = "dashboards"
urlpatterns = [
    path("", barometer_views.barometer, name="barometer"),
    path("my-region/", region_views.my_region, name="my-region"),
    path("scenarios/<int:pk>/", planner_views.scenario_detail, name="scenario"),
    path("scenarios/<int:pk>/attach/", planner_views.scenario_attach, name="scenario-attach"),
    path("scenarios/<int:pk>/delete/", planner_views.scenario_delete, name="scenario-delete"),
    path("<str:level>/<str:code>/", region_views.region_dashboard, name="region"),
    path("<str:level>/<str:code>/planner/", planner_views.planner_page, name="planner"),
    path(
        "<str:level>/<str:code>/chart/<str:chart>.<str:fmt>",
        region_views.chart_download,
        name="region-chart",
    ),
]
