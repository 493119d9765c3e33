from django.urls import path

from . import views

app_name = "accountability"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/decide/", views.decide, name="decide"),
    path("cases/<int:pk>/notice/", views.notice_save, name="notice"),
    path("cases/<int:pk>/interview/", views.interview_save, name="interview"),
    path("tasks/<int:pk>/answer/", views.task_answer, name="task-answer"),
    path("tasks/<int:pk>/review/", views.task_review, name="task-review"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
