"""Frozen editions in the admin: to look at, never to change (every change is refused anyway)."""

from django.contrib import admin

from .models import AuditEntry, FrozenEdition, FrozenFile


class FrozenFileInline(admin.TabularInline):
    model = FrozenFile
    fields = ["name", "content_type", "size", "sha256"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FrozenEdition)
class FrozenEditionAdmin(admin.ModelAdmin):
    list_display = ["kind", "subject_key", "number", "title", "data_version", "issued_by", "issued_at"]
    list_filter = ["kind"]
    search_fields = ["subject_key", "title"]
    list_select_related = ["issued_by"]
    inlines = [FrozenFileInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only (administrators read it, nobody edits it)."""

    list_display = ("at", "username", "action", "method", "path", "status", "ip")
    list_filter = ("action",)
    search_fields = ("username", "path", "view")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
