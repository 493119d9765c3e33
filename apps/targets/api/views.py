"""Plan periods and region targets API.

Reads: periods, everyone signed in; targets, `Action.READ_TARGETS` (the subtree and the regions
above it, roles.md v1.1: a target outside it is a 404 and never listed). Writes: targets through
`services.target_set` / `target_delete` / `targets_import` (`Action.SET_TARGETS`, scoped by region:
403 outside it, naming the field),
a period's rule set / factor set through `services.period_assign` (`Action.EDIT_CATALOG`).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from apps.accounts.api.base import ScopedReadOnlyViewSet
from apps.accounts.scoping import Action
from apps.core import conflicts
from apps.core.conflicts import ETagMixin
from apps.core.tables import ImportRejected
from apps.regions.selectors import by_code
from apps.targets import services
from apps.targets.models import PlanPeriod, RegionTarget

from .filters import RegionTargetFilter
from .serializers import (
    PlanPeriodSerializer,
    RegionTargetSerializer,
    RegionTargetUpdateSerializer,
    TargetImportRejectedSerializer,
    TargetImportResultSerializer,
    TargetImportSerializer,
)


class PlanPeriodViewSet(mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Plan periods (13th, 14th, 15th FYP). PUT/PATCH changes rule set and factor set (catalog editors)."""

    queryset = PlanPeriod.objects.select_related("rule_set", "factor_set")
    serializer_class = PlanPeriodSerializer
    read_action = Action.READ_REFERENCE
    write_action = Action.EDIT_CATALOG
    region_field = "pk"
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def perform_update(self, serializer):
        period = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.period_assign(
            user=self.request.user,
            period=period,
            rule_set=data.get("rule_set", period.rule_set),
            factor_set=data.get("factor_set", period.factor_set),
        )


class RegionTargetViewSet(
    ETagMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedReadOnlyViewSet,
):
    """Region targets per plan period.

    Filters: `region` code, `within` a subtree, `period` code, `metric`, `year`.

    POST creates the target or, when the region already has one for that period, metric
    and year, replaces its value and note. PUT/PATCH change value and note, against the
    `version` in the body or the ETag in `If-Match` (409 / 412 when saved since); DELETE removes.
    """

    queryset = RegionTarget.objects.select_related("region", "period", "updated_by").order_by(
        "region__path", "period__base_year", "metric", "year"
    )
    serializer_class = RegionTargetSerializer
    filterset_class = RegionTargetFilter
    read_action = Action.READ_TARGETS
    write_action = Action.SET_TARGETS
    region_field = "region"
    lookup_value_regex = r"\d+"
    ordering_fields = ["region__code", "period__base_year", "metric", "year", "value", "updated_at"]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return RegionTargetUpdateSerializer
        return super().get_serializer_class()

    @staticmethod
    def _refused(region) -> PermissionDenied:
        return PermissionDenied(
            {
                "region": [
                    _("You may not set targets for %(region)s: it is outside your jurisdiction.")
                    % {"region": region}
                ]
            }
        )

    @extend_schema(responses={201: RegionTargetSerializer, 200: RegionTargetSerializer})
    def create(self, request, *args, **kwargs):
        serializer = RegionTargetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        region = by_code(data["region"]["code"])
        if region is None:
            raise ValidationError(
                {"region": [_("No region has the code %(code)s.") % {"code": data["region"]["code"]}]}
            )
        existed = RegionTarget.objects.filter(
            region=region, period=data["period"], metric=data["metric"], year=data.get("year")
        ).exists()
        try:
            target = services.target_set(
                user=request.user,
                region=region,
                period=data["period"],
                metric=data["metric"],
                year=data.get("year"),
                value=data["value"],
                note=data.get("note", ""),
            )
        except DjangoPermissionDenied:
            raise self._refused(region)
        return Response(
            RegionTargetSerializer(target).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=RegionTargetUpdateSerializer,
        responses=RegionTargetSerializer,
        parameters=[conflicts.if_match_parameter()],
    )
    def update(self, request, *args, **kwargs):
        target = self.get_object()
        serializer = RegionTargetUpdateSerializer(
            target, data=request.data, partial=kwargs.pop("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expected = conflicts.api_expected_version(request, target, data.get("version"))
        try:
            target = services.target_set(
                user=request.user,
                region=target.region,
                period=target.period,
                metric=target.metric,
                year=target.year,
                value=data.get("value", target.value),
                note=data.get("note", target.note),
                expected_version=expected,
            )
        except DjangoPermissionDenied:
            raise self._refused(target.region)
        return Response(RegionTargetSerializer(self.get_queryset().get(pk=target.pk)).data)

    @extend_schema(
        request=RegionTargetUpdateSerializer,
        responses=RegionTargetSerializer,
        parameters=[conflicts.if_match_parameter()],
    )
    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        try:
            services.target_delete(user=self.request.user, target=instance)
        except DjangoPermissionDenied:
            raise self._refused(instance.region)

    @extend_schema(
        request={"multipart/form-data": TargetImportSerializer},
        responses={
            200: TargetImportResultSerializer,
            400: OpenApiResponse(TargetImportRejectedSerializer, description="Rejected: nothing saved."),
            403: OpenApiResponse(description="The user may not set targets."),
        },
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """Import a targets file (shared/spec/exchange.md): all-or-nothing, errors listed by row number."""
        serializer = TargetImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            result = services.targets_import(user=request.user, file=upload, filename=upload.name)
        except ImportRejected as error:
            return Response(
                {
                    "detail": _("The file was rejected; nothing was saved."),
                    "errors": [
                        {"row": e.row, "field": e.field, "message": e.message} for e in error.row_errors
                    ],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
