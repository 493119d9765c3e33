import io

import django_filters
from django.db.models import Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as APIPermissionDenied
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from apps.accounts import scoping
from apps.accounts.api.base import ScopedReadOnlyViewSet, ScopedViewSet
from apps.core.cache import cached_fragment, params_key, scope_key
from apps.monitoring import dispatch, metrics, scoring, years
from apps.monitoring.models import FIGURE_TEXT_CHOICES, Assessment, CompleteYear, MeasuresScore, RecomputeRun
from apps.monitoring.selectors import attach_traces, write_export
from apps.regions.selectors import by_code

from .serializers import (
    AssessmentSerializer,
    CompleteYearRequestSerializer,
    CompleteYearSerializer,
    CompleteYearWithdrawSerializer,
    MeasuresScoreRequestSerializer,
    MeasuresScoreSerializer,
    MetricSerializer,
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
        """Each page is serialized once per jurisdiction, query and figures version and kept in the
        cache (`apps.core.cache`): figures change only with a run or a data load, and serializing a
        hundred of them cost more than everything else of the request."""
        key = (
            scope_key(request.user),
            params_key(request.query_params),
            request.build_absolute_uri("/"),  # the pagination links name the host
            years.figures_stamp(),
        )
        return Response(cached_fragment("assessments-api", key, lambda: self._page(request)))

    def _page(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = attach_traces(page if page is not None else queryset)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data).data if page is not None else data

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


class MetricViewSet(ScopedViewSet):
    """The metric catalog: every stored figure's code, names (zh/en), units, display precision
    and kind — the labels the pages and exports use (full precision stays in the figures)."""

    read_action = scoping.Action.READ_REFERENCE
    serializer_class = MetricSerializer
    lookup_field = "code"
    lookup_value_regex = "[a-z0-9_]+"
    pagination_class = None

    def get_queryset(self):  # rows come from the catalog file, not the database
        return CompleteYear.objects.none()

    @extend_schema(responses={200: MetricSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        return Response(MetricSerializer(list(metrics.catalog().values()), many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="metric code")],
        responses={200: MetricSerializer},
    )
    def retrieve(self, request, code: str, *args, **kwargs):
        entry = metrics.catalog().get(code)
        if entry is None:
            raise NotFound(f"unknown metric {code!r}")
        return Response(MetricSerializer(entry).data)


class CompleteYearViewSet(ScopedViewSet):
    """Years with figures: coverage in the caller's scope, declarations and the default year.

    POST declares a year complete (provincial officials): it becomes every dashboard's default
    year. DELETE withdraws a declaration, with a `reason` (body or query), kept in the history."""

    read_action = scoping.Action.READ_ASSESSMENTS
    write_action = scoping.Action.DECLARE_YEAR_COMPLETE
    serializer_class = CompleteYearSerializer
    queryset = CompleteYear.objects.all()
    lookup_field = "year"
    lookup_value_regex = "[0-9]{4}"
    pagination_class = None

    def scoped_queryset(self, user):  # declarations bind the whole portal: everyone reads them
        return self.queryset.all()

    @extend_schema(responses={200: CompleteYearSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        default = years.default_year(request.user)
        rows = [
            {
                "year": row.year,
                "regions_with_results": row.regions_with_results,
                "regions_in_scope": row.regions_in_scope,
                "coverage": round(row.share, 4),
                "covered": row.covered,
                "declared": row.declared is not None,
                "declared_by": _person_name(row.declared.declared_by) if row.declared else None,
                "declared_at": row.declared.declared_at if row.declared else None,
                "is_default": row.year == default,
            }
            for row in years.coverage(request.user)
        ]
        return Response(CompleteYearSerializer(rows, many=True).data)

    @extend_schema(request=CompleteYearRequestSerializer, responses={201: CompleteYearSerializer})
    def create(self, request, *args, **kwargs):
        payload = CompleteYearRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = years.declare_complete(request.user, payload.validated_data["year"])
        row = next((r for r in years.coverage(request.user) if r.year == entry.year), None)
        data = {
            "year": entry.year,
            "regions_with_results": row.regions_with_results if row else 0,
            "regions_in_scope": row.regions_in_scope if row else 0,
            "coverage": round(row.share, 4) if row else 0.0,
            "covered": row.covered if row else False,
            "declared": True,
            "declared_by": _person_name(entry.declared_by),
            "declared_at": entry.declared_at,
            "is_default": years.default_year(request.user) == entry.year,
        }
        return Response(CompleteYearSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, OpenApiParameter.PATH),
            OpenApiParameter("reason", str, description="why (or in the body)"),
        ],
        request=CompleteYearWithdrawSerializer,
        responses={204: None},
    )
    def destroy(self, request, year: str, *args, **kwargs):
        reason = request.data.get("reason") if hasattr(request.data, "get") else None
        reason = reason or request.query_params.get("reason", "")
        years.withdraw_complete(request.user, int(year), reason)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _person_name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username
