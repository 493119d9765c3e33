"""Plan periods, region targets, their import and their decomposition.

Plan periods: everyone signed in reads them. Targets, their export and the decomposition:
`Action.READ_TARGETS` (the subtree and the regions above, roles.md v1.1; a target outside it
is a 404 and never listed). `Action.SET_TARGETS` writes (within the user's scope; a
region outside it is shown as a field error with status 403, nothing saved);
`Action.EDIT_CATALOG` assigns a period's rule set and factor set.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core import conflicts
from apps.core.exports import filter_text, labelled_filter_texts, wants_xlsx, xlsx_response
from apps.core.forms import add_service_errors
from apps.core.tables import ImportRejected
from apps.core.views import bound_args, paginate
from apps.regions.models import Region

from . import selectors, services
from .forms import PeriodAssignForm, TargetCreateForm, TargetEditForm, TargetImportForm
from .models import PlanPeriod, RegionTarget, TargetMetric


def target_headers() -> list[str]:
    """The target list's xlsx header for people (the metric's name carries its unit)."""
    return [
        _("Region"),
        _("Region code"),
        _("Plan period"),
        _("Target"),
        _("Metric code"),
        _("Year"),
        _("Value"),
        _("Note"),
        _("Updated at"),
        _("Updated by"),
    ]


def _target_filter_texts(f: dict) -> list[str]:
    labels = {
        "region": _("Region"),
        "within": _("Within"),
        "period": _("Plan period"),
        "metric": _("Target"),
        "year": _("Year"),
    }
    return labelled_filter_texts(f, labels, {"metric": dict(TargetMetric.choices)})


def _can_set_targets(user) -> bool:
    return scoping.scope_of(user, Action.SET_TARGETS) is not None


def _region_refused(form, region: Region) -> None:
    form.add_error(
        "region",
        _("You may not set targets for %(region)s: it is outside your jurisdiction.") % {"region": region},
    )


# --- periods -------------------------------------------------------------------------------------


@action_required(Action.READ_REFERENCE)
def period_list(request):
    periods = selectors.periods(request.user)
    if wants_xlsx(request):
        return xlsx_response(
            "plan-periods.xlsx",
            _("Plan periods"),
            [
                _("Code"),
                _("Name"),
                _("English name"),
                _("Base year"),
                _("Length (years)"),
                _("Rule set"),
                _("Emission factor set"),
                _("Targets"),
            ],
            (
                [
                    p.code,
                    p.name,
                    p.name_en,
                    p.base_year,
                    p.length,
                    p.rule_set.code,
                    p.factor_set.code if p.factor_set else _("(the default set)"),
                    p.target_count,
                ]
                for p in periods
            ),
        )
    return render(
        request,
        "targets/period_list.html",
        {"periods": periods, "can_edit": scoping.can(request.user, Action.EDIT_CATALOG)},
    )


@action_required(Action.READ_REFERENCE)
def period_detail(request, code: str):
    period = get_object_or_404(selectors.periods(request.user), code=code)
    return render(
        request,
        "targets/period_detail.html",
        {
            "period": period,
            "history": selectors.period_history(period),
            "can_edit": scoping.can(request.user, Action.EDIT_CATALOG),
            "metrics": TargetMetric.choices,
        },
    )


@action_required(Action.EDIT_CATALOG)
def period_edit(request, code: str):
    period = get_object_or_404(PlanPeriod, code=code)
    form = PeriodAssignForm(
        *bound_args(request), initial={"rule_set": period.rule_set_id, "factor_set": period.factor_set_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.period_assign(user=request.user, period=period, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The rule set and factor set of %(period)s were saved.") % {"period": period.code}
            )
            return redirect("targets:period-detail", code=period.code)
    return render(
        request,
        "indicators/form.html",
        {
            "form": form,
            "title": _("Rule set and factor set of %(period)s") % {"period": period.display_name},
            "back_url": "targets:period-list",
            "submit": _("Save"),
        },
    )


# --- targets -------------------------------------------------------------------------------------


def _target_filters(request) -> dict:
    year = request.GET.get("year", "").strip()
    return {
        "region": request.GET.get("region", "").strip(),
        "within": request.GET.get("within", "").strip(),
        "period": request.GET.get("period", "").strip(),
        "metric": request.GET.get("metric", "").strip(),
        "year": year,
        "year_value": int(year) if year.isdigit() else None,
    }


@action_required(Action.READ_TARGETS)
def target_list(request):
    f = _target_filters(request)
    qs = selectors.targets(
        request.user,
        region=f["region"],
        within=f["within"],
        period=f["period"],
        metric=f["metric"],
        year=f["year_value"],
    )
    if f["year"] and f["year_value"] is None:
        qs = qs.none()
    if wants_xlsx(request):
        return xlsx_response(
            "targets.xlsx",
            _("Targets"),
            target_headers(),
            (
                [
                    t.region.name,
                    t.region.code,
                    t.period.code,
                    t.get_metric_display(),
                    t.metric,
                    t.year,
                    t.value,
                    t.note,
                    t.updated_at,
                    t.updated_by.username if t.updated_by else None,
                ]
                for t in qs
            ),
            filters=_target_filter_texts(f),
        )
    page = paginate(request, qs)
    for t in page:
        t.can_edit = scoping.can(request.user, Action.SET_TARGETS, region=t.region)
    return render(
        request,
        "targets/target_list.html",
        {
            "page": page,
            "filters": f,
            "periods": PlanPeriod.objects.all(),
            "metrics": TargetMetric.choices,
            "parents": selectors.parent_regions(request.user),
            "can_set": _can_set_targets(request.user),
        },
    )


@action_required(Action.READ_TARGETS)
def target_detail(request, pk: int):
    target = get_object_or_404(selectors.targets(request.user), pk=pk)
    return render(
        request,
        "targets/target_detail.html",
        {
            "target": target,
            "history": selectors.target_history(target),
            "can_edit": scoping.can(request.user, Action.SET_TARGETS, region=target.region),
        },
    )


@action_required(Action.SET_TARGETS)
def target_create(request):
    initial = {k: request.GET[k] for k in ("region", "period", "metric", "year") if request.GET.get(k)}
    form = TargetCreateForm(*bound_args(request), initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = services.target_set(user=request.user, **data)
        except PermissionDenied:
            _region_refused(form, data["region"])
            status = 403
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Target saved: %(target)s.") % {"target": _describe(target)})
            return redirect("targets:detail", pk=target.pk)
    if request.method == "POST" and not form.is_valid() and status == 200:
        status = 400
    return render(
        request,
        "targets/target_form.html",
        {
            "form": form,
            "title": _("New target"),
            "settable": selectors.settable_regions(request.user),
        },
        status=status,
    )


@action_required(Action.SET_TARGETS)
def target_edit(request, pk: int):
    target = get_object_or_404(selectors.targets(request.user), pk=pk)  # unreadable: 404
    scoping.require(request.user, Action.SET_TARGETS, region=target.region)
    current = RegionTarget.objects.get(pk=target.pk)
    post = conflicts.resolved_post(request.POST) if request.method == "POST" else None
    form = TargetEditForm(post, instance=current)
    names = conflicts.add_version_fields(form, version=current.version, names=TargetEditForm.Meta.fields)
    status = 200
    if request.method == "POST" and form.is_valid():
        data, version = conflicts.split_cleaned(form.cleaned_data)
        try:
            services.target_set(
                user=request.user,
                region=target.region,
                period=target.period,
                metric=target.metric,
                year=target.year,
                expected_version=version,
                **data,
            )
        except conflicts.VersionConflict as exc:
            return conflicts.conflict_response(
                request,
                form=form,
                names=names,
                current=conflicts.initial_text(form, names),
                conflict=exc,
                title=_describe(target),
                back_url=reverse("targets:detail", args=[target.pk]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Target saved: %(target)s.") % {"target": _describe(target)})
            return redirect("targets:detail", pk=target.pk)
    if request.method == "POST" and form.errors:
        status = 400
    return render(
        request,
        "targets/target_form.html",
        {
            "form": form,
            "title": _("Edit target: %(target)s") % {"target": _describe(target)},
            "target": target,
        },
        status=status,
    )


@action_required(Action.SET_TARGETS)
def target_delete(request, pk: int):
    target = get_object_or_404(selectors.targets(request.user), pk=pk)  # unreadable: 404
    scoping.require(request.user, Action.SET_TARGETS, region=target.region)
    if request.method == "POST":
        services.target_delete(user=request.user, target=target)
        messages.success(request, _("Target removed: %(target)s.") % {"target": _describe(target)})
        return redirect(f"{reverse('targets:list')}?region={target.region.code}&period={target.period.code}")
    return render(request, "targets/target_delete.html", {"target": target})


def _describe(target: RegionTarget) -> str:
    year = f" {target.year}" if target.year else ""
    label = TargetMetric(target.metric).label
    value = format(target.value.normalize(), "f")  # 10, not 1E+1
    return f"{target.region.name} {target.period.code} {label}{year} = {value}"


@action_required(Action.SET_TARGETS)
def target_import(request):
    form = TargetImportForm(*bound_args(request, files=True))
    row_errors = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.targets_import(user=request.user, file=upload, filename=upload.name)
            except ImportRejected as error:
                row_errors = error.row_errors
                status = 400
            else:
                messages.success(
                    request,
                    _("File %(name)s imported: %(result)s.") % {"name": upload.name, "result": result},
                )
                return redirect("targets:list")
        else:
            status = 400
    return render(
        request,
        "targets/target_import.html",
        {
            "form": form,
            "row_errors": row_errors,
            "metrics": TargetMetric.choices,
            "periods": PlanPeriod.objects.all(),
        },
        status=status,
    )


# --- decomposition -------------------------------------------------------------------------------


@action_required(Action.READ_TARGETS)
def decomposition(request):
    parents = selectors.parent_regions(request.user)
    code = request.GET.get("parent", "").strip()
    parent = (
        parents.filter(code=code).order_by("path").first() if code else selectors.default_parent(request.user)
    )
    period_code = request.GET.get("period", "").strip()
    period = (
        PlanPeriod.objects.filter(code=period_code).first()
        if period_code
        else selectors.default_period(parent)
    )
    result = selectors.decomposition(request.user, parent, period) if parent and period else None
    if result is not None and wants_xlsx(request):
        header = [_("Region"), _("Region code"), *[c.label for c in result.columns]]
        rows = []
        for row in [result.parent_row, *result.rows]:
            rows.append([row.region.name, row.region.code, *[c.value for c in row.cells]])
        return xlsx_response(
            f"decomposition-{parent.code}-{period.code}.xlsx",
            _("Decomposition"),
            header,
            rows,
            filters=[
                filter_text(_("Parent region"), f"{parent.name}（{parent.code}）"),
                filter_text(_("Plan period"), period.code),
            ],
        )
    return render(
        request,
        "targets/decomposition.html",
        {
            "parents": parents,
            "periods": PlanPeriod.objects.all(),
            "parent": parent,
            "period": period,
            "result": result,
            "not_found": bool(code) and parent is None,
            "can_set": _can_set_targets(request.user),
        },
    )
