"""REST endpoints of inquiries (询问/专题询问/质询): list, detail, put, answer, follow-up, close,
the form of a 质询's answer, attachments and the Excel export. Rows come from the scoped
selector (outside the user's read scope: never listed, 404 on detail); writes go through
`apps/oversight/inquiries.py` (refused: 403; invalid: 400 naming the fields; wrong state: 409)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from apps.accounts.api.base import ScopedViewSet
from apps.accounts.scoping import Action
from apps.core.attachments import download_response
from apps.core.exceptions import Conflict
from apps.core.exports import xlsx_response
from apps.organizations.models import Department
from apps.regions.models import Region

from .. import anchors, inquiries
from ..inquiry_filters import InquiryFilter
from ..models import AnswerForm, Inquiry, InquiryAttachment, InquiryKind

# --- serializers ---------------------------------------------------------------------------------------


class InquiryAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = InquiryAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "url"]

    def get_url(self, obj) -> str:
        return f"/api/v1/inquiries/{obj.answer.inquiry_id}/attachments/{obj.pk}/"


class InquiryAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField()
    text = serializers.CharField()
    author = serializers.CharField(source="author.username", default="")
    created_at = serializers.DateTimeField()
    attachments = InquiryAttachmentSerializer(many=True)


class InquiryEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    actor = serializers.CharField(source="actor_label")
    created_at = serializers.DateTimeField()
    reason = serializers.CharField()
    data = serializers.JSONField()


class InquirySerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    department_name = serializers.SerializerMethodField()
    addressee = serializers.CharField(source="addressee_label")
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.SerializerMethodField()
    asked_by = serializers.CharField(source="asked_by.username", default="")

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "kind",
            "kind_label",
            "region_code",
            "region_name",
            "department",
            "department_name",
            "addressee",
            "subject",
            "question",
            "deadline",
            "status",
            "status_label",
            "overdue",
            "round",
            "meeting",
            "meeting_date",
            "signatories",
            "answer_form",
            "anchor_kind",
            "anchor_ref",
            "anchor_label",
            "anchor_data",
            "asked_by",
            "created_at",
            "answered_at",
            "closed_at",
        ]

    def get_department_name(self, obj) -> str:
        return obj.department.display_name if obj.department_id else ""

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(inquiries.today())


class InquiryDetailSerializer(InquirySerializer):
    answers = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta(InquirySerializer.Meta):
        fields = [*InquirySerializer.Meta.fields, "answers", "timeline"]

    @extend_schema_field(InquiryAnswerSerializer(many=True))
    def get_answers(self, obj) -> list[dict]:
        rows = obj.answers.select_related("author").prefetch_related("attachments")
        return InquiryAnswerSerializer(rows, many=True).data

    @extend_schema_field(InquiryEventSerializer(many=True))
    def get_timeline(self, obj) -> list[dict]:
        return InquiryEventSerializer(inquiries.timeline(obj), many=True).data


class InquiryCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InquiryKind.choices)
    region = serializers.CharField(
        required=False, help_text="Code of the congress's region; default: your own standing committee's."
    )
    department = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Department addressed (id); empty: the region's government.",
    )
    subject = serializers.CharField(allow_blank=True, required=False, default="")
    question = serializers.CharField(allow_blank=True, required=False, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    meeting = serializers.CharField(allow_blank=True, required=False, default="")
    meeting_date = serializers.DateField(required=False, allow_null=True, default=None)
    signatories = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False, default=list
    )
    answer_form = serializers.ChoiceField(
        choices=AnswerForm.choices, allow_blank=True, required=False, default=""
    )
    anchor_kind = serializers.CharField(
        allow_blank=True, required=False, default="", help_text="figure, measure, or another registered kind"
    )
    anchor_ref = serializers.CharField(allow_blank=True, required=False, default="")


class InquiryAnswerInputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, required=False, default="")
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class InquiryFollowUpSerializer(serializers.Serializer):
    question = serializers.CharField(allow_blank=True, required=False, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


class InquiryCloseSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class InquiryDecideFormSerializer(serializers.Serializer):
    answer_form = serializers.ChoiceField(choices=AnswerForm.choices)


class InquiryAnchorTypeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    ref_help = serializers.CharField()


def _run(call):
    """A step the inquiry's state does not allow is 409 (other errors: the one handler)."""
    try:
        return call()
    except inquiries.InvalidTransition as exc:
        raise Conflict(" ".join(exc.messages)) from None


