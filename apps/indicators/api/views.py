"""Catalog API: everyone signed in reads; provincial officials and administrators write (else 403)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.accounts.api.base import ScopedReadOnlyViewSet
from apps.accounts.scoping import Action
from apps.indicators import services
from apps.indicators.models import EmissionFactorSet, Fuel, FuelFactor, Grid, GridFactor, Indicator, RuleSet
from apps.regions.selectors import by_codes

from .serializers import (
    EmissionFactorSetSerializer,
    EmissionFactorSetUpdateSerializer,
    FuelFactorSerializer,
    FuelFactorWriteSerializer,
    GridFactorSerializer,
    IndicatorSerializer,
    IndicatorUpdateSerializer,
    PowerGridRegionsSerializer,
    PowerGridSerializer,
    PowerGridUpdateSerializer,
    RuleSetSerializer,
    RuleSetUpdateSerializer,
)


class _CatalogViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    read_action = Action.READ_REFERENCE
    write_action = Action.EDIT_CATALOG
    region_field = "pk"  # reference data: READ_REFERENCE is granted on every row
    lookup_field = "code"
    update_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class is not None:
            return self.update_serializer_class
        return super().get_serializer_class()

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self.serializer_class(self.get_object(), context=self.get_serializer_context()).data)


class IndicatorViewSet(_CatalogViewSet):
    """The indicator catalog (methodology §1). `code` is fixed once created."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    update_serializer_class = IndicatorUpdateSerializer
    filterset_fields = ["required", "allow_negative"]
    search_fields = ["code", "name_zh", "name_en"]

    def perform_create(self, serializer):
        serializer.instance = services.indicator_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.indicator_update(
            user=self.request.user,
            indicator=serializer.instance,
            **serializer.validated_data,
        )


class EmissionFactorSetViewSet(_CatalogViewSet):
    """Emission factor sets with their fuel factors (tC/tce or tCO2/tce, with sources) and their periods."""

    queryset = EmissionFactorSet.objects.prefetch_related(
        Prefetch("fuel_factors", queryset=FuelFactor.objects.order_by("fuel")), "periods"
    ).order_by("-is_default", "code")
    serializer_class = EmissionFactorSetSerializer
    update_serializer_class = EmissionFactorSetUpdateSerializer
    filterset_fields = ["is_default"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.factor_set_create(user=self.request.user, **data)

    def perform_update(self, serializer):
        data = serializer.validated_data
        instance = serializer.instance
        serializer.instance = services.factor_set_update(
            user=self.request.user,
            factor_set=instance,
            name=data.get("name", instance.name),
            description=data.get("description", instance.description),
        )

    @extend_schema(request=None, responses=EmissionFactorSetSerializer)
    @action(detail=True, methods=["post"], url_path="set-default")
    def set_default(self, request, code=None):
        """Make this the default factor set (the previous default stops being it)."""
        services.factor_set_mark_default(user=request.user, factor_set=self.get_object())
        return Response(EmissionFactorSetSerializer(self.get_object()).data)

    @extend_schema(
        request=FuelFactorWriteSerializer,
        responses={200: FuelFactorSerializer, 201: FuelFactorSerializer},
        parameters=[OpenApiParameter("fuel", str, OpenApiParameter.PATH, enum=Fuel.values)],
    )
    @action(detail=True, methods=["put"], url_path=r"fuel-factors/(?P<fuel>coal|oil|gas)")
    def fuel_factor(self, request, code=None, fuel=None):
        """Create or replace one fuel's factor in the set."""
        factor_set = self.get_object()
        existed = factor_set.fuel_factors.filter(fuel=fuel).exists()
        serializer = FuelFactorWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        factor = services.fuel_factor_set(
            user=request.user,
            factor_set=factor_set,
            fuel=fuel,
            **serializer.validated_data,
        )
        return Response(
            FuelFactorSerializer(factor).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class GridViewSet(_CatalogViewSet):
    """Power grids with their yearly factors (kgCO2/kWh) and the regions assigned to them."""

    queryset = Grid.objects.prefetch_related(
        Prefetch("factors", queryset=GridFactor.objects.order_by("year")), "regions"
    )
    serializer_class = PowerGridSerializer
    update_serializer_class = PowerGridUpdateSerializer
    filterset_fields = ["is_default"]

    def perform_create(self, serializer):
        serializer.instance = services.grid_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        instance = serializer.instance
        serializer.instance = services.grid_update(
            user=self.request.user,
            grid=instance,
            name=serializer.validated_data.get("name", instance.name),
        )

    @extend_schema(request=None, responses=PowerGridSerializer)
    @action(detail=True, methods=["post"], url_path="set-default")
    def set_default(self, request, code=None):
        """Make this the default grid (applies to every region not assigned to another grid)."""
        services.grid_mark_default(user=request.user, grid=self.get_object())
        return Response(PowerGridSerializer(self.get_object()).data)

    @extend_schema(request=GridFactorSerializer, responses={201: GridFactorSerializer})
    @action(detail=True, methods=["post"], url_path="factors")
    def add_factor(self, request, code=None):
        """Add the grid's factor for a year (2000–2100; 400 if the year already has one)."""
        grid = self.get_object()
        serializer = GridFactorSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        factor = services.grid_factor_create(user=request.user, grid=grid, **serializer.validated_data)
        return Response(GridFactorSerializer(factor).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PUT"],
        request=GridFactorSerializer,
        responses=GridFactorSerializer,
        parameters=[OpenApiParameter("year", int, OpenApiParameter.PATH)],
    )
    @extend_schema(
        methods=["DELETE"],
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("year", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["put", "delete"], url_path=r"factors/(?P<year>\d{4})")
    def factor(self, request, code=None, year=None):
        """Change (PUT) or remove (DELETE) the grid's factor for a year."""
        grid = self.get_object()
        factor = get_object_or_404(GridFactor, grid=grid, year=int(year))
        if request.method == "DELETE":
            services.grid_factor_delete(user=request.user, factor=factor)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = GridFactorSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        factor = services.grid_factor_update(user=request.user, factor=factor, **serializer.validated_data)
        return Response(GridFactorSerializer(factor).data)

    @extend_schema(request=PowerGridRegionsSerializer, responses=PowerGridSerializer)
    @action(detail=True, methods=["put"], url_path="regions")
    def set_regions(self, request, code=None):
        """Replace the list of regions that use this grid's factors."""
        grid = self.get_object()
        serializer = PowerGridRegionsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = serializer.validated_data["regions"]
        found = by_codes(codes)
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError(
                {
                    "regions": [
                        _("Unknown region code %(code)s.") % {"code": c} for c in dict.fromkeys(unknown)
                    ]
                }
            )
        services.grid_regions_set(
            user=request.user,
            grid=grid,
            regions=[found[c] for c in dict.fromkeys(codes)],
        )
        return Response(PowerGridSerializer(self.get_object()).data)


class RuleSetViewSet(_CatalogViewSet):
    """Rule sets (methodology §4): which energy counts for intensity and total, and the progress method."""

    queryset = RuleSet.objects.prefetch_related("periods")
    serializer_class = RuleSetSerializer
    update_serializer_class = RuleSetUpdateSerializer
    lookup_value_regex = r"[^/]+"

    def perform_create(self, serializer):
        serializer.instance = services.rule_set_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.rule_set_update(
            user=self.request.user,
            rule_set=serializer.instance,
            **serializer.validated_data,
        )
