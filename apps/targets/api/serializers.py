from rest_framework import serializers

from apps.core.conflicts import VERSION_HELP
from apps.indicators.models import EmissionFactorSet, RuleSet
from apps.targets.models import PlanPeriod, RegionTarget, TargetMetric


class PlanPeriodSerializer(serializers.ModelSerializer):
    first_year = serializers.IntegerField(read_only=True)
    last_year = serializers.IntegerField(read_only=True)
    rule_set = serializers.SlugRelatedField(slug_field="code", queryset=RuleSet.objects.all())
    factor_set = serializers.SlugRelatedField(
        slug_field="code",
        queryset=EmissionFactorSet.objects.all(),
        allow_null=True,
        help_text="null: the default factor set.",
    )

    class Meta:
        model = PlanPeriod
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "base_year",
            "length",
            "first_year",
            "last_year",
            "rule_set",
            "factor_set",
        ]
        read_only_fields = ["id", "code", "name", "name_en", "base_year", "length"]


class RegionTargetSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code", max_length=6, help_text="GB/T 2260 region code.")
    region_name = serializers.CharField(source="region.name", read_only=True)
    period = serializers.SlugRelatedField(slug_field="code", queryset=PlanPeriod.objects.all())
    metric = serializers.ChoiceField(choices=TargetMetric.choices)
    year = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Only for the annual metrics: a year within the period.",
    )
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        help_text="Percent for reductions and the non-fossil share (strictly between 0 and 100); "
        "10^4 tce for the cap.",
    )
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RegionTarget
        fields = [
            "id",
            "region",
            "region_name",
            "period",
            "metric",
            "year",
            "value",
            "note",
            "updated_at",
            "updated_by",
            "version",
        ]
        read_only_fields = ["id", "updated_at", "version"]
        validators = []  # uniqueness is an upsert in the service, not an error


class RegionTargetUpdateSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)

    class Meta:
        model = RegionTarget
        fields = ["value", "note", "version"]


class TargetImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8, BOM accepted) or .xlsx (first sheet): "
        "region_code,period,metric,value[,year][,note]."
    )


class TargetImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class TargetRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="Spreadsheet row: the header is row 1; 0 for the file as a whole."
    )
    field = serializers.CharField()
    message = serializers.CharField()


class TargetImportRejectedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = TargetRowErrorSerializer(many=True)
