from django.urls import path

from .views import public, publications

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
]
