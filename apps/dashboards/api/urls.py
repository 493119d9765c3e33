from django.urls import path

from .barometer import BarometerViewSet

urlpatterns: list = []
urlpatterns += [path("barometer/", BarometerViewSet.as_view({"get": "list"}), name="barometer-list")]
