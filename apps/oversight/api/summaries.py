"""The oversight summaries' REST layer (thin): issued editions with their frozen files, a region-
year's summary state with its draft actions (save, review, issue), and the draft rendered now.
The services in `apps.oversight.summaries` check permission on the region and validate."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.accounts import scoping
from apps.accounts.api.base import ScopedAPIView, ScopedViewSet
from apps.core.models import FrozenEdition
from apps.regions.models import Region

from .. import documents, summaries
from ..models import SummaryDraft

Action = scoping.Action
READ = (Action.READ_SUMMARIES, Action.DRAFT_SUMMARY)


class EditionFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    format = serializers.SerializerMethodField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_format(self, obj) -> str:
        return obj.name.rsplit(".", 1)[-1]

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = f"/api/v1/oversight/summary-editions/{obj.edition_id}/files/{self.get_format(obj)}/"
        return request.build_absolute_uri(path) if request else path


class EditionSerializer(serializers.ModelSerializer):
    region = serializers.SerializerMethodField(help_text="region code")
    level = serializers.SerializerMethodField()
    year = serializers.SerializerMethodField()
    issued_by = serializers.CharField(source="issued_by.username", read_only=True)
    files = EditionFileSerializer(many=True, read_only=True)

    class Meta:
        model = FrozenEdition
        fields = [
            "id",
            "region",
            "level",
            "year",
            "number",
            "title",
            "data_version",
            "figures_sha256",
            "sha256",
            "issued_by",
            "issued_at",
            "supersedes",
            "correction_reason",
            "files",
        ]

    def _region(self, obj) -> Region | None:
        regions = self.context.setdefault("regions", {})
        region_id, _year = summaries.edition_region_year(obj)
        if region_id not in regions:
            regions[region_id] = Region.objects.filter(pk=region_id).first()
        return regions[region_id]

    def get_region(self, obj) -> str:
        region = self._region(obj)
        return region.code if region else ""

    def get_level(self, obj) -> str:
        region = self._region(obj)
        return region.level if region else ""

    def get_year(self, obj) -> int:
        return summaries.edition_region_year(obj)[1]


class EditionDetailSerializer(EditionSerializer):
    figures = serializers.JSONField(read_only=True, help_text="the frozen figures (canonical JSON)")
    changes = serializers.SerializerMethodField(help_text="what changed from the edition it supersedes")

    class Meta(EditionSerializer.Meta):
        fields = [*EditionSerializer.Meta.fields, "figures", "changes"]

    def get_changes(self, obj) -> list[dict]:
        if not obj.supersedes_id:
            return []
        diff = summaries.edition_diff(obj.supersedes, obj)
        return [{"path": c.path, "old": c.old, "new": c.new} for c in diff.changes]


@extend_schema(
    parameters=[
        OpenApiParameter("region", str, description="region code"),
        OpenApiParameter("year", int, description="year"),
    ]
)
class SummaryEditionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Issued (frozen) oversight summary editions the user may read (READ_SUMMARIES): the
    subtree for congress members, the own region for county and city staff and departments."""

    queryset = FrozenEdition.objects.none()
    serializer_class = EditionSerializer
    read_action = Action.READ_SUMMARIES

    def scoped_queryset(self, user):
        return summaries.readable_editions(user).prefetch_related("files").order_by("-issued_at", "-number")

    def get_serializer_class(self):
        return EditionDetailSerializer if self.action == "retrieve" else EditionSerializer

    def filter_queryset(self, queryset):
        code, year = self.request.query_params.get("region"), self.request.query_params.get("year")
        if code:
            if not code.isdigit():
                raise ValidationError({"region": [_("A region code is six digits, e.g. 360102.")]})
            ids = list(Region.objects.filter(code=code).values_list("pk", flat=True))
            queryset = queryset.filter(subject_key__regex=rf"^({'|'.join(map(str, ids)) or '0'})/")
        if year:
            if not year.isdigit():
                raise ValidationError({"year": [_("A year is a number, e.g. 2025.")]})
            queryset = queryset.filter(subject_key__endswith=f"/{year}")
        return queryset

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<fmt>[a-z]+)")
    def file(self, request, pk=None, fmt=None):
        """A frozen file of the edition, exactly as issued (its SHA-256 in `X-Content-SHA256`)."""
        edition = self.get_object()
        found = edition.files.filter(name__endswith=f".{fmt}").first() if fmt in documents.FORMATS else None
        if found is None:
            raise Http404
        response = FileResponse(
            found.file.open("rb"), content_type=found.content_type, as_attachment=True, filename=found.name
        )
        response["X-Content-SHA256"] = found.sha256
        return response


