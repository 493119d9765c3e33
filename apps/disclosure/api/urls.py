from django.urls import path
from rest_framework.routers import SimpleRouter

from . import tips

router = SimpleRouter()
router.register("tips", tips.TipViewSet, basename="tip")

urlpatterns: list = [
    # tips (举报): the public's filing and lookup, the staff's statistics and handling
    path("public/tips/", tips.PublicTipFileView.as_view(), name="public-tip-file"),
    path("public/tips/<str:tracking_number>/", tips.PublicTipStatusView.as_view(), name="public-tip-status"),
    path("tips/statistics/", tips.TipStatisticsView.as_view(), name="tip-statistics"),
    *router.urls,
]
