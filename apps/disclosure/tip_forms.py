"""The forms of tips: the public form (also the validation of `POST /api/v1/public/tips/`, so the
page and the API give the same errors, every field's at once) and the staff's handling forms."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core import files
from apps.monitoring.metrics import catalog
from apps.organizations.models import Sector
from apps.plans.models import Measure
from apps.regions.models import Region
from apps.regions.selectors import by_code

from .models import TipCategory, TipStatus
from .models.tips import CONTACT_MAX, DESCRIPTION_MAX, REPLY_MAX
from .public import figure_is_published
from .tips import TipInput

FIGURE_YEARS = (2005, 2060)  # the monitoring horizon (shared/DESIGN.md "Scale")
HONEYPOT = "website"  # a field people never see nor fill: a bot filling every field is refused


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each is checked in the form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": files.accept_attribute()}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def region_choices() -> list[tuple[str, str]]:
    """The region tree as indented names (values are codes; people pick names, not codes)."""
    return [
        (r.code, "\u3000" * r.depth + r.name)
        for r in Region.objects.order_by("path").only("code", "name", "path")
    ]


def metric_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(m.code, m.name) for m in catalog().values()]


class TipForm(forms.Form):
    """A tip from the public. `figure_*` name a figure (a region, year and metric of the catalog);
    `measure` a sector plan measure's number; attachments are checked by their content."""

    category = forms.ChoiceField(label=_("What is it about?"), choices=TipCategory.choices)
    region = forms.ChoiceField(label=_("Region"), help_text=_("Where it happens."))
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What, where and when; names of companies or projects if you know them."),
    )
    figure_region = forms.CharField(label=_("Figure's region"), required=False, widget=forms.HiddenInput)
    figure_year = forms.IntegerField(
        label=_("Year of a published figure"),
        required=False,
        min_value=FIGURE_YEARS[0],
        max_value=FIGURE_YEARS[1],
    )
    figure_metric = forms.ChoiceField(label=_("Published figure"), required=False)
    measure = forms.IntegerField(
        label=_("Number of a sector plan measure"),
        required=False,
        min_value=1,
        help_text=_("If the tip concerns a measure of a sector peak plan."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to %(n)d files (PDF, Word, Excel, PNG or JPEG), each at most %(mb)d MB.")
        % {"n": settings.TIP_ATTACHMENTS_MAX, "mb": settings.TIP_ATTACHMENT_MAX_BYTES // (1024 * 1024)},
    )
    contact = forms.CharField(
        label=_("Contact (optional)"),
        max_length=CONTACT_MAX,
        required=False,
        help_text=_("A telephone number or e-mail address if you agree to be asked. Never published."),
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices()
        self.fields["figure_metric"].choices = metric_choices()
        self.fields[HONEYPOT].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.uploads = []

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise ValidationError(_("Describe what you saw."))
        return text

    def clean_region(self):
        region = by_code(self.cleaned_data["region"])
        if region is None:
            raise ValidationError(_("Choose a region of the list."))
        return region

    def clean_attachments(self):
        uploads = self.cleaned_data.get("attachments") or []
        limit = settings.TIP_ATTACHMENTS_MAX
        if len(uploads) > limit:
            raise ValidationError(_("Attach at most %(n)d files.") % {"n": limit})
        checked, problems = [], []
        for upload in uploads:
            try:
                result = files.check_upload(
                    upload, field="attachments", max_bytes=settings.TIP_ATTACHMENT_MAX_BYTES
                )
            except ValidationError as exc:
                name = files.clean_filename(upload.name)
                problems += [f"{name}: {m}" for m in exc.message_dict["attachments"]]
                continue
            checked.append((upload, result))
        if problems:
            raise ValidationError(problems)
        self.uploads = checked
        return uploads

    def clean(self):
        data = super().clean()
        if data.get(HONEYPOT):
            raise ValidationError(_("The form could not be accepted. Reload the page and try again."))
        region = data.get("region")
        year, metric = data.get("figure_year"), data.get("figure_metric") or ""
        if bool(year) != bool(metric) and "figure_year" not in self.errors:
            self.add_error(
                "figure_metric" if year else "figure_year",
                _("Give both the year and the figure, or neither."),
            )
        if metric and metric not in catalog():
            self.add_error("figure_metric", _("No such figure."))
        figure_code = (data.get("figure_region") or "").strip()
        data["figure_region"] = None
        if figure_code:
            data["figure_region"] = by_code(figure_code)
            if data["figure_region"] is None:
                self.add_error("figure_region", _("No region with this code."))
        elif metric:
            data["figure_region"] = region
        figure_region = data.get("figure_region")
        if (
            year
            and metric in catalog()
            and isinstance(figure_region, Region)
            and not figure_is_published(figure_region, year, metric)
        ):
            self.add_error(
                "figure_metric", _("This figure is not published: point at a figure on a public page.")
            )
        number = data.get("measure")
        data["measure"] = None
        if number and region is not None:
            measure = Measure.objects.select_related("plan__region", "responsible_department").filter(
                pk=number
            )
            found = measure.first()
            plan_path = found.plan.region.path if found else ""
            if not found or not (plan_path.startswith(region.path) or region.path.startswith(plan_path)):
                self.add_error(
                    "measure",
                    _(
                        "Enter the number of a measure of a sector plan of this region, or of a region above "
                        "or below it."
                    ),
                )
            else:
                data["measure"] = found
        return data

    def tip_input(self) -> TipInput:
        data = self.cleaned_data
        return TipInput(
            category=data["category"],
            region=data["region"],
            description=data["description"],
            contact=(data.get("contact") or "").strip(),
            figure_region=data.get("figure_region"),
            figure_year=data.get("figure_year"),
            figure_metric=data.get("figure_metric") or "",
            measure=data.get("measure"),
            uploads=self.uploads,
        )


class LookupForm(forms.Form):
    number = forms.CharField(
        label=_("Tracking number"),
        max_length=64,
        help_text=_("As given when the tip was filed, e.g. 7KQ2-MX4D-9HTB-R3VC."),
    )


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *list(TipStatus.choices)]
        self.fields["category"].choices = [("", _("All")), *list(TipCategory.choices)]
        self.fields["region"].choices = [("", _("All"))] + [
            (r.code, "\u3000" * r.depth + r.name) for r in regions
        ]


class RouteForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Responsible department"), queryset=None, required=False)
    sector = forms.ModelChoiceField(
        label=_("Or the lead department of a sector"),
        queryset=Sector.objects.all(),
        required=False,
        help_text=_("Used when no department is chosen: the sector's lead department at the tip's region."),
    )
    reason = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].label_from_instance = lambda d: f"{d.region.name} · {d.name}"


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply"),
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Written for the person who filed the tip: it is shown to them once published."),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        help_text=_("Required when the tip was not answered (e.g. a duplicate)."),
    )
