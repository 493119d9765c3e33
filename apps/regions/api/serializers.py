from rest_framework import serializers

from apps.regions.models import Region


class RegionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)
    depth = serializers.IntegerField(read_only=True)
    children_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "parent_code", "path", "depth", "children_count"]
