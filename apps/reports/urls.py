from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("mine/", views.my_reports, name="mine"),
    path("queue/city/", views.review_queue_city, name="queue-city"),
    path("queue/province/", views.review_queue_province, name="queue-province"),
    path("import/", views.values_import, name="import"),
    path("export/<str:what>.<str:fmt>", views.report_export, name="export"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/template.xlsx", views.report_template, name="template"),
    path("<int:pk>/upload/", views.report_upload, name="upload"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment-add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/remove/", views.attachment_remove, name="attachment-remove"
    ),
    path("<int:pk>/<str:action>/", views.report_action, name="action"),
]
