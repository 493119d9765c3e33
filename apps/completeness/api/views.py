"""REST endpoints of report completeness: the grid (JSON and xlsx), reporting deadlines, reminders.

The paths stay under /api/v1/reports/ (see urls.py). Permissions are declared on each view
(roles.md: READ_COMPLETENESS reads the grid and the deadlines, EDIT_DEADLINES sets deadlines
and reads the reminder log).

- `GET /api/v1/reports/completeness/?city=360100&level=county&years=2021-2025`: the grid as
  the caller may see it (the same scoping and draft masking as the UI; see selectors.py).
- `GET /api/v1/reports/completeness/export/`: the same grid as an xlsx workbook.
- `/api/v1/reports/deadlines/` (lookup by year): grid readers read; provincial officials and
  administrators create, change, delete (403 otherwise); `{year}/history/`.
- `GET /api/v1/reports/reminders/`: the reminder log, for deadline editors only.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.accounts import scoping
from apps.accounts.api.base import ScopedAPIView, ScopedViewSet
from apps.accounts.scoping import Action
from apps.completeness import exports, selectors, services
from apps.completeness.models import ReminderLog, ReportingDeadline
from apps.regions.models import RegionLevel

from .filters import ReminderLogFilter
from .serializers import (
    DeadlineHistorySerializer,
    DeadlineSerializer,
    DeadlineUpdateSerializer,
    GridSerializer,
    ReminderLogSerializer,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the grid ----------------------------------------------------------------------------------------

GRID_PARAMETERS = [
    OpenApiParameter("city", str, description="A city's six-digit code: the city and its counties."),
    OpenApiParameter("level", str, enum=RegionLevel.values, description="Only regions of this level."),
    OpenApiParameter(
        "years", str, description="A year (2024) or a range (2021-2025); default: the last five report years."
    ),
    OpenApiParameter("year_from", int, description="First year, when `years` is not given."),
    OpenApiParameter("year_to", int, description="Last year, when `years` is not given."),
]


def _grid(request) -> selectors.Grid:
    filters = selectors.parse_filters(request.query_params, today=timezone.localdate())
    return selectors.build_grid(request.user, filters)


class CompletenessView(ScopedAPIView):
    """Report completeness: regions × years with each region-year's state as the caller may see it.

    Drafts are private to the region's staff: where the caller may not read drafts, not
    started, draft and returned reports all read `not_submitted`.
    """

    read_action = Action.READ_COMPLETENESS

    @extend_schema(
        parameters=GRID_PARAMETERS, responses={200: GridSerializer}, operation_id="reports_completeness"
    )
    def get(self, request):
        return Response(GridSerializer(_grid(request)).data)


class CompletenessExportView(ScopedAPIView):
    """The completeness grid as an xlsx workbook (same filters and scoping as the JSON)."""

    read_action = Action.READ_COMPLETENESS

    @extend_schema(
        parameters=GRID_PARAMETERS,
        responses={(200, XLSX): OpenApiTypes.BINARY},
        operation_id="reports_completeness_export",
    )
    def get(self, request):
        grid = _grid(request)
        response = HttpResponse(exports.grid_workbook(grid), content_type=XLSX)
        name = f"report-completeness-{grid.filters.year_from}-{grid.filters.year_to}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# --- deadlines ---------------------------------------------------------------------------------------


class ReportingDeadlineViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Reporting deadlines, one per report year (look up by year)."""

    queryset = ReportingDeadline.objects.select_related("updated_by").order_by("-year")
    serializer_class = DeadlineSerializer
    read_action = Action.READ_COMPLETENESS
    write_action = Action.EDIT_DEADLINES
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"
    filterset_fields = ["year"]
    ordering_fields = ["year", "due_date"]

    def scoped_queryset(self, user):
        """Deadlines bind every region: all of them, for whoever reads the grid."""
        return self.queryset.all() if scoping.scope_of(user, self.read_action) else self.queryset.none()

    def create(self, request, *args, **kwargs):
        payload = DeadlineSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        year = payload.validated_data["year"]
        if ReportingDeadline.objects.filter(year=year).exists():
            raise ValidationError({"year": ["A deadline is already set for this year; change it with PUT."]})
        deadline = self._set(year, payload.validated_data)
        return Response(DeadlineSerializer(deadline).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DeadlineUpdateSerializer, responses={200: DeadlineSerializer})
    def update(self, request, *args, **kwargs):
        current = self.get_object()
        payload = DeadlineUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        payload.is_valid(raise_exception=True)
        data = {"due_date": current.due_date, "note": current.note, **payload.validated_data}
        return Response(DeadlineSerializer(self._set(current.year, data)).data)

    @extend_schema(request=DeadlineUpdateSerializer, responses={200: DeadlineSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        deadline = self.get_object()
        services.deadline_delete(user=request.user, year=deadline.year)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _set(self, year: int, data: dict) -> ReportingDeadline:
        return services.deadline_set(
            user=self.request.user, year=year, due_date=data["due_date"], note=data.get("note", "")
        )

    @extend_schema(responses={200: DeadlineHistorySerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, year=None):
        """Every change of the year's deadline: who, when, what (also after its removal)."""
        rows = (
            ReportingDeadline.history.filter(year=year)
            .select_related("history_user")
            .order_by("-history_date")
        )
        return Response(DeadlineHistorySerializer(rows, many=True).data)


# --- the reminder log --------------------------------------------------------------------------------


class ReminderLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Reminder e-mails sent (one row per region, year and day), for deadline editors."""

    queryset = ReminderLog.objects.select_related("region").order_by("-sent_at", "-pk")
    serializer_class = ReminderLogSerializer
    read_action = Action.EDIT_DEADLINES
    filterset_class = ReminderLogFilter
    ordering_fields = ["sent_at", "year"]
