"""Completeness pages, mounted under /reports/ (their paths predate the app): /reports/completeness/ etc."""

from django.urls import path

from . import views

app_name = "completeness"
urlpatterns = [
    path("completeness/", views.grid, name="grid"),
    path("completeness/export.xlsx", views.grid_export, name="export"),
    path("deadlines/", views.deadline_list, name="deadlines"),
    path("deadlines/<int:year>/edit/", views.deadline_edit, name="deadline-edit"),
    path("deadlines/<int:year>/delete/", views.deadline_delete, name="deadline-delete"),
    path("deadlines/<int:year>/history/", views.deadline_history, name="deadline-history"),
    path("reminders/", views.reminder_list, name="reminders"),
]
