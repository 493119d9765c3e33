from rest_framework import serializers

from apps.organizations.models import Department, Sector


class DepartmentSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "region", "region_code", "region_name", "kind", "role", "name", "name_en"]


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "code", "name", "name_en", "lead_kind", "peak_plan_required"]
