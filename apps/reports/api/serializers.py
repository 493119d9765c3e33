from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.conflicts import VERSION_HELP
from apps.reports import services
from apps.reports.models import Attachment, Report, ReportEvent, ReportStatus, ReportValue, SectionArea


class ReportValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    unit = serializers.CharField(source="indicator.unit", read_only=True)

    class Meta:
        model = ReportValue
        fields = ["indicator", "value", "unit", "note"]


class ValueRowSerializer(serializers.ModelSerializer):
    """One value with its report's region, year, revision and status (the /report-values/ list)."""

    report = serializers.IntegerField(source="report_id", read_only=True)
    region_code = serializers.CharField(source="report.region.code", read_only=True)
    year = serializers.IntegerField(source="report.year", read_only=True)
    revision = serializers.IntegerField(source="report.revision", read_only=True)
    status = serializers.ChoiceField(source="report.status", choices=ReportStatus.choices, read_only=True)
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    unit = serializers.CharField(source="indicator.unit", read_only=True)

    class Meta:
        model = ReportValue
        fields = ["report", "region_code", "year", "revision", "status", "indicator", "value", "unit", "note"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "original_name", "description", "content_type", "size", "sha256", "uploaded_at"]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = ReportEvent
        fields = ["kind", "actor", "created_at", "reason", "field_reasons", "data"]


class FlagSerializer(serializers.Serializer):
    """A value beyond its plausibility bounds, with what the reviewer needs to judge it."""

    value = serializers.DecimalField(max_digits=20, decimal_places=6, coerce_to_string=True)
    previous = serializers.DecimalField(
        max_digits=20, decimal_places=6, allow_null=True, help_text="last year's approved value"
    )
    change = serializers.CharField(help_text="the change as shown to people, e.g. −99.0%")
    bound = serializers.CharField(help_text="the bound it is outside, e.g. ±5%")
    note = serializers.CharField(allow_blank=True, help_text="the explanation ('' when none yet: an error)")


class IssueSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="indicator code")
    indicator_name = serializers.CharField(help_text="the indicator's name in the request's language")
    code = serializers.CharField(help_text="the rule, e.g. year_on_year, share, sum, moves_together")
    message = serializers.CharField()
    level = serializers.ChoiceField(choices=["error", "warning"])
    involves = serializers.ListField(child=serializers.CharField(), help_text="other indicators compared")
    flag = FlagSerializer(
        allow_null=True,
        help_text="set when the value is beyond its plausibility bounds (an explanation turns the error "
        "into a warning)",
    )


class ReportSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    region_level = serializers.CharField(source="region.level", read_only=True)
    values = ReportValueSerializer(many=True, read_only=True)
    sections = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "region",
            "region_code",
            "region_name",
            "region_level",
            "year",
            "revision",
            "status",
            "version",
            "previous",
            "revision_reason",
            "remarks",
            "return_reason",
            "return_field_reasons",
            "created_at",
            "updated_at",
            "submitted_at",
            "forwarded_at",
            "approved_at",
            "values",
            "sections",
        ]

    def get_sections(self, obj) -> dict[str, str]:
        return {s.area: s.text for s in obj.sections.all()}


class ReportDetailSerializer(ReportSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    flags = serializers.SerializerMethodField(
        help_text="Values beyond their plausibility bounds (the catalog's year-on-year bounds and the "
        "paired checks), explained or not: what a reviewer must look at."
    )

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "attachments", "events", "flags"]

    @extend_schema_field(IssueSerializer(many=True))
    def get_flags(self, obj) -> list[dict]:
        return IssueSerializer(services.report_validate(obj).flags, many=True).data


class ReportCreateSerializer(serializers.Serializer):
    region_code = serializers.CharField(max_length=6)
    year = serializers.IntegerField()


class ReportSaveSerializer(serializers.Serializer):
    """A partial update of a draft: only the indicators, notes and sections given change."""

    values = serializers.DictField(
        child=serializers.CharField(allow_null=True, allow_blank=True),
        required=False,
        help_text="indicator code → number as text (null or '' clears it)",
    )
    notes = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    sections = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="task area → text; areas: " + ", ".join(SectionArea.values),
    )
    remarks = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class SaveResultSerializer(serializers.Serializer):
    report = ReportSerializer()
    errors = IssueSerializer(many=True)
    warnings = IssueSerializer(many=True)


class ReturnedSerializer(serializers.ModelSerializer):
    """A returned report is private to its region again, so the reviewer gets only this."""

    class Meta:
        model = Report
        fields = ["id", "status", "return_reason", "return_field_reasons"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ReturnSerializer(ReasonSerializer):
    field_reasons = serializers.DictField(child=serializers.CharField(), required=False)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    description = serializers.CharField(required=False, allow_blank=True)


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    approve = serializers.BooleanField(required=False, default=False)
    submit = serializers.BooleanField(required=False, default=False)


class ImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    summary = serializers.CharField()
    created = serializers.ListField(child=serializers.IntegerField())
    updated = serializers.ListField(child=serializers.IntegerField())
    unchanged = serializers.ListField(child=serializers.IntegerField())
    submitted = serializers.ListField(child=serializers.IntegerField())
    approved = serializers.ListField(child=serializers.IntegerField())


class ImportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField())


class DiffSerializer(serializers.Serializer):
    old_revision = serializers.IntegerField()
    new_revision = serializers.IntegerField()
    values = serializers.ListField(child=serializers.DictField())
    sections = serializers.ListField(child=serializers.DictField())
    attachments_added = serializers.ListField(child=serializers.CharField())
    attachments_removed = serializers.ListField(child=serializers.CharField())
