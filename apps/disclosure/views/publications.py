"""The officials' side of disclosure: publish a year's figures for a region's subtree, list the
publications with their status, withdraw one with a reason (`Action.PUBLISH`, roles.md v1.1)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.forms import PortalFormMixin, add_service_errors
from apps.monitoring.models import AssessmentTrace
from apps.regions.models import Region

from .. import groups as registry
from .. import publications as service


class PublishForm(PortalFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    region = forms.ChoiceField(
        label=gettext_lazy("Regions"),
        help_text=gettext_lazy("The region and every region below it (the province: all of it)."),
    )
    groups = forms.MultipleChoiceField(
        label=gettext_lazy("Figure groups"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = list(
            service.publishable_regions(user).order_by("path").only("code", "name", "path", "level")
        )
        self.fields["region"].choices = [(r.path, "\u3000" * r.depth + r.name) for r in regions]
        found = sorted(
            AssessmentTrace.objects.order_by().values_list("year", flat=True).distinct(), reverse=True
        )
        self.fields["year"].choices = [(y, y) for y in found]
        self.fields["groups"].choices = registry.choices()
        self.initial.setdefault("groups", registry.keys())


class WithdrawForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=service.REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


@action_required(Action.PUBLISH)
def publication_list(request):
    """Publications in the user's jurisdiction with their status, and the publish form."""
    form = PublishForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            publication = service.publish(
                user=request.user,
                year=form.cleaned_data["year"],
                region=Region.objects.get(path=form.cleaned_data["region"]),
                groups=form.cleaned_data["groups"] or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Published %(region)s %(year)s: the public pages show this copy from now on.")
                % {"region": publication.region.name, "year": publication.year},
            )
            return redirect("disclosure:publications")
    rows = service.readable(request.user)[:200]
    return render(
        request,
        "disclosure/publications.html",
        {"form": form, "publications": rows, "group_names": {g.key: g.name for g in registry.all_groups()}},
        status=400 if request.method == "POST" else 200,
    )


@action_required(Action.PUBLISH)
def publication_detail(request, pk: int):
    """One publication: what it froze, its history; withdraw it with a reason (POST)."""
    publication = get_object_or_404(service.readable(request.user), pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.withdraw(user=request.user, publication=publication, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Withdrawn: the public pages no longer show it."))
            return redirect("disclosure:publication", pk=publication.pk)
    history = publication.history.select_related("history_user").order_by("-history_date", "-pk")
    return render(
        request,
        "disclosure/publication_detail.html",
        {
            "publication": publication,
            "form": form,
            "history": history,
            "group_names": {g.key: g.name for g in registry.all_groups()},
        },
        status=400 if request.method == "POST" else 200,
    )
