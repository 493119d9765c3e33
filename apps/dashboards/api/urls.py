from django.urls import path

from .series import SeriesView

urlpatterns: list = [
    path("series/", SeriesView.as_view(), name="api-series"),
]
