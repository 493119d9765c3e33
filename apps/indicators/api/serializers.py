from rest_framework import serializers

from apps.indicators.models import (
    GRID_YEAR_MAX,
    GRID_YEAR_MIN,
    EmissionFactorSet,
    FactorUnit,
    FuelFactor,
    Grid,
    GridFactor,
    Indicator,
    RuleSet,
)


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "unit",
            "unit_en",
            "definition_zh",
            "definition_en",
            "required",
            "allow_negative",
            "precision",
            "order",
            "change_measure",
            "change_lower",
            "change_upper",
            "change_basis",
            "parent_tolerance",
        ]


class IndicatorUpdateSerializer(IndicatorSerializer):
    class Meta(IndicatorSerializer.Meta):
        read_only_fields = ["id", "code"]


class FuelFactorSerializer(serializers.ModelSerializer):
    co2_per_tce = serializers.DecimalField(
        max_digits=20,
        decimal_places=6,
        read_only=True,
        help_text="The factor in tCO2/tce: a carbon content (tC/tce) × 44/12, a CO2 factor as it is.",
    )

    class Meta:
        model = FuelFactor
        fields = ["fuel", "value", "unit", "co2_per_tce", "source"]


class FuelFactorWriteSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=12, decimal_places=6, help_text="Positive, in `unit`.")
    unit = serializers.ChoiceField(choices=FactorUnit.choices, default=FactorUnit.CARBON)
    source = serializers.CharField(max_length=300)


class EmissionFactorSetSerializer(serializers.ModelSerializer):
    fuel_factors = FuelFactorSerializer(many=True, read_only=True)
    periods = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    copy_from = serializers.SlugRelatedField(
        slug_field="code",
        queryset=EmissionFactorSet.objects.all(),
        write_only=True,
        required=False,
        allow_null=True,
        help_text="Create only: start from a copy of this set's fuel factors.",
    )
    is_default = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Create only: make the new set the default (it needs a factor for every fuel). "
        "Afterwards use the set-default action.",
    )

    class Meta:
        model = EmissionFactorSet
        fields = ["id", "code", "name", "description", "is_default", "fuel_factors", "periods", "copy_from"]


class EmissionFactorSetUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmissionFactorSet
        fields = ["name", "description"]


class GridFactorSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(min_value=GRID_YEAR_MIN, max_value=GRID_YEAR_MAX)

    class Meta:
        model = GridFactor
        fields = ["year", "value_kg_per_kwh", "source"]


class PowerGridSerializer(serializers.ModelSerializer):
    factors = GridFactorSerializer(many=True, read_only=True)
    regions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Grid
        fields = ["id", "code", "name", "is_default", "factors", "regions"]
        read_only_fields = ["id", "is_default"]


class PowerGridUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grid
        fields = ["name"]


class PowerGridRegionsSerializer(serializers.Serializer):
    regions = serializers.ListField(
        child=serializers.CharField(max_length=6),
        allow_empty=True,
        help_text="GB/T 2260 codes of every region that uses this grid (replaces the current list).",
    )


class RuleSetSerializer(serializers.ModelSerializer):
    periods = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "code",
            "name",
            "description",
            "source",
            "intensity_excludes_feedstock",
            "intensity_excludes_nonfossil",
            "total_excludes_feedstock",
            "total_excludes_nonfossil",
            "total_deducts_new_renewables",
            "progress_method",
            "periods",
        ]


class RuleSetUpdateSerializer(RuleSetSerializer):
    class Meta(RuleSetSerializer.Meta):
        read_only_fields = ["id", "code", "periods"]
