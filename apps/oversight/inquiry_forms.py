"""Forms of the inquiry pages. They only parse input; `inquiries.py` decides (every field's
error at once) and its ValidationErrors go back onto the form (core.forms.add_service_errors)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.files import accept_attribute
from apps.core.forms import DateInput, PortalFormMixin
from apps.monitoring import metrics
from apps.plans import selectors as plans
from apps.regions.models import Region

from . import anchors, inquiries
from .models import AnswerForm, InquiryKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (each checked by content in the service)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept_attribute()}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class InquiryForm(PortalFormMixin, forms.Form):
    """Put an inquiry. Field-level checks are the service's, so all errors appear together."""

    kind = forms.ChoiceField(label=_("Kind"), choices=InquiryKind.choices)
    addressee = forms.ChoiceField(label=_("Put to"), required=False)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    question = forms.CharField(label=_("Question"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    deadline = forms.DateField(
        label=_("Answer due by"),
        required=False,
        widget=DateInput(),
        help_text=_("A special-topic inquiry: when the report on how the opinions were handled is due."),
    )
    meeting = forms.CharField(
        label=_("Meeting"),
        required=False,
        help_text=_(
            "Special-topic inquiries and question motions: the joint or group meeting or the session."
        ),
    )
    meeting_date = forms.DateField(label=_("Meeting date"), required=False, widget=DateInput())
    signatories = forms.CharField(
        label=_("Joint signatories"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Question motions (质询) only: one name per line."),
    )
    answer_form = forms.ChoiceField(
        label=_("Form of answer (as decided)"),
        required=False,
        choices=[("", _("Not decided yet")), *AnswerForm.choices],
        help_text=_("Question motions only: as the council of chairmen decides."),
    )
    anchor_kind = forms.ChoiceField(label=_("Concerns"), required=False)
    figure_region = forms.ChoiceField(label=_("Figure: region"), required=False)
    figure_year = forms.IntegerField(label=_("Figure: year"), required=False, min_value=2005, max_value=2060)
    figure_metric = forms.ChoiceField(label=_("Figure: metric"), required=False)
    measure = forms.ChoiceField(label=_("Measure"), required=False)
    anchor_ref = forms.CharField(
        label=_("Other reference"), required=False, help_text=_("For other kinds of anchor: its reference.")
    )

    def __init__(self, *args, user, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.fields["addressee"].choices = inquiries.addressee_options(region)
        self.fields["anchor_kind"].choices = [("", _("Nothing in particular"))] + [
            (t.kind, t.label) for t in anchors.types()
        ]
        subtree = Region.objects.filter(path__startswith=region.path).order_by("path")
        self.fields["figure_region"].choices = [("", "—")] + [(r.code, r.name) for r in subtree]
        self.fields["figure_metric"].choices = [("", "—")] + [
            (code, m.name) for code, m in metrics.catalog().items()
        ]
        measures = (
            plans.readable_measures(user)
            .filter(responsible_department__region__path__startswith=region.path)
            .select_related("plan")
            .order_by("plan__title", "title")[:500]
        )
        self.fields["measure"].choices = [("", "—")] + [
            (str(m.pk), f"{m.plan.title} · {m.title}") for m in measures
        ]

    def service_kwargs(self) -> dict:
        """The service's arguments: the addressee as a department, the anchor as kind + reference."""
        data = self.cleaned_data
        department = None
        if data["addressee"]:
            department = self.region.departments.filter(pk=data["addressee"]).first()
        kind = data["anchor_kind"]
        ref = data["anchor_ref"]
        if kind == "figure":
            ref = anchors.figure_ref(data["figure_region"], data["figure_year"] or "", data["figure_metric"])
            if not (data["figure_region"] and data["figure_year"] and data["figure_metric"]):
                ref = ""
        elif kind == "measure":
            ref = data["measure"]
        return {
            "kind": data["kind"],
            "department": department,
            "subject": data["subject"],
            "question": data["question"],
            "deadline": data["deadline"],
            "meeting": data["meeting"],
            "meeting_date": data["meeting_date"],
            "signatories": data["signatories"],
            "answer_form": data["answer_form"],
            "anchor_kind": kind,
            "anchor_ref": ref,
        }


class AnswerFormForm(PortalFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Answer of the addressee"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    files = MultipleFileField(label=_("Files (PDF, Excel, Word, PNG, JPEG)"), required=False)


class FollowUpForm(PortalFormMixin, forms.Form):
    question = forms.CharField(
        label=_("Follow-up question"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline = forms.DateField(label=_("Answer due by"), required=False, widget=DateInput())


class CloseForm(PortalFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(PortalFormMixin, forms.Form):
    answer_form = forms.ChoiceField(label=_("Form of answer (as decided)"), choices=AnswerForm.choices)
