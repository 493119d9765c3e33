from rest_framework import serializers

from apps.monitoring import metrics
from apps.monitoring.models import Assessment, MeasuresScore, RecomputeRun
from apps.monitoring.selectors import format_value


class AssessmentSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    value = serializers.SerializerMethodField()
    metric_name = serializers.SerializerMethodField(help_text="the metric's name in the request's language")
    unit = serializers.SerializerMethodField(help_text="the metric's unit in the request's language")
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
            "metric_name",
            "unit",
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

    def get_metric_name(self, obj) -> str:
        return metrics.name(obj.metric)

    def get_unit(self, obj) -> str:
        entry = metrics.catalog().get(obj.metric)
        return entry.unit if entry else ""


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


class MetricSerializer(serializers.Serializer):
    """One entry of the metric catalog (`apps/monitoring/data/metric_catalog.csv`)."""

    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    unit_zh = serializers.CharField(allow_blank=True)
    unit_en = serializers.CharField(allow_blank=True)
    precision = serializers.IntegerField(
        help_text="decimal places shown to people (full precision is stored)"
    )
    kind = serializers.ChoiceField(choices=sorted(metrics.KINDS))


class CompleteYearSerializer(serializers.Serializer):
    """A year with figures: coverage in the caller's scope and whether it is declared complete."""

    year = serializers.IntegerField()
    regions_with_results = serializers.IntegerField(
        help_text="regions in the caller's scope with an energy_intensity_reduction_cum figure"
    )
    regions_in_scope = serializers.IntegerField()
    coverage = serializers.FloatField(help_text="regions_with_results / regions_in_scope (0–1)")
    covered = serializers.BooleanField(help_text="coverage ≥ 0.8")
    declared = serializers.BooleanField()
    declared_by = serializers.CharField(allow_null=True, help_text="name of the official who declared it")
    declared_at = serializers.DateTimeField(allow_null=True)
    is_default = serializers.BooleanField(help_text="the year the dashboards open on for the caller")


class CompleteYearRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="a year with figures")


class CompleteYearWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text="why the declaration is withdrawn (kept in history)"
    )
