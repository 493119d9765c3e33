from django.urls import path

from .views import inquiries
from .views import scorecard as scorecard_views
from .views import summaries as summary_views

app_name = "oversight"
urlpatterns = [
    path("inquiries/", inquiries.inquiry_list, name="inquiry-list"),
    path("inquiries/new/", inquiries.inquiry_create, name="inquiry-create"),
    path("inquiries/<int:pk>/", inquiries.inquiry_detail, name="inquiry-detail"),
    path("inquiries/<int:pk>/answer/", inquiries.inquiry_answer, name="inquiry-answer"),
    path("inquiries/<int:pk>/follow-up/", inquiries.inquiry_follow_up, name="inquiry-follow-up"),
    path("inquiries/<int:pk>/close/", inquiries.inquiry_close, name="inquiry-close"),
    path("inquiries/<int:pk>/decide-form/", inquiries.inquiry_decide_form, name="inquiry-decide-form"),
    path(
        "inquiries/<int:pk>/attachments/<int:attachment_pk>/",
        inquiries.attachment_download,
        name="inquiry-attachment",
    ),
    path("scorecard/", scorecard_views.scorecard_page, name="scorecard"),
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
