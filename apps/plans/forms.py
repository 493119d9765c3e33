"""Forms of the plans UI. They collect and type the input; the rules live in `services.py`,
whose field-named ValidationErrors are put back on these forms by
`apps.core.forms.add_service_errors`."""

from __future__ import annotations

import json

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core import files
from apps.core.forms import DateInput
from apps.indicators.models import Indicator
from apps.organizations.models import Department, Sector
from apps.regions.models import Region

from .models import (
    FIRST_YEAR,
    LAST_YEAR,
    PLAN_TRANSITIONS,
    Measure,
    MeasureStatus,
    PlanStatus,
    SectorPlan,
)
from .services import attachment_max_bytes


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{'　' * obj.depth}{obj.name} ({obj.code})"


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return obj.display_name


def _region_from(form: forms.Form, field: str, default: Region | None) -> Region | None:
    """The region the user picked (bound data) or the initial one, to narrow department options."""
    raw = form.data.get(form.add_prefix(field)) if form.is_bound else None
    if raw:
        try:
            return form.fields[field].queryset.get(pk=raw)
        except (Region.DoesNotExist, ValueError, TypeError):
            return default
    initial = form.initial.get(field)
    if isinstance(initial, Region):
        return initial
    if initial:
        return Region.objects.filter(pk=initial).first() or default
    return default


class PlanCreateForm(forms.Form):
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.all())
    lead_department = DepartmentChoiceField(
        label=_("Lead department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("The sector's lead department at the region"),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    peak_year = forms.IntegerField(label=_("Peak year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices, initial=PlanStatus.DRAFTING)
    adopted_on = forms.DateField(
        label=_("Adopted on"),
        required=False,
        widget=DateInput(),
        help_text=_("Needed once the plan is in force."),
    )
    summary = forms.CharField(
        label=_("Summary of the plan"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = scoping.regions_for(user, Action.EDIT_PLANS).order_by("path")
        if not self.is_bound and user.region_id and "region" not in self.initial:
            self.initial["region"] = user.region  # staff usually plan for their own region
        self.fields["region"].widget.attrs.update(_htmx_options("id_lead_department", {"purpose": "lead"}))
        region = _region_from(self, "region", None)
        self.fields["lead_department"].queryset = lead_department_options(user, region)


def _htmx_options(target_id: str, values: dict) -> dict:
    """Refresh the department select when the region changes (without JS the form still works:
    a department of another region is refused with a field error)."""
    return {
        "hx-get": reverse("plans:department-options"),
        "hx-target": f"#{target_id}",
        "hx-trigger": "change",
        "hx-swap": "innerHTML",
        "hx-vals": json.dumps(values),
    }


def lead_department_options(user, region: Region | None):
    if region is None:
        return Department.objects.none()
    return scoping.departments_for(user, Action.EDIT_PLANS).filter(region=region).order_by("role", "kind")


class PlanEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    lead_department = DepartmentChoiceField(label=_("Lead department"), queryset=Department.objects.none())
    peak_year = forms.IntegerField(label=_("Peak year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    adopted_on = forms.DateField(label=_("Adopted on"), required=False, widget=DateInput())
    summary = forms.CharField(
        label=_("Summary of the plan"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, user, plan: SectorPlan, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": plan.title,
                "lead_department": plan.lead_department_id,
                "peak_year": plan.peak_year,
                "adopted_on": plan.adopted_on,
                "summary": plan.summary,
            },
        )
        super().__init__(*args, **kwargs)
        options = lead_department_options(user, plan.region)
        # Keep the current lead visible even when the user could not pick it themselves.
        self.fields["lead_department"].queryset = Department.objects.filter(
            pk__in=[*options.values_list("pk", flat=True), plan.lead_department_id]
        ).order_by("role", "kind")


class PlanStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    adopted_on = forms.DateField(label=_("Adopted on"), required=False, widget=DateInput())

    def __init__(self, *args, plan: SectorPlan, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = PLAN_TRANSITIONS.get(plan.status, frozenset())
        self.fields["status"].choices = [(v, label) for v, label in PlanStatus.choices if v in allowed]
        self.fields["adopted_on"].initial = plan.adopted_on


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return str(obj)  # name (unit), punctuated for the active language


class TargetForm(forms.Form):
    indicator = IndicatorChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.all(),
        required=False,
        empty_label=_("— a custom metric (below) —"),
    )
    metric_name = forms.CharField(
        label=_("Custom metric"),
        max_length=120,
        required=False,
        help_text=_("Only when the catalog has no such indicator."),
    )
    unit = forms.CharField(label=_("Unit of the custom metric"), max_length=30, required=False)
    target_year = forms.IntegerField(label=_("Target year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    target_value = forms.DecimalField(label=_("Target value"), max_digits=18, decimal_places=4)
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False)
    baseline_value = forms.DecimalField(
        label=_("Baseline value"), max_digits=18, decimal_places=4, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MeasureForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    responsible_region = RegionChoiceField(
        label=_("Region of the responsible department"), queryset=Region.objects.none()
    )
    responsible_department = DepartmentChoiceField(
        label=_("Responsible department"), queryset=Department.objects.none()
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, user, plan: SectorPlan, measure: Measure | None = None, **kwargs):
        if measure is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": measure.title,
                    "description": measure.description,
                    "responsible_region": measure.responsible_department.region,
                    "responsible_department": measure.responsible_department_id,
                    "start_date": measure.start_date,
                    "due_date": measure.due_date,
                },
            )
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["responsible_region"].queryset = responsible_region_options(user, plan)
        self.fields["responsible_region"].widget.attrs.update(
            _htmx_options("id_responsible_department", {"purpose": "responsible", "plan": plan.pk})
        )
        default = measure.responsible_department.region if measure else plan.region
        region = _region_from(self, "responsible_region", default)
        self.fields["responsible_department"].queryset = Department.objects.filter(region=region).order_by(
            "role", "kind"
        )

    def clean(self):
        data = super().clean()
        region, department = data.get("responsible_region"), data.get("responsible_department")
        if region and department and department.region_id != region.pk:
            self.add_error("responsible_department", _("Choose a department of the selected region."))
        return data


def responsible_region_options(user, plan: SectorPlan):
    """Regions in the plan's subtree that are also within the user's jurisdiction."""
    return (
        scoping.regions_for(user, Action.EDIT_PLANS)
        .filter(path__startswith=plan.region.path)
        .order_by("path")
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())


class MilestoneCompleteForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())


class ProgressNoteForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("Progress"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    status = forms.ChoiceField(label=_("Change the measure's status"), required=False)
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": files.accept_attribute()}),
        help_text=_("PDF, Excel (xlsx), Word (docx), PNG or JPEG, at most %(size)s MB."),
    )

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("— no change —"))] + [
            (v, label) for v, label in MeasureStatus.choices if v != measure.status
        ]
        self.fields["attachment"].help_text = self.fields["attachment"].help_text % {
            "size": attachment_max_bytes() // (1024 * 1024)
        }
