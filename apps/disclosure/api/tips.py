"""The tips API.

Public (no account; a signed-in user is refused filing): `POST /api/v1/public/tips/` (JSON or
multipart) files a tip and answers 201 with its tracking number; `GET /api/v1/public/tips/{number}/`
answers its status and published reply, nothing else (an unknown or malformed number: the same 404).
Both are rate limited per client address (429). Validation is the public form's (`TipForm`), so
the page and the API refuse the same input, naming every field at once.

Staff: `/api/v1/tips/` lists and reads the tips the user handles (`tips.tips_for`), with the
handling steps as actions (route, investigate, answer, publish-reply, close; the service checks
who and the state: 403 / 409); `/api/v1/tips/statistics/` the counts (READ_TIP_STATS).
"""

from __future__ import annotations

from dataclasses import asdict

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from apps.accounts import scoping
from apps.accounts.api.base import ScopedAPIView, ScopedViewSet
from apps.accounts.scoping import Action
from apps.core.exceptions import Conflict
from apps.organizations.models import Department, Sector
from apps.regions.selectors import by_code

from .. import abuse, tips
from ..models import Tip, TipCategory, TipStatus
from ..tip_forms import TipForm


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request is too large."
    default_code = "too_large"


FIGURE_FIELDS = {"figure_region": "figure", "figure_year": "figure", "figure_metric": "figure"}
HANDLERS = (Action.TRIAGE_TIPS, Action.ANSWER_TIPS)


# --- serializers -----------------------------------------------------------------------------------


class FigureReferenceSerializer(serializers.Serializer):
    region = serializers.CharField(
        help_text="Region code (GB/T 2260); the tip's region when omitted.", required=False
    )
    year = serializers.IntegerField(min_value=2005, max_value=2060)
    metric = serializers.CharField(help_text="A metric code of the catalog (`GET /api/v1/metrics/`).")


class PublicTipRequestSerializer(serializers.Serializer):
    """The request of `POST /api/v1/public/tips/` (documentation; validated by the public form)."""

    category = serializers.ChoiceField(choices=TipCategory.choices)
    region = serializers.CharField(help_text="Region code (GB/T 2260), e.g. 360102.")
    description = serializers.CharField(max_length=5000)
    contact = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Optional; never shown publicly, only to the staff handling the tip.",
    )
    figure = FigureReferenceSerializer(
        required=False,
        help_text='A published figure the tip is about: an object, or in multipart "REGION:YEAR:METRIC".',
    )
    measure = serializers.IntegerField(required=False, help_text="Number (id) of a sector plan measure.")
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Multipart only: up to 3 files (PDF, DOCX, XLSX, PNG, JPEG; by content), 5 MB each.",
    )


class PublicTipStatusSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    status = serializers.ChoiceField(choices=TipStatus.choices)
    status_label = serializers.CharField()
    reply = serializers.CharField(help_text="The published reply; empty until published.")
    reply_published_at = serializers.DateTimeField(allow_null=True)


class TipAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    download = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, obj) -> str:
        return reverse("disclosure:tip-attachment", args=[obj.tip_id, obj.pk])


class TipSerializer(serializers.ModelSerializer):
    """A tip for the staff handling it (contact included: only they read it)."""

    tracking_number = serializers.CharField(source="display_number")
    category_label = serializers.CharField(source="get_category_display")
    status_label = serializers.CharField(source="get_status_display")
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    department_name = serializers.CharField(
        source="department.name", default=None, read_only=True, allow_null=True
    )
    overdue = serializers.SerializerMethodField()
    figure = serializers.SerializerMethodField()
    attachments = TipAttachmentSerializer(many=True)

    class Meta:
        model = Tip
        fields = [
            "id",
            "tracking_number",
            "category",
            "category_label",
            "region",
            "region_name",
            "status",
            "status_label",
            "department",
            "department_name",
            "received_at",
            "due_on",
            "overdue",
            "routed_at",
            "answered_at",
            "closed_at",
            "description",
            "contact",
            "figure",
            "measure",
            "reply",
            "reply_published_at",
            "attachments",
        ]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()

    @extend_schema_field(FigureReferenceSerializer(allow_null=True))
    def get_figure(self, obj):
        if not obj.figure_metric:
            return None
        return {"region": obj.figure_region.code, "year": obj.figure_year, "metric": obj.figure_metric}


class RouteSerializer(serializers.Serializer):
    department = serializers.IntegerField(required=False, help_text="Id of the responsible department.")
    sector = serializers.CharField(
        required=False, help_text="Sector code: its lead department at the tip's region (when no department)."
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class TipAnswerSerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=5000)


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class TipCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class TipRegionCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class TipDepartmentCountSerializer(serializers.Serializer):
    region = serializers.CharField()
    department = serializers.CharField()
    count = serializers.IntegerField()


class TipStatisticsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()
    by_status = TipCountSerializer(many=True)
    by_category = TipCountSerializer(many=True)
    by_region = TipRegionCountSerializer(many=True)
    by_department = TipDepartmentCountSerializer(many=True)


