"""The planner's REST layer: saved scenarios (list, save, read, delete, attach to a report as
its recovery plan) and the what-if without saving. Thin: the services in `planner` and
`scenarios` check permissions and validate; this layer parses and serializes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from apps.accounts import scoping
from apps.accounts.api.base import ScopedAPIView, ScopedViewSet
from apps.dashboards import planner, scenarios
from apps.dashboards.models import Scenario
from apps.regions.selectors import by_code
from apps.reports.models import Report


class ScenarioSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField(help_text="always 'scenario': projected, never approved data")
    region = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)
    data_version = serializers.CharField(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)
    attached_report = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Scenario
        fields = [
            "id",
            "kind",
            "region",
            "region_name",
            "name",
            "period",
            "latest_year",
            "assumptions",
            "outcome",
            "data_version",
            "data_run_id",
            "spec_version",
            "created_by",
            "created_at",
            "attached_report",
            "attached_at",
        ]

    def get_kind(self, obj) -> str:
        return "scenario"


class AssumptionSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    gdp_growth = serializers.FloatField(help_text="real GDP growth, % (−50 … 50)")
    energy_growth = serializers.FloatField(help_text="total energy consumption growth, % (−50 … 50)")
    nonfossil_added = serializers.FloatField(
        help_text="non-fossil energy added over the previous year, 10^4 tce"
    )


class PlannerRequestSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="region code")
    # Validated by the planner (all errors at once, each naming year and field), so kept raw here.
    assumptions = serializers.JSONField(help_text="one object per remaining year (see AssumptionSerializer)")


class ScenarioRequestSerializer(PlannerRequestSerializer):
    name = serializers.CharField(max_length=scenarios.NAME_MAX)


class AttachRequestSerializer(serializers.Serializer):
    report = serializers.IntegerField(help_text="id of one of the region's annual reports")


def _region(code: str):
    region = by_code(code)
    if region is None:
        raise APIValidationError({"region": ["unknown region code"]})
    return region


@extend_schema(parameters=[OpenApiParameter("region", str, description="region code")])
class ScenarioViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ScopedViewSet
):
    """Saved what-if scenarios of the remaining-years planner ("scenario": projections, never
    approved data). Read with READ_SCENARIOS; save, attach and delete with SAVE_SCENARIO."""

    queryset = Scenario.objects.select_related("region", "period", "created_by").order_by(
        "region__path", "-pk"
    )
    serializer_class = ScenarioSerializer
    read_action = scoping.Action.READ_SCENARIOS
    write_action = scoping.Action.SAVE_SCENARIO

    def filter_queryset(self, queryset):
        code = self.request.query_params.get("region")
        if code:
            queryset = queryset.filter(region=_region(code))
        return queryset

    @extend_schema(request=ScenarioRequestSerializer, responses={201: ScenarioSerializer})
    def create(self, request, *args, **kwargs):
        payload = ScenarioRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        scenario = scenarios.scenario_save(
            user=request.user,
            region=_region(data["region"]),
            name=data["name"],
            assumptions=data["assumptions"],
        )
        return Response(
            ScenarioSerializer(self.get_queryset().get(pk=scenario.pk)).data, status=status.HTTP_201_CREATED
        )

    def destroy(self, request, *args, **kwargs):
        scenarios.scenario_delete(user=request.user, scenario=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=AttachRequestSerializer, responses={200: ScenarioSerializer})
    @action(detail=True, methods=["post"])
    def attach(self, request, pk=None):
        """Attach the scenario to one of its region's annual reports as the report's recovery plan."""
        scenario = self.get_object()
        payload = AttachRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = Report.objects.filter(pk=payload.validated_data["report"]).first()
        if report is None:
            raise APIValidationError({"report": [scenarios.wrong_report_message()]})
        scenarios.scenario_attach_to_report(user=request.user, scenario=scenario, report=report)
        return Response(ScenarioSerializer(self.get_queryset().get(pk=scenario.pk)).data)


class PlannerView(ScopedAPIView):
    """What-if without saving: the projected completion, warnings and grade of each remaining year
    of the region's plan period, computed by the engine on the projected inputs (nothing stored)."""

    read_action = scoping.Action.READ_ASSESSMENTS
    write_action = scoping.Action.READ_ASSESSMENTS  # a POST that computes, writes nothing

    @extend_schema(request=PlannerRequestSerializer, responses={200: dict})
    def post(self, request):
        payload = PlannerRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        region = _region(payload.validated_data["region"])
        scoping.require(request.user, scoping.Action.READ_ASSESSMENTS, region=region)
        return Response(planner.what_if(region, payload.validated_data["assumptions"]))
