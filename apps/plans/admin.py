from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Measure, Milestone, PlanTarget, ProgressNote, SectorPlan


class PlanTargetInline(admin.TabularInline):
    model = PlanTarget
    extra = 0
    raw_id_fields = ["indicator"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(SectorPlan)
class SectorPlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "region", "sector", "lead_department", "peak_year", "status", "updated_at"]
    list_filter = ["status", "sector"]
    search_fields = ["title", "region__code", "region__name"]
    raw_id_fields = ["region", "lead_department", "created_by", "updated_by"]
    inlines = [PlanTargetInline]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "responsible_department", "start_date", "due_date", "status"]
    list_filter = ["status", "plan__sector"]
    search_fields = ["title", "plan__title"]
    raw_id_fields = ["plan", "responsible_department", "created_by", "updated_by"]
    inlines = [MilestoneInline]


@admin.register(ProgressNote)
class ProgressNoteAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "date", "author", "status_from", "status_to", "attachment_name"]
    raw_id_fields = ["measure", "author"]
    # Files are downloaded through the permission-checked view, never by a media URL.
    exclude = ["attachment"]
    readonly_fields = ["attachment_name", "attachment_type", "attachment_size"]
