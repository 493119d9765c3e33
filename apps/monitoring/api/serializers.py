from rest_framework import serializers

from apps.monitoring.models import Assessment, MeasuresScore, RecomputeRun
from apps.monitoring.selectors import format_value


class AssessmentSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    value = serializers.SerializerMethodField()
    period = serializers.CharField(read_only=True)
    rule_set = serializers.CharField(read_only=True)
    factor_set = serializers.CharField(read_only=True)
    spec_version = serializers.CharField(read_only=True)
    formula = serializers.CharField(read_only=True)
    inputs = serializers.DictField(read_only=True)
    computed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "region",
            "region_code",
            "region_name",
            "year",
            "metric",
            "value",
            "level",
            "period",
            "rule_set",
            "factor_set",
            "spec_version",
            "formula",
            "inputs",
            "computed_at",
        ]

    def get_value(self, obj) -> str:
        return format_value(obj.value, obj.level)


class RecomputeRunSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="scope_region.code", default=None, read_only=True)
    progress_percent = serializers.IntegerField(read_only=True)
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = RecomputeRun
        fields = [
            "id",
            "status",
            "status_url",
            "region_code",
            "scope_year",
            "reason",
            "created_at",
            "started_at",
            "finished_at",
            "regions_total",
            "regions_done",
            "progress_percent",
            "results_written",
            "missing_count",
            "errors",
        ]
        read_only_fields = fields

    def get_status_url(self, obj) -> str:
        request = self.context.get("request")
        path = f"/api/v1/recompute-runs/{obj.pk}/"
        return request.build_absolute_uri(path) if request else path


class RecomputeRequestSerializer(serializers.Serializer):
    region = serializers.CharField(required=False, allow_blank=True, help_text="GB/T 2260 code; empty: all")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class MeasuresScoreSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    entered_by = serializers.CharField(source="entered_by.username", default=None, read_only=True)

    class Meta:
        model = MeasuresScore
        fields = ["id", "region_code", "region_name", "year", "score", "comment", "entered_by", "entered_at"]
        read_only_fields = fields


class MeasuresScoreRequestSerializer(serializers.Serializer):
    """Enter or change a region-year's §9 measures score (0–60); a change needs a comment."""

    region = serializers.CharField(help_text="GB/T 2260 code of the region")
    year = serializers.IntegerField()
    score = serializers.CharField(help_text="0–60, at most one decimal place")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)
