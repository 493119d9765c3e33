from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [path("departments/", views.department_list, name="department-list")]
