from django.contrib import admin

from .models import Department, Sector


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "kind", "role"]
    list_filter = ["role", "kind"]
    search_fields = ["name", "name_en", "region__code", "region__name"]
    raw_id_fields = ["region"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "lead_kind", "peak_plan_required"]
