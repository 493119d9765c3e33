from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/", views.export, name="export"),
    path("years/", views.years_page, name="years"),
    path("runs/", views.runs, name="runs"),
    path("runs/start/", views.run_start, name="run-start"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("scores/", views.scores, name="scores"),
    path("scores/<str:level>/<str:code>/<int:year>/", views.score_edit, name="score"),
    path("<str:level>/<str:code>/<int:year>/", views.region_year, name="region-year"),
]
