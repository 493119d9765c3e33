"""Serializers of the completeness API (the grid is built by selectors; these only shape it)."""

from __future__ import annotations

from rest_framework import serializers

from apps.completeness.models import ReminderLog, ReportingDeadline
from apps.completeness.selectors import CellState


class CellSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    state = serializers.ChoiceField(choices=CellState.choices)
    state_label = serializers.CharField(source="label")
    report_id = serializers.IntegerField(allow_null=True, help_text="Set only when the caller may read it.")
    url = serializers.CharField(allow_null=True, help_text="The report page, when the caller may read it.")
    submitted_on = serializers.DateField(allow_null=True, help_text="First submission (submitted/approved).")
    late = serializers.BooleanField(help_text="Submitted after the deadline.")
    overdue = serializers.BooleanField(help_text="Not submitted and the deadline has passed.")
    correction_state = serializers.CharField(
        allow_null=True, help_text="The state of a correction under way (one of the cell states), or null."
    )
    correction_url = serializers.CharField(allow_null=True)


class GridRowSerializer(serializers.Serializer):
    region_code = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    level = serializers.CharField(source="region.level", help_text="province, city or county")
    path = serializers.CharField(source="region.path")
    cells = CellSerializer(many=True)


class YearColumnSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    due_date = serializers.DateField(allow_null=True)
    note = serializers.SerializerMethodField()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Cells per state, late, overdue."
    )

    def get_note(self, col) -> str:
        return col.deadline.note if col.deadline else ""


class GridSerializer(serializers.Serializer):
    year_from = serializers.IntegerField(source="filters.year_from")
    year_to = serializers.IntegerField(source="filters.year_to")
    city = serializers.CharField(source="filters.city")
    level = serializers.CharField(source="filters.level")
    today = serializers.DateField()
    states = serializers.SerializerMethodField()
    years = YearColumnSerializer(source="columns", many=True)
    totals = serializers.DictField(child=serializers.IntegerField())
    regions = GridRowSerializer(source="rows", many=True)

    def get_states(self, grid) -> dict[str, str]:
        return {state.value: str(state.label) for state in CellState}


class DeadlineSerializer(serializers.ModelSerializer):
    updated_by = serializers.CharField(source="updated_by.username", read_only=True, allow_null=True)

    class Meta:
        model = ReportingDeadline
        fields = ["year", "due_date", "note", "updated_at", "updated_by"]
        read_only_fields = ["updated_at", "updated_by"]
        extra_kwargs = {"year": {"validators": []}}  # uniqueness: the service answers


class DeadlineUpdateSerializer(serializers.Serializer):
    due_date = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DeadlineHistorySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.ChoiceField(
        choices=[("+", "created"), ("~", "changed"), ("-", "deleted")],
        help_text="+ created, ~ changed, - deleted",
    )
    history_user = serializers.CharField(source="history_user.username", allow_null=True)
    year = serializers.IntegerField()
    due_date = serializers.DateField()
    note = serializers.CharField()


class ReminderLogSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    recipients = serializers.ListField(child=serializers.EmailField())
    skipped = serializers.ListField(
        child=serializers.CharField(), help_text="Staff without an e-mail address."
    )

    class Meta:
        model = ReminderLog
        fields = [
            "id",
            "region_code",
            "region_name",
            "year",
            "kind",
            "due_date",
            "report",
            "recipients",
            "skipped",
            "sent_on",
            "sent_at",
        ]
