"""`/api/v1/publications/`: publish (POST), list, detail, withdraw (`POST …/{id}/withdraw/`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.api.base import ScopedViewSet
from apps.accounts.scoping import Action
from apps.disclosure import groups as registry
from apps.disclosure import publications as service
from apps.disclosure.models import Publication


class PublicationSerializer(serializers.ModelSerializer):
    region = serializers.CharField(
        source="region.code", help_text="region code (the publication's subtree root)"
    )
    region_name = serializers.CharField(source="region.name")
    published_by = serializers.CharField(source="published_by.username")
    withdrawn_by = serializers.CharField(source="withdrawn_by.username", allow_null=True, default=None)
    edition = serializers.IntegerField(source="edition.number", help_text="edition of the frozen copy")
    figures_sha256 = serializers.CharField(source="edition.figures_sha256")

    class Meta:
        model = Publication
        fields = [
            "id",
            "year",
            "region",
            "region_name",
            "groups",
            "status",
            "data_version",
            "edition",
            "figures_sha256",
            "published_by",
            "published_at",
            "supersedes",
            "withdrawn_by",
            "withdrawn_at",
            "withdraw_reason",
        ]


class PublishRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    region = serializers.CharField(help_text="six-digit region code: the region and everything below it")
    groups = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="figure group keys; all groups when omitted"
    )

    def validate_groups(self, value):
        known = registry.keys()
        unknown = [g for g in value if g not in known]
        if unknown:
            raise serializers.ValidationError(f"choose among: {', '.join(registry.keys())}")
        return value


class WithdrawRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=service.REASON_MAX)


class PublicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Publications for the public (provincial officials and administrators: `publish`).

    POST freezes the year's figures of the region's subtree for the chosen groups (all when
    `groups` is omitted) and makes them public; publishing the same year and region again
    supersedes the previous publication. `withdraw` takes one off the public pages with a reason."""

    read_action = Action.PUBLISH
    write_action = Action.PUBLISH
    serializer_class = PublicationSerializer
    queryset = Publication.objects.select_related("region", "published_by", "withdrawn_by", "edition")
    filterset_fields = ["year", "status"]

    @extend_schema(request=PublishRequestSerializer, responses={201: PublicationSerializer})
    def create(self, request, *args, **kwargs):
        payload = PublishRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        publication = service.publish(
            user=request.user,
            year=payload.validated_data["year"],
            region=payload.validated_data["region"],
            groups=payload.validated_data.get("groups") or None,
        )
        return Response(PublicationSerializer(publication).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WithdrawRequestSerializer, responses={200: PublicationSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        publication = self.get_object()
        payload = WithdrawRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        publication = service.withdraw(
            user=request.user, publication=publication, reason=payload.validated_data["reason"]
        )
        return Response(PublicationSerializer(publication).data)
