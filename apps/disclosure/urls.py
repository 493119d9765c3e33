from django.urls import path

from .views import tips

app_name = "disclosure"
urlpatterns: list = [
    # tips (举报): the public form and lookup, the staff's pages
    path("tips/new/", tips.tip_new, name="tip-new"),
    path("tips/filed/", tips.tip_filed, name="tip-filed"),
    path("tips/track/", tips.tip_track, name="tip-track"),
    path("tips/", tips.tip_inbox, name="tip-inbox"),
    path("tips/statistics/", tips.tip_statistics, name="tip-statistics"),
    path("tips/<int:pk>/", tips.tip_detail, name="tip-detail"),
    path("tips/<int:pk>/attachments/<int:attachment_pk>/", tips.tip_attachment, name="tip-attachment"),
    path("tips/<int:pk>/<slug:step>/", tips.tip_step, name="tip-step"),
]
