"""Administrators edit the rules' thresholds and the notice templates (roles.md v1.1: only they);
both keep their history. A template naming an unknown field is refused on save, naming it."""

from django.contrib import admin
from django.utils.html import format_html_join
from simple_history.admin import SimpleHistoryAdmin

from .models import NOTICE_FIELDS, Candidate, Decision, NoticeTemplate, Threshold


@admin.register(Threshold)
class ThresholdAdmin(SimpleHistoryAdmin):
    list_display = ["code", "value", "description"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False  # the rules read a fixed set of codes (seeded by migration 0002)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "active"]
    readonly_fields = ["declared_fields"]

    @admin.display(description="fields ($name)")
    def declared_fields(self, obj=None):
        return format_html_join(
            "", "<div><code>${}</code> — {}</div>", ((k, v) for k, v in NOTICE_FIELDS.items())
        )


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["year", "region", "department", "rule", "still_met", "data_version"]
    list_filter = ["year", "rule"]
    readonly_fields = [f.name for f in Candidate._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["candidate", "outcome", "status", "decided_by", "decided_at"]
    readonly_fields = [f.name for f in Decision._meta.fields]

    def has_add_permission(self, request):
        return False
