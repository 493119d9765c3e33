from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "region", "department", "is_active"]
    list_filter = ["role", "is_active", "region__level"]
    search_fields = ["username", "first_name", "last_name", "email", "region__code", "region__name"]
    raw_id_fields = ["region", "department"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Role and jurisdiction"), {"fields": ("role", "region", "department")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and jurisdiction"), {"fields": ("role", "region", "department")}),
    )
