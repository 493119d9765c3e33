"""Forms of the targets pages; they parse input, the services check permissions and save."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core.forms import PortalFormMixin
from apps.indicators.models import EmissionFactorSet, RuleSet
from apps.regions.selectors import by_code

from .models import PlanPeriod, RegionTarget, TargetMetric
from .services import IMPORT_LIMITS


class TargetCreateForm(PortalFormMixin, forms.Form):
    region = forms.CharField(
        label=_("Region code"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "list": "settable-regions", "autocomplete": "off"}
        ),
        help_text=_("GB/T 2260 code of a region whose targets you may set, e.g. 360100."),
    )
    period = forms.ModelChoiceField(
        label=_("Plan period"), queryset=PlanPeriod.objects.all(), to_field_name="code"
    )
    metric = forms.ChoiceField(label=_("Metric"), choices=TargetMetric.choices)
    year = forms.IntegerField(
        label=_("Year"), required=False, help_text=_("Only for the annual metrics: a year within the period.")
    )
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=14,
        decimal_places=4,
        help_text=_(
            "Percent for reductions and the non-fossil share (strictly between 0 and 100); "
            "10^4 tce for the cap."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        region = by_code(code)
        if region is None:
            raise ValidationError(_("No region has the code %(code)s."), params={"code": code})
        return region


class TargetEditForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = RegionTarget
        fields = ["value", "note"]


class TargetImportForm(PortalFormMixin, forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (UTF-8) or .xlsx (first sheet) with the columns region_code, period, metric, value and, "
            "for annual metrics, year; at most %(mb)s MB."
        ) % {"mb": IMPORT_LIMITS.max_bytes // (1024 * 1024)}


class PeriodAssignForm(PortalFormMixin, forms.Form):
    rule_set = forms.ModelChoiceField(label=_("Rule set"), queryset=RuleSet.objects.all())
    factor_set = forms.ModelChoiceField(
        label=_("Emission factor set"),
        queryset=EmissionFactorSet.objects.all(),
        required=False,
        empty_label=_("(the default set)"),
        help_text=_("Empty: the default factor set at the time of computation."),
    )
