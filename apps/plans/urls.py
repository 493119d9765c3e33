from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("export.xlsx", views.plan_export, name="plan-export"),
    path("new/", views.plan_create, name="plan-create"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/status/", views.plan_status, name="plan-status"),
    path("<int:pk>/history/", views.plan_history, name="plan-history"),
    path("<int:pk>/targets/new/", views.target_create, name="target-create"),
    path("<int:plan_pk>/targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
    path("<int:plan_pk>/targets/<int:pk>/delete/", views.target_delete, name="target-delete"),
    path("<int:pk>/measures/new/", views.measure_create, name="measure-create"),
    path("measures/", views.measure_list, name="measure-list"),
    path("measures/export.xlsx", views.measure_export, name="measure-export"),
    path("measures/<int:pk>/", views.measure_detail, name="measure-detail"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("measures/<int:pk>/milestones/new/", views.milestone_add, name="milestone-add"),
    path("milestones/<int:pk>/complete/", views.milestone_complete, name="milestone-complete"),
    path("measures/<int:pk>/notes/new/", views.note_add, name="note-add"),
    path("notes/<int:pk>/attachment/", views.note_attachment, name="note-attachment"),
    path("department-options/", views.department_options, name="department-options"),
]
