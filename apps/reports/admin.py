"""Read-only admin views of reports: every change goes through the services (workflow, events)."""

from django.contrib import admin

from .models import Attachment, Report, ReportEvent, ReportSection, ReportValue


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ValueInline(ReadOnlyInline):
    model = ReportValue
    fields = ["indicator", "value", "note"]
    readonly_fields = fields


class SectionInline(ReadOnlyInline):
    model = ReportSection
    fields = ["area", "text"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = ReportEvent
    fields = ["created_at", "kind", "actor", "reason", "field_reasons", "data"]
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "revision", "status", "submitted_at", "approved_at"]
    list_filter = ["status", "year", "region__level"]
    search_fields = ["region__code", "region__name"]
    list_select_related = ["region"]
    inlines = [ValueInline, SectionInline, AttachmentInline, EventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
