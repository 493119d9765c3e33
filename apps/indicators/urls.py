from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("new/", views.indicator_create, name="create"),
    path("factor-sets/", views.factor_set_list, name="factor-set-list"),
    path("factor-sets/new/", views.factor_set_create, name="factor-set-create"),
    path("factor-sets/<slug:code>/", views.factor_set_detail, name="factor-set-detail"),
    path("factor-sets/<slug:code>/edit/", views.factor_set_edit, name="factor-set-edit"),
    path("factor-sets/<slug:code>/default/", views.factor_set_default, name="factor-set-default"),
    path("factor-sets/<slug:code>/fuels/<slug:fuel>/", views.fuel_factor_edit, name="fuel-factor-edit"),
    path("grids/", views.grid_list, name="grid-list"),
    path("grids/new/", views.grid_create, name="grid-create"),
    path("grids/<slug:code>/", views.grid_detail, name="grid-detail"),
    path("grids/<slug:code>/edit/", views.grid_edit, name="grid-edit"),
    path("grids/<slug:code>/default/", views.grid_default, name="grid-default"),
    path("grids/<slug:code>/regions/", views.grid_regions, name="grid-regions"),
    path("grids/<slug:code>/factors/new/", views.grid_factor_create, name="grid-factor-create"),
    path("grids/<slug:code>/factors/<int:year>/", views.grid_factor_edit, name="grid-factor-edit"),
    path("grids/<slug:code>/factors/<int:year>/delete/", views.grid_factor_delete, name="grid-factor-delete"),
    path("rule-sets/", views.rule_set_list, name="rule-set-list"),
    path("rule-sets/new/", views.rule_set_create, name="rule-set-create"),
    path("rule-sets/<str:code>/", views.rule_set_detail, name="rule-set-detail"),
    path("rule-sets/<str:code>/edit/", views.rule_set_edit, name="rule-set-edit"),
    path("<slug:code>/", views.indicator_detail, name="detail"),
    path("<slug:code>/edit/", views.indicator_edit, name="edit"),
]
