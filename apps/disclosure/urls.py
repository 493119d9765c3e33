from django.urls import path

from .views import public, publications, tips

app_name = "disclosure"
urlpatterns = [
    path("", public.overview, name="public"),
    path("<int:year>/", public.overview, name="public-year"),
    path("<int:year>/figures.<str:fmt>", public.year_download, name="year-download"),
    path("<int:year>/<str:code>/", public.region_page, name="public-region"),
    path("<int:year>/<str:code>/figures.<str:fmt>", public.region_download, name="region-download"),
    path("methodology/", public.methodology, name="methodology"),
    path("terms/", public.terms, name="terms"),
    path("language/<str:code>/", public.language, name="language"),
    path("publications/", publications.publication_list, name="publications"),
    path("publications/<int:pk>/", publications.publication_detail, name="publication"),
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
