"""Serializers of the plans API. Read serializers describe rows; input serializers only type
the request body — the rules and permission checks live in `apps.plans.services`."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.conflicts import VERSION_HELP
from apps.indicators.models import Indicator
from apps.organizations.models import Department, Sector
from apps.regions.models import Region
from apps.regions.selectors import by_code

from .. import selectors
from ..models import Measure, MeasureStatus, Milestone, PlanStatus, PlanTarget, ProgressNote, SectorPlan


@extend_schema_field(OpenApiTypes.STR)
class RegionCodeField(serializers.Field):
    """A region by its GB/T 2260 code (the higher level where a code names two)."""

    default_error_messages = {"unknown": "No region with code “{code}”."}

    def to_representation(self, value: Region) -> str:
        return value.code

    def to_internal_value(self, data) -> Region:
        region = by_code(str(data).strip())
        if region is None:
            self.fail("unknown", code=data)
        return region


def _user_label(user) -> str | None:
    return None if user is None else user.get_full_name() or user.username


# ---- read --------------------------------------------------------------------------------------


class SectorPlanSerializer(serializers.ModelSerializer):
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sector_name = serializers.CharField(source="sector.display_name", read_only=True)
    region = RegionCodeField(read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    lead_department_name = serializers.CharField(source="lead_department.display_name", read_only=True)
    lead_department_kind = serializers.CharField(source="lead_department.kind", read_only=True)
    created_by = serializers.SerializerMethodField()
    updated_by = serializers.SerializerMethodField()
    target_count = serializers.IntegerField(read_only=True)
    measure_count = serializers.IntegerField(read_only=True)
    measures_done = serializers.IntegerField(read_only=True)
    overdue_measures = serializers.IntegerField(read_only=True)
    overdue_milestones = serializers.IntegerField(read_only=True)
    can_edit = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = SectorPlan
        fields = [
            "id",
            "title",
            "sector",
            "sector_name",
            "region",
            "region_name",
            "lead_department",
            "lead_department_name",
            "lead_department_kind",
            "version",
            "peak_year",
            "status",
            "summary",
            "adopted_on",
            "target_count",
            "measure_count",
            "measures_done",
            "overdue_measures",
            "overdue_milestones",
            "can_edit",
            "created_by",
            "created_at",
            "updated_by",
            "updated_at",
            "web_url",
        ]
        read_only_fields = fields

    def get_created_by(self, obj) -> str | None:
        return _user_label(obj.created_by)

    def get_updated_by(self, obj) -> str | None:
        return _user_label(obj.updated_by)

    def get_can_edit(self, obj) -> bool:
        return selectors.can_edit_plan(self.context["request"].user, obj)

    def get_web_url(self, obj) -> str:
        return obj.get_absolute_url()


class PlanTargetSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    metric = serializers.CharField(source="metric_label", read_only=True)
    unit_label = serializers.CharField(read_only=True)

    class Meta:
        model = PlanTarget
        fields = [
            "id",
            "plan",
            "indicator",
            "metric_name",
            "unit",
            "metric",
            "unit_label",
            "target_year",
            "target_value",
            "baseline_year",
            "baseline_value",
            "note",
        ]
        read_only_fields = fields


class MilestoneSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()
    plan = serializers.IntegerField(source="measure.plan_id", read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "plan", "measure", "title", "due_date", "done_on", "overdue"]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(selectors.today())


class MeasureSerializer(serializers.ModelSerializer):
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    region = RegionCodeField(source="plan.region", read_only=True)
    sector = serializers.CharField(source="plan.sector.code", read_only=True)
    responsible_department_name = serializers.CharField(
        source="responsible_department.display_name", read_only=True
    )
    responsible_department_kind = serializers.CharField(source="responsible_department.kind", read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    milestone_count = serializers.IntegerField(read_only=True)
    milestones_done = serializers.IntegerField(read_only=True)
    overdue_milestones = serializers.IntegerField(read_only=True)
    last_note_on = serializers.DateField(read_only=True, allow_null=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    can_edit = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "plan",
            "plan_title",
            "region",
            "sector",
            "title",
            "description",
            "responsible_department",
            "responsible_department_name",
            "responsible_department_kind",
            "version",
            "start_date",
            "due_date",
            "status",
            "completed_on",
            "overdue",
            "milestone_count",
            "milestones_done",
            "overdue_milestones",
            "last_note_on",
            "milestones",
            "can_edit",
            "created_at",
            "updated_at",
            "web_url",
        ]
        read_only_fields = fields

    def get_can_edit(self, obj) -> bool:
        return selectors.can_edit_measure(self.context["request"].user, obj)

    def get_web_url(self, obj) -> str:
        return obj.get_absolute_url()


class ProgressNoteSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="measure.plan_id", read_only=True)
    author = serializers.SerializerMethodField()
    attachment_url = serializers.SerializerMethodField()

    class Meta:
        model = ProgressNote
        fields = [
            "id",
            "plan",
            "measure",
            "date",
            "text",
            "author",
            "status_from",
            "status_to",
            "attachment_name",
            "attachment_type",
            "attachment_size",
            "attachment_url",
            "created_at",
        ]
        read_only_fields = fields

    def get_author(self, obj) -> str | None:
        return _user_label(obj.author)

    def get_attachment_url(self, obj) -> str | None:
        """The permission-checked download (never a public media URL)."""
        if not obj.attachment:
            return None
        return reverse(
            "plan-progress-note-attachment",
            kwargs={"plan_pk": obj.measure.plan_id, "pk": obj.pk},
        )


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    user = serializers.CharField()
    kind = serializers.CharField()
    object_label = serializers.CharField()
    action = serializers.ChoiceField(choices=selectors.HISTORY_ACTIONS)
    changes = HistoryChangeSerializer(many=True)


# ---- input -------------------------------------------------------------------------------------


class SectorPlanCreateSerializer(serializers.Serializer):
    sector = serializers.SlugRelatedField(slug_field="code", queryset=Sector.objects.all())
    region = RegionCodeField(help_text="Region code (GB/T 2260).")
    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text="Department id; empty: the sector's lead department at the region.",
    )
    title = serializers.CharField(max_length=200)
    peak_year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PlanStatus.choices, default=PlanStatus.DRAFTING)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    adopted_on = serializers.DateField(required=False, allow_null=True, default=None)


class SectorPlanUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    lead_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    peak_year = serializers.IntegerField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    adopted_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class PlanStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    adopted_on = serializers.DateField(required=False, allow_null=True, default=None)


class PlanTargetInputSerializer(serializers.Serializer):
    indicator = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.all(), required=False, allow_null=True
    )
    metric_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True)
    target_year = serializers.IntegerField(required=False)
    target_value = serializers.DecimalField(max_digits=18, decimal_places=4, required=False)
    baseline_year = serializers.IntegerField(required=False, allow_null=True)
    baseline_value = serializers.DecimalField(
        max_digits=18, decimal_places=4, required=False, allow_null=True
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class MeasureCreateSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=SectorPlan.objects.none())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    responsible_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    start_date = serializers.DateField()
    due_date = serializers.DateField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["plan"].queryset = selectors.readable_plans(request.user)


class MeasureUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    responsible_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False
    )
    start_date = serializers.DateField(required=False)
    due_date = serializers.DateField(required=False)
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class MeasureStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=MeasureStatus.choices)
    date = serializers.DateField(required=False, allow_null=True, default=None)
    text = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_field(OpenApiTypes.INT)
class _MeasureInPlanField(serializers.PrimaryKeyRelatedField):
    """A measure the user may read (any plan: the service refuses one of another plan)."""

    def get_queryset(self):
        return selectors.readable_measures(self.context["request"].user)


class MilestoneInputSerializer(serializers.Serializer):
    measure = _MeasureInPlanField()
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()


class MilestoneCompleteSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, allow_null=True, default=None)


class ProgressNoteInputSerializer(serializers.Serializer):
    measure = _MeasureInPlanField()
    date = serializers.DateField()
    text = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        choices=MeasureStatus.choices, required=False, allow_blank=True, default=""
    )
    attachment = serializers.FileField(required=False, allow_null=True, default=None)
