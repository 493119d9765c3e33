import io

import django_filters
from django.db.models import Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as APIPermissionDenied
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from apps.accounts import scoping
from apps.accounts.api.base import ScopedReadOnlyViewSet, ScopedViewSet
from apps.monitoring import dispatch, scoring
from apps.monitoring.models import FIGURE_TEXT_CHOICES, Assessment, MeasuresScore, RecomputeRun
from apps.monitoring.selectors import attach_traces, write_export
from apps.regions.selectors import by_code

from .serializers import (
    AssessmentSerializer,
    MeasuresScoreRequestSerializer,
    MeasuresScoreSerializer,
    RecomputeRequestSerializer,
    RecomputeRunSerializer,
)


class AssessmentFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code", label="region code")
    year = django_filters.NumberFilter()
    year_from = django_filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_to = django_filters.NumberFilter(field_name="year", lookup_expr="lte")
    metric = django_filters.CharFilter()
    level = django_filters.ChoiceFilter(choices=FIGURE_TEXT_CHOICES, label="warning level or text")

    class Meta:
        model = Assessment
        fields = ["region", "year", "metric", "level"]


class AssessmentViewSet(ScopedReadOnlyViewSet):
    """Computed figures (methodology spec v1) with their formula, inputs, rule set and factor set."""

    queryset = Assessment.objects.select_related("region").order_by("region__path", "year", "metric")
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    read_action = scoping.Action.READ_ASSESSMENTS
    ordering_fields = ["year", "metric", "region__code"]

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = attach_traces(page if page is not None else queryset)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(attach_traces([self.get_object()])[0]).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str),
            OpenApiParameter("year", int),
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The assessments CSV of exchange.md, limited to what the caller may read."""
        region = None
        if request.query_params.get("region"):
            region = by_code(request.query_params["region"])
            if region is None:
                raise APIValidationError({"region": "unknown region code"})
        year = request.query_params.get("year")
        if year is not None and not year.isdigit():
            raise APIValidationError({"year": "must be a year"})
        out = io.StringIO()
        write_export(out, year=int(year) if year else None, region=region, user=request.user)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="assessments.csv"'
        return response


class RecomputeRunViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Recompute runs: POST starts one (region and year optional) and answers with its status URL.

    Runs are read and started by those who may start a recompute (roles.md), like the runs page.
    """

    serializer_class = RecomputeRunSerializer
    read_action = write_action = scoping.Action.START_RECOMPUTE
    queryset = RecomputeRun.objects.select_related("scope_region")

    def scoped_queryset(self, user):
        """Runs over the whole portal (no region) and runs of regions where the user may start one."""
        regions = scoping.regions_for(user, self.read_action)
        return self.queryset.filter(Q(scope_region__isnull=True) | Q(scope_region__in=regions))

    @extend_schema(request=RecomputeRequestSerializer, responses={202: RecomputeRunSerializer})
    def create(self, request, *args, **kwargs):
        payload = RecomputeRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        region = None
        if payload.validated_data.get("region"):
            region = by_code(payload.validated_data["region"])
            if region is None:
                raise APIValidationError({"region": "unknown region code"})
        if not scoping.can(request.user, scoping.Action.START_RECOMPUTE, region=region):
            raise APIPermissionDenied("you may not start a recompute")
        run = dispatch.run_start(
            user=request.user,
            region=region,
            year=payload.validated_data.get("year"),
            reason=payload.validated_data.get("reason", ""),
        )
        data = RecomputeRunSerializer(run, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["status_url"]})


class MeasuresScoreFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code", label="region code")
    year = django_filters.NumberFilter()

    class Meta:
        model = MeasuresScore
        fields = ["region", "year"]


class MeasuresScoreViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """§9 measures scores (0–60) per region and year. Read by those who read the region's
    assessments; POST (provincial officials, administrators) enters or changes one and
    recomputes the region, whose grade then leaves "pending review"."""

    serializer_class = MeasuresScoreSerializer
    filterset_class = MeasuresScoreFilter
    queryset = MeasuresScore.objects.select_related("region", "entered_by").order_by("region__path", "year")
    read_action = scoping.Action.READ_ASSESSMENTS
    write_action = scoping.Action.ENTER_MEASURES_SCORE

    @extend_schema(
        request=MeasuresScoreRequestSerializer,
        responses={200: MeasuresScoreSerializer, 201: MeasuresScoreSerializer},
    )
    def create(self, request, *args, **kwargs):
        payload = MeasuresScoreRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        region = by_code(data["region"])
        if region is None:
            raise APIValidationError({"region": "unknown region code"})
        existed = MeasuresScore.objects.filter(region=region, year=data["year"]).exists()
        entry = scoring.measures_score_set(
            user=request.user,
            region=region,
            year=data["year"],
            score=data["score"],
            comment=data.get("comment", ""),
        )
        entry = self.queryset.get(pk=entry.pk)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(MeasuresScoreSerializer(entry).data, status=code)
