from django.urls import path

from . import views

app_name = "targets"
urlpatterns = [
    path("", views.target_list, name="list"),
    path("new/", views.target_create, name="create"),
    path("import/", views.target_import, name="import"),
    path("decomposition/", views.decomposition, name="decomposition"),
    path("periods/", views.period_list, name="period-list"),
    path("periods/<str:code>/", views.period_detail, name="period-detail"),
    path("periods/<str:code>/edit/", views.period_edit, name="period-edit"),
    path("<int:pk>/", views.target_detail, name="detail"),
    path("<int:pk>/edit/", views.target_edit, name="edit"),
    path("<int:pk>/delete/", views.target_delete, name="delete"),
]
