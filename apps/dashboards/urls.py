from django.urls import path

from .views import region as region_views

app_name = "dashboards"
urlpatterns: list = [
    path("my-region/", region_views.my_region, name="my-region"),
    path("<str:level>/<str:code>/", region_views.region_dashboard, name="region"),
    path(
        "<str:level>/<str:code>/chart/<str:chart>.<str:fmt>",
        region_views.chart_download,
        name="region-chart",
    ),
]