# --- the viewset ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Inquiries you may read (filters: kind, status, region, within, department, "
        "department_kind, government, overdue, q)"
    ),
    retrieve=extend_schema(
        summary="An inquiry with its answers and timeline", responses=InquiryDetailSerializer
    ),
    create=extend_schema(
        summary="Put an inquiry (询问, 专题询问 or 质询) of your standing committee",
        request=InquiryCreateSerializer,
        responses={201: InquiryDetailSerializer},
    ),
)
class InquiryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Inquiries of the standing committees (roles.md v1.1): members put them to their region's
    government or departments; the addressee answers; the member closes or follows up."""

    read_action = Action.READ_INQUIRIES
    write_action = Action.PUT_INQUIRY
    action_actions = {
        "answer": Action.ANSWER_INQUIRY,
        "follow_up": Action.PUT_INQUIRY,
        "close": Action.PUT_INQUIRY,
        "decide_form": Action.PUT_INQUIRY,
        "attachment": Action.READ_INQUIRIES,
        "export": Action.READ_INQUIRIES,
        "anchor_types": Action.READ_INQUIRIES,
    }
    serializer_class = InquirySerializer
    filterset_class = InquiryFilter
    ordering_fields = ["created_at", "deadline", "status"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def scoped_queryset(self, user):
        return inquiries.inquiry_list(user)

    def get_serializer_class(self):
        return InquiryDetailSerializer if self.action == "retrieve" else InquirySerializer

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _detail(self, inquiry, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=inquiry.pk)
        return Response(
            InquiryDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        data = dict(self._input(InquiryCreateSerializer))
        user = request.user
        code = data.pop("region", None)
        if code:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise serializers.ValidationError({"region": ["No region has this code."]})
        elif getattr(user, "region_id", None):
            region = user.region
        else:
            raise serializers.ValidationError({"region": ["Name the congress's region."]})
        department_id = data.pop("department", None)
        department = None
        if department_id:
            department = Department.objects.filter(pk=department_id, region=region).first()
            if department is None:
                raise serializers.ValidationError(
                    {"department": ["The department must be one of the region's own departments."]}
                )
        inquiry = inquiries.inquiry_put(user=user, region=region, department=department, **data)
        return self._detail(inquiry, status.HTTP_201_CREATED)

    @extend_schema(request=InquiryAnswerInputSerializer, responses={201: InquiryDetailSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The addressee answers the current round (text; files as multipart `files`)."""
        inquiry = self.get_object()
        data = self._input(InquiryAnswerInputSerializer)
        _run(
            lambda: inquiries.inquiry_answer(
                user=request.user, inquiry=inquiry, text=data["text"], uploads=data["files"]
            )
        )
        return self._detail(inquiry, status.HTTP_201_CREATED)

    @extend_schema(request=InquiryFollowUpSerializer, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """The member asks a follow-up question with a new deadline (the next round)."""
        inquiry = self.get_object()
        data = self._input(InquiryFollowUpSerializer)
        _run(lambda: inquiries.inquiry_follow_up(user=request.user, inquiry=inquiry, **data))
        return self._detail(inquiry)

    @extend_schema(request=InquiryCloseSerializer, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The member marks the answer satisfactory: the inquiry is closed."""
        inquiry = self.get_object()
        data = self._input(InquiryCloseSerializer)
        _run(lambda: inquiries.inquiry_close(user=request.user, inquiry=inquiry, **data))
        return self._detail(inquiry)

    @extend_schema(request=InquiryDecideFormSerializer, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"], url_path="decide-form")
    def decide_form(self, request, pk=None):
        """Record the council of chairmen's decision: a 质询 is answered orally or in writing."""
        inquiry = self.get_object()
        data = self._input(InquiryDecideFormSerializer)
        _run(lambda: inquiries.inquiry_decide_form(user=request.user, inquiry=inquiry, **data))
        return self._detail(inquiry)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file"),
        }
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>[0-9]+)")
    def attachment(self, request, pk=None, attachment_pk=None):
        """Download a file of an answer (permission-checked; never a public media URL)."""
        inquiry = self.get_object()
        item = get_object_or_404(InquiryAttachment, pk=attachment_pk, answer__inquiry=inquiry)
        if not item.file:
            raise Http404
        return download_response(item.file, name=item.original_name, content_type=item.content_type)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The filtered list as xlsx for people (Accept-Language; Chinese by default)",
            )
        }
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The filtered list as an Excel file (the same rows the list answers)."""
        rows = self.filter_queryset(self.get_queryset())
        return xlsx_response(
            "inquiries.xlsx", _("Inquiries"), inquiries.export_headers(), inquiries.export_rows(rows)
        )

    @extend_schema(responses=InquiryAnchorTypeSerializer(many=True), filters=False)
    @action(detail=False, methods=["get"], url_path="anchor-types", filter_backends=[], pagination_class=None)
    def anchor_types(self, request):
        """What an inquiry may be anchored to (`anchor_kind`) and how to name it (`anchor_ref`)."""
        return Response(
            [{"kind": t.kind, "label": str(t.label), "ref_help": str(t.ref_help)} for t in anchors.types()]
        )
