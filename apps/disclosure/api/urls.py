from django.urls import path
from rest_framework.routers import DefaultRouter

from . import tips
from .public import PublicFiguresView
from .publications import PublicationViewSet

router = DefaultRouter()
router.register("publications", PublicationViewSet, basename="publication")
router.register("tips", tips.TipViewSet, basename="tip")
urlpatterns = [
    path("public/figures/", PublicFiguresView.as_view(), name="public-figures"),
    # tips (举报): the public's filing and lookup, the staff's statistics and handling
    # (statistics before the router's tips/{id}/)
    path("public/tips/", tips.PublicTipFileView.as_view(), name="public-tip-file"),
    path("public/tips/<str:tracking_number>/", tips.PublicTipStatusView.as_view(), name="public-tip-status"),
    path("tips/statistics/", tips.TipStatisticsView.as_view(), name="tip-statistics"),
    *router.urls,
]
