"""Forms of the catalog pages; they only parse input, the services decide and save."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core.forms import PortalFormMixin
from apps.regions.selectors import by_codes

from .models import EmissionFactorSet, FuelFactor, Grid, GridFactor, Indicator, RuleSet


class IndicatorForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_zh",
            "name_en",
            "unit",
            "unit_en",
            "definition_zh",
            "definition_en",
            "required",
            "allow_negative",
            "precision",
            "order",
            "change_measure",
            "change_lower",
            "change_upper",
            "change_basis",
            "parent_tolerance",
        ]
        widgets = {
            "definition_zh": forms.Textarea(attrs={"rows": 3}),
            "definition_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # left empty: the current precision (2 for a new indicator)
        self.fields["precision"].required = False
        if self.instance.pk:
            del self.fields["code"]  # reports and the engine refer to it: fixed once created
        else:
            self.fields["code"].help_text = _(
                "Lower-case letters, digits and underscores; cannot be changed later."
            )

    def clean_precision(self):
        value = self.cleaned_data.get("precision")
        if value is None:
            default = Indicator._meta.get_field("precision").default
            return self.instance.precision if self.instance.pk else default
        return value


class FactorSetCreateForm(PortalFormMixin, forms.ModelForm):
    copy_from = forms.ModelChoiceField(
        label=_("Copy fuel factors from"),
        queryset=EmissionFactorSet.objects.all(),
        required=False,
        help_text=_("Start the new set from another set's factors, then edit the ones that change."),
    )
    is_default = forms.BooleanField(
        label=_("Make this the default set"),
        required=False,
        help_text=_("Only with a factor for every fuel (copy them from another set)."),
    )

    class Meta:
        model = EmissionFactorSet
        fields = ["code", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class FactorSetForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = EmissionFactorSet
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class FuelFactorForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = FuelFactor
        fields = ["value", "unit", "source"]
        help_texts = {"value": _("Positive; as published, in the unit chosen below.")}


class GridCreateForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["code", "name"]


class GridForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["name"]


class GridFactorForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = GridFactor
        fields = ["year", "value_kg_per_kwh", "source"]
        help_texts = {
            "year": _("2000–2100; one factor per grid and year."),
            "value_kg_per_kwh": _("Positive, kgCO2 per kWh."),
        }


class GridRegionsForm(PortalFormMixin, forms.Form):
    codes = forms.CharField(
        label=_("Region codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "GB/T 2260 codes separated by spaces, commas or new lines, e.g. 360100 360200. "
            "These regions use this grid's factors instead of the default grid's."
        ),
    )

    def clean_codes(self):
        codes = [c for c in re.split(r"[\s,;，、]+", self.cleaned_data["codes"]) if c]
        found = by_codes(codes)
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError(
                _("Unknown region codes: %(codes)s."), params={"codes": ", ".join(dict.fromkeys(unknown))}
            )
        return list({found[c].pk: found[c] for c in codes}.values())


class RuleSetForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = RuleSet
        fields = [
            "code",
            "name",
            "description",
            "source",
            "intensity_excludes_feedstock",
            "intensity_excludes_nonfossil",
            "total_excludes_feedstock",
            "total_excludes_nonfossil",
            "total_deducts_new_renewables",
            "progress_method",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]  # periods and stored assessments name it
