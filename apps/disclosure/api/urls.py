from django.urls import path
from rest_framework.routers import DefaultRouter

from .public import PublicFiguresView
from .publications import PublicationViewSet

router = DefaultRouter()
router.register("publications", PublicationViewSet, basename="publication")
urlpatterns = [
    path("public/figures/", PublicFiguresView.as_view(), name="public-figures"),
    *router.urls,
]
