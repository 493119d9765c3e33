from django.urls import path

from .views import inquiries

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
]
