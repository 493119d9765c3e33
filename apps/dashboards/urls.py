from django.urls import path

from .views import barometer as barometer_views

app_name = "dashboards"
urlpatterns: list = []
urlpatterns += [path("", barometer_views.barometer, name="barometer")]