class DraftSerializer(serializers.ModelSerializer):
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, allow_null=True)

    class Meta:
        model = SummaryDraft
        fields = ["status", "next_steps", "created_at", "updated_at", "reviewed_by", "reviewed_at"]


class SummaryStateSerializer(serializers.Serializer):
    region = serializers.CharField()
    level = serializers.CharField()
    year = serializers.IntegerField()
    draft = DraftSerializer(allow_null=True, help_text="only for those who draft the region's summary")
    editions = EditionSerializer(many=True)


class SaveSerializer(serializers.Serializer):
    next_steps = serializers.CharField(allow_blank=True, max_length=summaries.NEXT_STEPS_MAX)


class SummaryIssueSerializer(serializers.Serializer):
    correction_reason = serializers.CharField(
        allow_blank=True, required=False, help_text="required from the second edition on"
    )


def _region(user, level: str, code: str, actions) -> Region:
    for action_ in actions:
        region = summaries.readable_region(user, action_, level, code)
        if region is not None:
            return region
    raise Http404


def _state(request, region: Region, year: int) -> dict:
    may_draft = scoping.can(request.user, Action.DRAFT_SUMMARY, region=region)
    may_read = scoping.can(request.user, Action.READ_SUMMARIES, region=region)
    editions = (
        list(summaries.editions_for(region, year).prefetch_related("files")) if may_read or may_draft else []
    )
    return {
        "region": region.code,
        "level": region.level,
        "year": year,
        "draft": summaries.draft_of(region, year) if may_draft else None,
        "editions": editions,
    }


class SummaryView(ScopedAPIView):
    """A region-year's summary: its issued editions and, for the government side, the working draft."""

    read_action = READ

    @extend_schema(responses={200: SummaryStateSerializer})
    def get(self, request, level: str, code: str, year: int):
        region = _region(request.user, level, code, READ)
        if not (summaries.has_figures(region, year) or summaries.editions_for(region, year).exists()):
            raise Http404
        return Response(
            SummaryStateSerializer(_state(request, region, year), context={"request": request}).data
        )


class SummarySaveView(ScopedAPIView):
    """Create or edit the draft's text (next steps); an issued draft starts the next edition."""

    read_action = write_action = Action.DRAFT_SUMMARY

    @extend_schema(request=SaveSerializer, responses={200: SummaryStateSerializer})
    def post(self, request, level: str, code: str, year: int):
        region = _region(request.user, level, code, (Action.DRAFT_SUMMARY,))
        payload = SaveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        summaries.summary_save(
            user=request.user, region=region, year=year, next_steps=payload.validated_data["next_steps"]
        )
        return Response(
            SummaryStateSerializer(_state(request, region, year), context={"request": request}).data
        )


class SummaryReviewView(ScopedAPIView):
    """Mark the draft reviewed (ready to issue)."""

    read_action = write_action = Action.DRAFT_SUMMARY

    @extend_schema(request=None, responses={200: SummaryStateSerializer})
    def post(self, request, level: str, code: str, year: int):
        region = _region(request.user, level, code, (Action.DRAFT_SUMMARY,))
        summaries.summary_review(user=request.user, region=region, year=year)
        return Response(
            SummaryStateSerializer(_state(request, region, year), context={"request": request}).data
        )


class SummaryIssueView(ScopedAPIView):
    """Issue the reviewed draft as the next frozen edition (figures, PDF, DOCX, HTML with SHA-256)."""

    read_action = write_action = Action.ISSUE_SUMMARY

    @extend_schema(request=SummaryIssueSerializer, responses={201: EditionDetailSerializer})
    def post(self, request, level: str, code: str, year: int):
        region = _region(request.user, level, code, (Action.ISSUE_SUMMARY,))
        payload = SummaryIssueSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        edition = summaries.summary_issue(
            user=request.user,
            region=region,
            year=year,
            correction_reason=payload.validated_data.get("correction_reason", ""),
        )
        return Response(
            EditionDetailSerializer(edition, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SummaryDraftFileView(ScopedAPIView):
    """The working draft rendered now (not frozen): `docx` to edit in Word, `pdf` or `html`."""

    read_action = Action.DRAFT_SUMMARY

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, level: str, code: str, year: int, fmt: str):
        region = _region(request.user, level, code, (Action.DRAFT_SUMMARY,))
        if fmt not in documents.FORMATS or not summaries.has_figures(region, year):
            raise Http404
        draft = summaries.draft_of(region, year)
        figures = summaries.gather(region, year, next_steps=draft.next_steps if draft else "")
        response = HttpResponse(documents.render(figures, fmt), content_type=documents.FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{documents.file_stem(figures)}.{fmt}"'
        return response
