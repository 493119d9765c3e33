"""REST API of annual reports. Reads through `selectors.readable_reports` (a report the user may
not read is a 404), writes through the services (refused: 403; wrong state: 409; bad input: 400)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from apps.accounts.api.base import ScopedViewSet
from apps.accounts.scoping import Action
from apps.core import conflicts
from apps.core.attachments import download_response
from apps.core.conflicts import ETagMixin
from apps.core.tables import ImportRejected
from apps.regions.selectors import by_code
from apps.reports import selectors, services, workbook
from apps.reports.forms import ReportFilterForm
from apps.reports.models import Attachment, Report, ReportSection, ReportValue

from . import serializers as s
from .filters import ReportFilter, ReportValueFilter


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The report is not in a state that allows this."
    default_code = "conflict"


def _run(call):
    """A workflow service: a transition the report's state does not allow is 409 (other
    ValidationErrors 400 and PermissionDenied 403 come from the one exception handler)."""
    try:
        return call()
    except services.InvalidTransition as exc:
        raise Conflict(" ".join(exc.messages)) from None


def _issues(result):
    return {
        "errors": s.IssueSerializer(result.errors, many=True).data,
        "warnings": s.IssueSerializer(result.warnings, many=True).data,
    }


EXPORT_PARAMS = [
    OpenApiParameter(
        "content", str, enum=["reports", "values"], description="what to export (default reports)"
    ),
    OpenApiParameter("file_format", str, enum=["csv", "xlsx"], description="file format (default csv)"),
]


@extend_schema_view(
    list=extend_schema(summary="Reports the user may read (filters: region, city, year, status, in_force)"),
    retrieve=extend_schema(summary="One report revision with values, sections, attachments and timeline"),
)
class ReportViewSet(ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Annual progress reports (one row per revision). Drafts are visible to their region only.

    Reading needs READ_APPROVED_REPORT (every role that reads reports at all holds it; the rows
    are then `selectors.readable_reports`); each write names the action it needs, the service
    checks it again for the report's region.
    """

    read_action = Action.READ_APPROVED_REPORT
    write_action = Action.EDIT_OWN_REPORT  # create, save, submit, attachments
    etag_wrapper = "report"
    action_actions = {
        "forward": Action.REVIEW_COUNTY_REPORT,
        "return_": (Action.REVIEW_COUNTY_REPORT, Action.APPROVE_REPORT),
        "approve": Action.APPROVE_REPORT,
        "open_revision": Action.OPEN_REVISION,
        "import_": Action.IMPORT_VALUES,
    }
    filterset_class = ReportFilter
    ordering_fields = ["year", "region__code", "status", "updated_at"]
    search_fields = ["region__name", "region__code"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = Report.objects.none()

    def scoped_queryset(self, user):
        qs = selectors.readable_reports(user).select_related("region")
        qs = qs.prefetch_related(
            Prefetch(
                "values",
                queryset=ReportValue.objects.select_related("indicator").order_by("indicator__order"),
            ),
            Prefetch("sections", queryset=ReportSection.objects.order_by("area")),
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related("attachments", "events__actor")
        return qs.order_by("-year", "region__path", "-revision")

    def get_serializer_class(self):
        return s.ReportDetailSerializer if self.action == "retrieve" else s.ReportSerializer

    def _detail(self, report, code=status.HTTP_200_OK):
        report = self.get_queryset().filter(pk=report.pk).first()
        if report is None:  # e.g. it became private to its region
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(
            s.ReportDetailSerializer(report, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        request=s.ReportCreateSerializer,
        responses={200: s.ReportDetailSerializer, 201: s.ReportDetailSerializer},
        summary="Open the current report of a region and year, creating a draft if there is none",
    )
    def create(self, request):
        data = s.ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        region = by_code(data.validated_data["region_code"])
        if region is None:
            raise ValidationError({"region_code": ["Unknown region code."]})
        report, created = _run(
            lambda: services.report_get_or_create(
                user=request.user, region=region, year=data.validated_data["year"]
            )
        )
        return self._detail(report, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=s.ReportSaveSerializer,
        responses={200: s.SaveResultSerializer},
        parameters=[conflicts.if_match_parameter()],
        summary="Save values, notes, sections of a draft (saved even with validation errors)",
        description="Send the `version` you loaded (or the ETag in `If-Match`): when the report was "
        "saved since (by someone else or an import), nothing is saved and the answer is 409 "
        "(412 for If-Match) naming the current version.",
    )
    def partial_update(self, request, pk=None):
        report = self.get_object()
        data = s.ReportSaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        expected = conflicts.api_expected_version(request, report, d.get("version"))
        result = _run(
            lambda: services.report_save_values(
                user=request.user,
                report=report,
                values=d.get("values"),
                notes=d.get("notes"),
                sections=d.get("sections"),
                remarks=d.get("remarks"),
                expected_version=expected,
            )
        )
        report = self.get_queryset().get(pk=report.pk)
        return Response({"report": s.ReportSerializer(report).data, **_issues(result)})

    def _transition(self, request, call):
        report = self.get_object()  # 404 unless readable
        updated = _run(lambda: call(report))
        return self._detail(updated)

    @extend_schema(
        request=None, responses={200: s.ReportDetailSerializer}, summary="Submit a draft or returned report"
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, lambda r: services.report_submit(user=request.user, report=r))

    @extend_schema(
        request=s.CommentSerializer,
        responses={200: s.ReportDetailSerializer},
        summary="City: forward a county report",
    )
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        data = s.CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = data.validated_data.get("comment", "")
        return self._transition(
            request, lambda r: services.report_forward(user=request.user, report=r, comment=comment)
        )

    @extend_schema(
        request=s.ReturnSerializer,
        responses={200: s.ReturnedSerializer},
        summary="Return a report for revision with a reason (and reasons per field)",
        description="The returned report is private to its region again; the answer is its id and status.",
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        report = self.get_object()
        data = s.ReturnSerializer(data=request.data)
        if not data.is_valid():
            # a refused user learns nothing more than "refused", whatever the body
            _run(
                lambda: services.report_return(user=request.user, report=report, reason="", field_reasons={})
            )
            data.is_valid(raise_exception=True)
        d = data.validated_data
        returned = _run(
            lambda: services.report_return(
                user=request.user, report=report, reason=d["reason"], field_reasons=d.get("field_reasons")
            )
        )
        return Response(s.ReturnedSerializer(returned).data)

    @extend_schema(
        request=None, responses={200: s.ReportDetailSerializer}, summary="Province: approve a report"
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, lambda r: services.report_approve(user=request.user, report=r))

    @extend_schema(
        request=s.ReasonSerializer,
        responses={201: s.ReportDetailSerializer},
        summary="Open a revision of an approved report (returns the new draft revision)",
    )
    @action(detail=True, methods=["post"], url_path="open-revision")
    def open_revision(self, request, pk=None):
        report = self.get_object()
        reason = request.data.get("reason", "") if hasattr(request.data, "get") else ""
        revision = _run(
            lambda: services.report_open_revision(user=request.user, report=report, reason=reason)
        )
        return self._detail(revision, status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.DiffSerializer}, summary="Changes from the previous revision")
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        report = self.get_object()
        if report.previous_id is None or not selectors.can_read(request.user, report.previous):
            raise Http404
        d = selectors.revision_diff(report.previous, report)
        return Response(
            {
                "old_revision": d.old.revision,
                "new_revision": d.new.revision,
                "values": [vars(c) for c in d.values],
                "sections": [vars(c) for c in d.sections],
                "attachments_added": d.attachments_added,
                "attachments_removed": d.attachments_removed,
            }
        )

    @extend_schema(
        responses={200: s.SaveResultSerializer}, summary="Validation errors and warnings of the report"
    )
    @action(detail=True, methods=["get"])
    def validation(self, request, pk=None):
        report = self.get_object()
        return Response(
            {"report": s.ReportSerializer(report).data, **_issues(services.report_validate(report))}
        )

    @extend_schema(
        responses={(200, workbook.XLSX): OpenApiTypes.BINARY}, summary="The report's Excel template"
    )
    @action(detail=True, methods=["get"])
    def template(self, request, pk=None):
        report = self.get_object()
        response = HttpResponse(workbook.build_template(report), content_type=workbook.XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="report_{report.region.code}_{report.year}.xlsx"'
        )
        return response

    @extend_schema(
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer},
        summary="Attach a file (PDF, xlsx, docx, PNG, JPEG; checked by content)",
    )
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        report = self.get_object()
        data = s.AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = _run(
            lambda: services.attachment_add(
                user=request.user,
                report=report,
                upload=data.validated_data["file"],
                description=data.validated_data.get("description", ""),
            )
        )
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Download",
    )
    @extend_schema(methods=["DELETE"], responses={204: None}, summary="Remove an attachment from a draft")
    @action(detail=True, methods=["get", "delete"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request, pk=None, attachment_id=None):
        report = self.get_object()
        attachment = get_object_or_404(Attachment, pk=attachment_id, report=report)
        if request.method == "DELETE":
            _run(lambda: services.attachment_remove(user=request.user, attachment=attachment))
            return Response(status=status.HTTP_204_NO_CONTENT)
        return download_response(
            attachment.file, name=attachment.original_name, content_type=attachment.content_type
        )

    @extend_schema(
        request={"multipart/form-data": s.ImportSerializer},
        responses={200: s.ImportResultSerializer, 400: s.ImportErrorSerializer},
        summary="Import a values file (region_code,year,indicator,value[,note]); all-or-nothing",
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_(self, request):
        data = s.ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            result = services.values_import(
                user=request.user,
                file=upload,
                filename=upload.name,
                approve=data.validated_data["approve"],
                submit=data.validated_data["submit"],
            )
        except ImportRejected as exc:
            return Response(
                {
                    "detail": "The file was rejected; nothing was saved.",
                    "errors": [{"row": e.row or None, "message": e.message} for e in exc.row_errors],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {
                "rows": result.rows,
                "summary": result.summary(),
                "created": [r.pk for r in result.created],
                "updated": [r.pk for r in result.updated],
                "unchanged": [r.pk for r in result.unchanged],
                "submitted": [r.pk for r in result.submitted],
                "approved": [r.pk for r in result.approved],
            }
        )

    @extend_schema(
        parameters=EXPORT_PARAMS,
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, workbook.XLSX): OpenApiTypes.BINARY},
        summary="CSV or xlsx of the reports or of their values (same filters and scoping as the list)",
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        content = request.query_params.get("content", "reports")
        fmt = request.query_params.get("file_format", "csv")
        if content not in ("reports", "values") or fmt not in ("csv", "xlsx"):
            return Response({"detail": "content: reports|values; file_format: csv|xlsx"}, status=400)
        reports = self.filter_queryset(selectors.readable_reports(request.user).select_related("region"))
        filters = workbook.filter_texts(ReportFilterForm(request.query_params))
        return workbook.export_download(content, fmt, reports, filters=filters)


@extend_schema_view(
    list=extend_schema(
        summary="Values of the reports the user may read (filters: region, city, year, indicator, …)"
    )
)
class ReportValueViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Indicator values, one row per report revision and indicator; `in_force=true` gives approved figures."""

    read_action = Action.READ_APPROVED_REPORT
    serializer_class = s.ValueRowSerializer
    filterset_class = ReportValueFilter
    ordering_fields = ["report__year", "report__region__code", "indicator__code"]
    queryset = ReportValue.objects.none()

    def scoped_queryset(self, user):
        return (
            selectors.readable_values(user)
            .select_related("report__region", "indicator")
            .order_by("report__region__path", "report__year", "report__revision", "indicator__order")
        )
