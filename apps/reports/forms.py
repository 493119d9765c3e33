from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReportStatus, SectionArea

NOTE_MAX = 2000
SECTION_MAX = 20000


class ReportForm(forms.Form):
    """The report's values, notes, sections and remarks as typed (numbers are parsed by the service,
    so input that cannot be read is shown back with its error, never lost)."""

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for ind in indicators:
            self.fields[f"value_{ind.code}"] = forms.CharField(
                label=ind.name,
                required=False,
                max_length=40,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 14}),
            )
            self.fields[f"note_{ind.code}"] = forms.CharField(
                label=_("Note on %(name)s") % {"name": ind.name},
                required=False,
                max_length=NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 1, "cols": 30}),
            )
        for area, label in SectionArea.choices:
            self.fields[f"section_{area}"] = forms.CharField(
                label=label, required=False, max_length=SECTION_MAX, widget=forms.Textarea(attrs={"rows": 4})
            )
        self.fields["remarks"] = forms.CharField(
            label=_("Remarks"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
        )

    def value_field(self, code):
        return self[f"value_{code}"]

    def note_field(self, code):
        return self[f"note_{code}"]

    def section_fields(self):
        return [self[f"section_{area}"] for area in SectionArea.values]


class StartReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2005, max_value=2100)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(ReasonForm):
    """A reason for returning the report and, optionally, one per indicator or section."""

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.field_names = []
        for ind in indicators:
            name = f"field_{ind.code}"
            self.fields[name] = forms.CharField(label=ind.name, required=False, max_length=1000)
            self.field_names.append(name)
        for area, label in SectionArea.choices:
            name = f"field_{area}"
            self.fields[name] = forms.CharField(label=label, required=False, max_length=1000)
            self.field_names.append(name)

    def field_reasons(self) -> dict[str, str]:
        return {
            name.removeprefix("field_"): self.cleaned_data[name]
            for name in self.field_names
            if self.cleaned_data.get(name)
        }

    def per_field(self):
        return [self[name] for name in self.field_names]


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=4000)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, xlsx, docx, PNG or JPEG)"))
    description = forms.CharField(label=_("Description"), required=False, max_length=200)


class TemplateUploadForm(forms.Form):
    file = forms.FileField(label=_("Filled-in template (xlsx)"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Values file (CSV UTF-8 or xlsx)"))
    submit = forms.BooleanField(label=_("Submit the reports for review"), required=False)
    approve = forms.BooleanField(label=_("Approve the reports"), required=False)


class ReportFilterForm(forms.Form):
    region = forms.CharField(label=_("Region code"), required=False, max_length=6)
    city = forms.CharField(label=_("City"), required=False, max_length=6)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *ReportStatus.choices]
    )