# --- the public ------------------------------------------------------------------------------------


def _form_input(request) -> tuple[dict, dict]:
    """The request's fields as the public form's data, and the figure's problems (field "figure")."""
    data = request.data
    form_data = {}
    for name in ("category", "region", "description", "contact", "measure", "website"):
        value = data.get(name)
        if value is not None:
            form_data[name] = value if isinstance(value, str | int) else str(value)
    figure, problems = data.get("figure"), {}
    if isinstance(figure, dict):
        form_data.update(
            {
                "figure_region": figure.get("region") or "",
                "figure_year": figure.get("year") or "",
                "figure_metric": figure.get("metric") or "",
            }
        )
    elif isinstance(figure, str) and figure.strip():
        parts = figure.strip().split(":")
        if len(parts) != 3:
            problems["figure"] = [
                _('Give the figure as "REGION:YEAR:METRIC", e.g. 360100:2023:energy_intensity.')
            ]
        else:
            form_data.update({"figure_region": parts[0], "figure_year": parts[1], "figure_metric": parts[2]})
    elif figure not in (None, ""):
        problems["figure"] = [_("Give the figure as an object with region, year and metric.")]
    return form_data, problems


class PublicTipFileView(ScopedAPIView):
    """File a tip (the public only)."""

    read_action = Action.TRACK_TIP
    write_action = Action.FILE_TIP
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        # a method the view does not have is a 405 for everyone, before the signed-in refusal
        if not hasattr(self, request.method.lower()) or request.method.lower() not in self.http_method_names:
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def permission_denied(self, request, message=None, code=None):
        if request.user.is_authenticated:
            message = _(tips.SIGNED_IN_REFUSAL)
        super().permission_denied(request, message=message, code=code)

    @extend_schema(
        request={
            "application/json": PublicTipRequestSerializer,
            "multipart/form-data": PublicTipRequestSerializer,
        },
        responses={
            201: inline_serializer(
                name="TipFiled",
                fields={
                    "tracking_number": serializers.CharField(),
                    "status": serializers.ChoiceField(choices=TipStatus.choices),
                    "due_on": serializers.DateField(),
                },
            ),
            413: OpenApiTypes.OBJECT,
            429: OpenApiTypes.OBJECT,
        },
        auth=[],
        description=(
            "File a tip (举报) as a member of the public. No account: a signed-in user is refused (403). "
            "Rate limited per client address and session (429). The answer's `tracking_number` is the only "
            "way to follow the tip: `GET /api/v1/public/tips/{tracking_number}/`."
        ),
    )
    def post(self, request):
        if abuse.too_large(request):
            raise PayloadTooLarge(_("The request is too large."))
        if abuse.filing_limited(request):
            raise exceptions.Throttled(
                wait=abuse.retry_after(settings.TIP_RATE_PER_IP),
                detail=_("Too many tips from this address. Try again later."),
            )
        form_data, problems = _form_input(request)
        form = TipForm(form_data, request.FILES)
        valid = form.is_valid()
        errors = dict(problems)
        for name, messages in form.errors.items():
            key = FIGURE_FIELDS.get(name, name)
            if name == "__all__":
                key = "non_field_errors"
            errors.setdefault(key, []).extend(messages)
        if errors or not valid:
            raise exceptions.ValidationError(errors)
        tip = tips.tip_file(user=request.user, data=form.tip_input())
        body = {"tracking_number": tip.display_number, "status": tip.status, "due_on": tip.due_on}
        return Response(body, status=status.HTTP_201_CREATED)


class PublicTipStatusView(ScopedAPIView):
    """A tip's status and published reply, for anyone with its tracking number."""

    read_action = Action.TRACK_TIP

    @extend_schema(
        responses={200: PublicTipStatusSerializer, 429: OpenApiTypes.OBJECT},
        auth=[],
        description=(
            "The status (received, assigned, investigating, answered, closed) and the published reply of "
            "the tip with this tracking number (dashes and case do not matter). Nothing else is shown. "
            "A malformed, mistyped or unknown number is the same 404."
        ),
    )
    def get(self, request, tracking_number: str):
        if abuse.lookup_limited(request):
            raise exceptions.Throttled(
                wait=abuse.retry_after(settings.TIP_LOOKUP_RATE_PER_IP),
                detail=_("Too many lookups from this address. Try again later."),
            )
        tip = tips.tip_by_number(tracking_number)
        if tip is None:
            raise exceptions.NotFound(_("No tip with this tracking number."))
        return Response(PublicTipStatusSerializer(asdict(tips.PublicStatus.of(tip))).data)


# --- staff -----------------------------------------------------------------------------------------


FILTER_PARAMETERS = [
    OpenApiParameter("status", str, enum=TipStatus.values),
    OpenApiParameter("category", str, enum=TipCategory.values),
    OpenApiParameter("region", str, description="Region code: the region and its subtree."),
    OpenApiParameter("overdue", bool, description="Only tips past their answer's due day."),
]


