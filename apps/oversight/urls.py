from django.urls import path

from .views import summaries as summary_views

app_name = "oversight"
urlpatterns = [
    path("summaries/", summary_views.summary_list, name="summaries"),
    path("summaries/open/", summary_views.summary_open, name="summary-open"),
    path("summaries/<str:level>/<str:code>/<int:year>/", summary_views.summary_page, name="summary"),
    path("summaries/<str:level>/<str:code>/<int:year>/save/", summary_views.draft_save, name="summary-save"),
    path(
        "summaries/<str:level>/<str:code>/<int:year>/review/",
        summary_views.draft_review,
        name="summary-review",
    ),
    path(
        "summaries/<str:level>/<str:code>/<int:year>/issue/", summary_views.draft_issue, name="summary-issue"
    ),
    path(
        "summaries/<str:level>/<str:code>/<int:year>/draft.<str:fmt>",
        summary_views.draft_file,
        name="summary-draft-file",
    ),
    path(
        "summaries/<str:level>/<str:code>/<int:year>/editions/<int:number>/",
        summary_views.edition_page,
        name="summary-edition",
    ),
    path(
        "summaries/<str:level>/<str:code>/<int:year>/editions/<int:number>.<str:fmt>",
        summary_views.edition_file,
        name="summary-edition-file",
    ),
]
