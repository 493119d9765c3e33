"""REST endpoints for sector plans. Reads go through the scoped selectors (outside the user's
read scope: never listed, 404 on detail); writes go through the services (refused: 403;
invalid: 400 with field errors)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from apps.accounts.api.base import ScopedViewSet
from apps.accounts.scoping import Action
from apps.core import conflicts
from apps.core.attachments import download_response
from apps.core.conflicts import ETagMixin

from .. import selectors, services
from ..filters import MeasureFilter, SectorPlanFilter
from ..models import Milestone, PlanTarget, ProgressNote, SectorPlan
from . import serializers as s


class PlansViewSetMixin:
    """Reads need READ_PLANS, writes EDIT_PLANS somewhere (else 403); rows come from scoped_queryset()."""

    read_action = Action.READ_PLANS
    write_action = Action.EDIT_PLANS

    def _input(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _output(self, instance, code=status.HTTP_200_OK, serializer_class=None):
        serializer_class = serializer_class or self.get_serializer_class()
        return Response(serializer_class(instance, context=self.get_serializer_context()).data, status=code)


PLAN_PK = OpenApiParameter("plan_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Sector plan id")


@extend_schema_view(
    list=extend_schema(summary="List sector peak plans in your read scope"),
    retrieve=extend_schema(summary="A sector peak plan"),
    create=extend_schema(request=s.SectorPlanCreateSerializer, responses={201: s.SectorPlanSerializer}),
    partial_update=extend_schema(
        request=s.SectorPlanUpdateSerializer,
        responses=s.SectorPlanSerializer,
        parameters=[conflicts.if_match_parameter()],
    ),
)
class SectorPlanViewSet(
    ETagMixin,
    PlansViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Sector carbon-peak plans (filters: `region`, `within`, `sector`, `department`,
    `department_kind`, `status`, `peak_year`, `overdue`, `q`)."""

    serializer_class = s.SectorPlanSerializer
    filterset_class = SectorPlanFilter
    search_fields = ["title"]
    ordering_fields = ["peak_year", "updated_at", "title"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self, user):
        return selectors.plan_list(user).select_related("created_by", "updated_by")

    def create(self, request, *args, **kwargs):
        data = self._input(s.SectorPlanCreateSerializer)
        plan = services.plan_create(user=request.user, **data)
        return self._output(self.get_queryset().get(pk=plan.pk), status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = dict(self._input(s.SectorPlanUpdateSerializer))
        expected = conflicts.api_expected_version(request, plan, data.pop("version", None))
        services.plan_update(user=request.user, plan=plan, expected_version=expected, **data)
        return self._output(self.get_queryset().get(pk=plan.pk))

    def update(self, request, *args, **kwargs):  # PATCH only (http_method_names)
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=s.PlanStatusSerializer, responses=s.SectorPlanSerializer)
    @action(detail=True, methods=["post"], url_path="set-status")
    def set_status(self, request, pk=None):
        """Adopt a draft (`in_force`, with `adopted_on`), mark a plan `revised`, or adopt a revision."""
        plan = self.get_object()
        data = self._input(s.PlanStatusSerializer)
        services.plan_set_status(user=request.user, plan=plan, **data)
        return self._output(self.get_queryset().get(pk=plan.pk))

    @extend_schema(responses=s.HistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """Every recorded change of the plan, its targets, measures, milestones and notes (newest first)."""
        plan = self.get_object()
        return Response(s.HistoryEntrySerializer(selectors.plan_history(plan), many=True).data)


@extend_schema_view(
    create=extend_schema(request=s.MeasureCreateSerializer, responses={201: s.MeasureSerializer}),
    partial_update=extend_schema(
        request=s.MeasureUpdateSerializer,
        responses=s.MeasureSerializer,
        parameters=[conflicts.if_match_parameter()],
    ),
)
class MeasureViewSet(
    ETagMixin,
    PlansViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Measures across plans (filters: `plan`, `region`, `within`, `sector`, `department`,
    `department_kind`, `status`, `overdue`, `q`)."""

    serializer_class = s.MeasureSerializer
    filterset_class = MeasureFilter
    search_fields = ["title"]
    ordering_fields = ["due_date", "start_date", "updated_at", "title"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self, user):
        return selectors.measure_list(user).prefetch_related("milestones")

    def create(self, request, *args, **kwargs):
        data = self._input(s.MeasureCreateSerializer)
        measure = services.measure_create(user=request.user, **data)
        return self._output(self.get_queryset().get(pk=measure.pk), status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        measure = self.get_object()
        data = dict(self._input(s.MeasureUpdateSerializer))
        expected = conflicts.api_expected_version(request, measure, data.pop("version", None))
        services.measure_update(user=request.user, measure=measure, expected_version=expected, **data)
        return self._output(self.get_queryset().get(pk=measure.pk))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=s.MeasureStatusSerializer, responses={201: s.ProgressNoteSerializer})
    @action(detail=True, methods=["post"], url_path="set-status")
    def set_status(self, request, pk=None):
        """Change the status; the change is recorded as a progress note, which is returned."""
        measure = self.get_object()
        data = self._input(s.MeasureStatusSerializer)
        note = services.measure_set_status(
            user=request.user,
            measure=measure,
            on=data["date"],
            status=data["status"],
            text=data["text"],
        )
        return self._output(note, status.HTTP_201_CREATED, s.ProgressNoteSerializer)


class PlanNestedMixin(PlansViewSetMixin):
    """Children of the plan in the URL. The plan must be reachable by the user: readable, or
    holding a measure the user may read (a department responsible for one of its measures)."""

    def scoped_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no plan in the URL
            return self.queryset_model.objects.none()
        return self.get_children(self.get_plan())

    def plan_queryset(self):
        return selectors.reachable_plans(self.request.user)

    def get_plan(self) -> SectorPlan:
        if not hasattr(self, "_plan"):
            self._plan = get_object_or_404(self.plan_queryset(), pk=self.kwargs["plan_pk"])
        return self._plan


@extend_schema(parameters=[PLAN_PK])
@extend_schema_view(
    create=extend_schema(request=s.PlanTargetInputSerializer, responses={201: s.PlanTargetSerializer}),
    partial_update=extend_schema(request=s.PlanTargetInputSerializer, responses=s.PlanTargetSerializer),
)
class PlanTargetViewSet(
    PlanNestedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Quantitative targets of a plan: a catalog `indicator` (code), or `metric_name` + `unit`."""

    serializer_class = s.PlanTargetSerializer
    pagination_class = None
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    queryset_model = PlanTarget

    def plan_queryset(self):
        return selectors.readable_plans(self.request.user)  # targets belong to the plan itself

    def get_children(self, plan):
        return PlanTarget.objects.filter(plan=plan).select_related("indicator")

    def create(self, request, *args, **kwargs):
        data = self._input(s.PlanTargetInputSerializer)
        target = services.target_add(user=request.user, plan=self.get_plan(), **data)
        return self._output(target, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        target = self.get_object()
        data = self._input(s.PlanTargetInputSerializer, partial=True)
        target = services.target_update(user=request.user, target=target, plan=self.get_plan(), **data)
        return self._output(target)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        target = self.get_object()
        services.target_delete(user=request.user, target=target, plan=self.get_plan())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[PLAN_PK])
@extend_schema_view(
    create=extend_schema(request=s.MilestoneInputSerializer, responses={201: s.MilestoneSerializer})
)
class PlanMilestoneViewSet(
    PlanNestedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ScopedViewSet,
):
    """Milestones of a plan's measures. A new milestone names its `measure`, which must belong
    to this plan (otherwise 400 on `measure`)."""

    serializer_class = s.MilestoneSerializer
    pagination_class = None
    filter_backends: list = []

    queryset_model = Milestone

    def get_children(self, plan):
        return Milestone.objects.filter(
            measure__plan=plan, measure__in=selectors.readable_measures(self.request.user)
        ).select_related("measure")

    def create(self, request, *args, **kwargs):
        plan = self.get_plan()
        data = self._input(s.MilestoneInputSerializer)
        milestone = services.milestone_add(user=request.user, plan=plan, **data)
        return self._output(milestone, status.HTTP_201_CREATED)

    @extend_schema(request=s.MilestoneCompleteSerializer, responses=s.MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, plan_pk=None, pk=None):
        """Mark the milestone done (`done_on`, default today)."""
        milestone = self.get_object()
        data = self._input(s.MilestoneCompleteSerializer)
        milestone = services.milestone_complete(
            user=request.user, milestone=milestone, plan=self.get_plan(), **data
        )
        return self._output(milestone)


@extend_schema(parameters=[PLAN_PK])
@extend_schema_view(
    create=extend_schema(
        request={
            "multipart/form-data": s.ProgressNoteInputSerializer,
            "application/json": s.ProgressNoteInputSerializer,
        },
        responses={201: s.ProgressNoteSerializer},
    )
)
class PlanProgressNoteViewSet(
    PlanNestedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ScopedViewSet,
):
    """Progress notes on a plan's measures, with optional attachment (PDF, xlsx, docx, PNG,
    JPEG; checked by content; size-limited) and status change. A new note names its `measure`,
    which must belong to this plan."""

    serializer_class = s.ProgressNoteSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_backends: list = []

    queryset_model = ProgressNote

    def get_children(self, plan):
        return (
            ProgressNote.objects.filter(
                measure__plan=plan, measure__in=selectors.readable_measures(self.request.user)
            )
            .select_related("measure", "author")
            .order_by("-date", "-id")
        )

    def create(self, request, *args, **kwargs):
        plan = self.get_plan()
        data = self._input(s.ProgressNoteInputSerializer)
        note = services.progress_note_add(user=request.user, plan=plan, **data)
        return self._output(note, status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file"),
            404: OpenApiResponse(description="No such note in your scope, or it has no attachment"),
        }
    )
    @action(detail=True, methods=["get"])
    def attachment(self, request, plan_pk=None, pk=None):
        """Download the note's file (permission-checked; never a public media URL)."""
        note = self.get_object()
        if not note.attachment:
            raise Http404
        return download_response(
            note.attachment, name=note.attachment_name, content_type=note.attachment_type
        )