@extend_schema(parameters=FILTER_PARAMETERS)
class TipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The tips the user handles (triage: their region's subtree; answer: routed to their department)."""

    read_action = HANDLERS
    action_actions = {
        "route": Action.TRIAGE_TIPS,
        "close": Action.TRIAGE_TIPS,
        "investigate": Action.ANSWER_TIPS,
        "answer": Action.ANSWER_TIPS,
        "publish_reply": HANDLERS,
    }
    serializer_class = TipSerializer
    queryset = Tip.objects.all()

    def scoped_queryset(self, user):
        return (
            tips.tips_for(user)
            .select_related("region", "department", "figure_region")
            .prefetch_related("attachments")
        )

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        params = self.request.query_params
        errors = {}
        for name, allowed in (("status", TipStatus.values), ("category", TipCategory.values)):
            if params.get(name, "") not in ("", *allowed):
                errors[name] = [_("Choose one of: %(values)s.") % {"values": ", ".join(allowed)}]
        overdue = params.get("overdue", "").lower()
        if overdue not in ("", "true", "false", "1", "0"):
            errors["overdue"] = [_("Give true or false.")]
        if errors:
            raise exceptions.ValidationError(errors)
        filters = tips.TipFilters(
            status=params.get("status", ""),
            category=params.get("category", ""),
            region=params.get("region", ""),
            overdue=overdue in ("1", "true"),
        )
        return filters.apply(queryset)

    def _step(self, service, serializer_class=None, **fixed):
        tip = self.get_object()
        kwargs = dict(fixed)
        if serializer_class is not None:
            serializer = serializer_class(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            kwargs.update(serializer.validated_data)
        try:
            tip = service(user=self.request.user, tip=tip, **kwargs)
        except tips.TipStateError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return Response(TipSerializer(self.scoped_queryset(self.request.user).get(pk=tip.pk)).data)

    @extend_schema(request=RouteSerializer, responses=TipSerializer)
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        """Route the tip to a department (the measure's, or a sector's lead department)."""
        tip = self.get_object()
        serializer = RouteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        department = None
        if data.get("department"):
            department = Department.objects.filter(pk=data["department"]).select_related("region").first()
            if department is None:
                raise DjangoValidationError({"department": _("No such department.")})
        elif data.get("sector"):
            sector = Sector.objects.filter(code=data["sector"]).first()
            if sector is None:
                raise DjangoValidationError({"sector": _("No such sector.")})
            department = tips.sector_lead_department(sector, tip.region)
        if department is None:
            raise DjangoValidationError({"department": _("Choose a department or a sector.")})
        return self._step(tips.tip_route, department=department, reason=data.get("reason", ""))

    @extend_schema(request=NoteSerializer, responses=TipSerializer)
    @action(detail=True, methods=["post"])
    def investigate(self, request, pk=None):
        """Start investigating (the responsible department)."""
        return self._step(tips.tip_investigate, NoteSerializer)

    @extend_schema(request=TipAnswerSerializer, responses=TipSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer the tip (the responsible department); publish the reply separately."""
        return self._step(tips.tip_answer, TipAnswerSerializer)

    @extend_schema(request=None, responses=TipSerializer)
    @action(detail=True, methods=["post"], url_path="publish-reply")
    def publish_reply(self, request, pk=None):
        """Publish the reply: anyone with the tracking number then reads it."""
        return self._step(tips.tip_publish_reply)

    @extend_schema(request=CloseSerializer, responses=TipSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the tip (after its answer, or with a reason)."""
        return self._step(tips.tip_close, CloseSerializer)


class TipStatisticsView(ScopedAPIView):
    """Tip counts by region, department, category and status in the user's scope."""

    read_action = Action.READ_TIP_STATS

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="Region code: only its subtree."),
            OpenApiParameter("year", int, description="Only tips received in this year."),
        ],
        responses=TipStatisticsSerializer,
    )
    def get(self, request):
        region = None
        if request.query_params.get("region"):
            region = by_code(request.query_params["region"])
            allowed = scoping.regions_for(request.user, Action.READ_TIP_STATS)
            if region is None or not allowed.filter(pk=region.pk).exists():
                raise exceptions.NotFound(_("No such region."))
        year = request.query_params.get("year")
        if year and not (year.isdigit() and len(year) == 4):
            raise DjangoValidationError({"year": _("Enter a four-digit year.")})
        stats = tips.tip_statistics(request.user, region=region, year=int(year) if year else None)
        body = {
            "total": stats.total,
            "overdue": stats.overdue,
            "by_status": [{"code": c, "label": lbl, "count": n} for c, lbl, n in stats.by_status],
            "by_category": [{"code": c, "label": lbl, "count": n} for c, lbl, n in stats.by_category],
            "by_region": [{"code": c, "name": name, "count": n} for c, name, n in stats.by_region],
            "by_department": [{"region": r, "department": d, "count": n} for r, d, n in stats.by_department],
        }
        return Response(body)
