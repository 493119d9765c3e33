from rest_framework import serializers

from apps.accounts.models import User


class MeSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", default=None, read_only=True)
    department_name = serializers.CharField(source="department.name", default=None, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "role",
            "region",
            "region_code",
            "department",
            "department_name",
        ]
        read_only_fields = fields


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="send as `Authorization: Token <token>`")
    expires_at = serializers.DateTimeField(read_only=True, help_text="after this the token is refused (401)")
