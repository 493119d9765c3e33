"""Catalog pages: everyone signed in reads; provincial officials and administrators edit.

Views parse input with forms and call `services`; a refused write is a 403, a rejected
one re-shows the form with the service's errors under the fields they concern.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.exports import filter_text, wants_xlsx, xlsx_response
from apps.core.forms import add_service_errors
from apps.core.views import bound_args, paginate

from . import selectors, services
from .forms import (
    FactorSetCreateForm,
    FactorSetForm,
    FuelFactorForm,
    GridCreateForm,
    GridFactorForm,
    GridForm,
    GridRegionsForm,
    IndicatorForm,
    RuleSetForm,
)
from .models import CO2_PER_C, EmissionFactorSet, Fuel, FuelFactor, Grid, GridFactor, Indicator, RuleSet


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _form_page(request, form, *, title: str, back_url: str, submit: str | None = None, status: int = 200):
    return render(
        request,
        "indicators/form.html",
        {"form": form, "title": title, "back_url": back_url, "submit": submit or _("Save")},
        status=status,
    )


def _can_edit(request) -> bool:
    return scoping.can(request.user, Action.EDIT_CATALOG)


# --- indicators ----------------------------------------------------------------------------------


@action_required(Action.READ_REFERENCE)
def indicator_list(request):
    required = request.GET.get("required", "")
    q = request.GET.get("q", "").strip()
    qs = selectors.indicators(request.user, required={"yes": True, "no": False}.get(required), q=q)
    if wants_xlsx(request):
        return xlsx_response(
            "indicators.xlsx",
            _("Indicators"),
            [
                _("Code"),
                _("Chinese name"),
                _("English name"),
                _("Unit"),
                _("Unit (English)"),
                _("Required"),
                _("May be negative"),
                _("Definition (Chinese)"),
                _("Definition (English)"),
                _("Plausible year-on-year change"),
                _("Year-on-year change measured as"),
                _("Lower bound (change)"),
                _("Upper bound (change)"),
                _("Year-on-year change compared with"),
                _("Tolerance against the parent region"),
            ],
            (
                [
                    i.code,
                    i.name_zh,
                    i.name_en,
                    i.unit,
                    i.unit_en,
                    _yes_no(i.required),
                    _yes_no(i.allow_negative),
                    i.definition_zh,
                    i.definition_en,
                    i.change_bounds_text,
                    i.get_change_measure_display(),
                    i.change_lower,
                    i.change_upper,
                    i.get_change_basis_display(),
                    i.parent_tolerance,
                ]
                for i in qs
            ),
            filters=[
                *(
                    [filter_text(_("Required"), _yes_no(required == "yes"))]
                    if required in ("yes", "no")
                    else []
                ),
                *([filter_text(_("Search"), q)] if q else []),
            ],
        )
    page = paginate(request, qs)
    return render(
        request,
        "indicators/indicator_list.html",
        {"page": page, "filters": {"required": required, "q": q}, "can_edit": _can_edit(request)},
    )


@action_required(Action.READ_REFERENCE)
def indicator_detail(request, code: str):
    indicator = get_object_or_404(selectors.indicators(request.user), code=code)
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "history": selectors.indicator_history(indicator),
            "can_edit": _can_edit(request),
        },
    )


@action_required(Action.EDIT_CATALOG)
def indicator_create(request):
    form = IndicatorForm(*bound_args(request))
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Indicator “%(name)s” added.") % {"name": indicator.name})
            return redirect("indicators:detail", code=indicator.code)
    return _form_page(request, form, title=_("New indicator"), back_url="indicators:list")


@action_required(Action.EDIT_CATALOG)
def indicator_edit(request, code: str):
    indicator = get_object_or_404(Indicator, code=code)
    form = IndicatorForm(*bound_args(request), instance=Indicator.objects.get(pk=indicator.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(user=request.user, indicator=indicator, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Indicator “%(name)s” saved.") % {"name": indicator.name})
            return redirect("indicators:detail", code=indicator.code)
    return _form_page(
        request,
        form,
        title=_("Edit indicator “%(name)s”") % {"name": indicator.name},
        back_url="indicators:list",
    )


# --- factor sets ---------------------------------------------------------------------------------


@action_required(Action.READ_REFERENCE)
def factor_set_list(request):
    sets = selectors.factor_sets(request.user)
    if wants_xlsx(request):
        rows = []
        for s in sets:
            for f in s.fuel_factors.all():
                rows.append(
                    [
                        s.code,
                        s.name,
                        _yes_no(s.is_default),
                        f.get_fuel_display(),
                        f.value,
                        f.unit,
                        f.co2_per_tce,
                        f.source,
                    ]
                )
            if not s.fuel_factors.all():
                rows.append([s.code, s.name, _yes_no(s.is_default), None, None, None, None, None])
        return xlsx_response(
            "emission-factor-sets.xlsx",
            _("Emission factor sets"),
            [
                _("Factor set"),
                _("Name"),
                _("Default"),
                _("Fuel"),
                _("Value"),
                _("Unit"),
                _("CO2 factor (tCO2/tce)"),
                _("Source"),
            ],
            rows,
        )
    page = paginate(request, sets)
    return render(request, "indicators/factor_set_list.html", {"page": page, "can_edit": _can_edit(request)})


@action_required(Action.READ_REFERENCE)
def factor_set_detail(request, code: str):
    factor_set = get_object_or_404(selectors.factor_sets(request.user), code=code)
    by_fuel = {f.fuel: f for f in factor_set.fuel_factors.all()}
    fuels = [(value, label, by_fuel.get(value)) for value, label in Fuel.choices]
    return render(
        request,
        "indicators/factor_set_detail.html",
        {
            "factor_set": factor_set,
            "fuels": fuels,
            "co2_per_c": CO2_PER_C,
            "history": selectors.factor_set_history(factor_set),
            "can_edit": _can_edit(request),
        },
    )


@action_required(Action.EDIT_CATALOG)
def factor_set_create(request):
    form = FactorSetCreateForm(*bound_args(request))
    if request.method == "POST" and form.is_valid():
        try:
            factor_set = services.factor_set_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Factor set “%(name)s” created.") % {"name": factor_set.name})
            return redirect("indicators:factor-set-detail", code=factor_set.code)
    return _form_page(
        request, form, title=_("New emission factor set"), back_url="indicators:factor-set-list"
    )


@action_required(Action.EDIT_CATALOG)
def factor_set_edit(request, code: str):
    factor_set = get_object_or_404(EmissionFactorSet, code=code)
    form = FactorSetForm(*bound_args(request), instance=EmissionFactorSet.objects.get(pk=factor_set.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.factor_set_update(user=request.user, factor_set=factor_set, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Factor set “%(name)s” saved.") % {"name": factor_set.name})
            return redirect("indicators:factor-set-detail", code=factor_set.code)
    return _form_page(
        request,
        form,
        title=_("Edit emission factor set %(code)s") % {"code": factor_set.code},
        back_url="indicators:factor-set-list",
    )


@require_POST
@action_required(Action.EDIT_CATALOG)
def factor_set_default(request, code: str):
    factor_set = get_object_or_404(EmissionFactorSet, code=code)
    try:
        services.factor_set_mark_default(user=request.user, factor_set=factor_set)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("“%(name)s” is now the default factor set.") % {"name": factor_set.name})
    return redirect("indicators:factor-set-detail", code=factor_set.code)


@action_required(Action.EDIT_CATALOG)
def fuel_factor_edit(request, code: str, fuel: str):
    factor_set = get_object_or_404(EmissionFactorSet, code=code)
    if fuel not in Fuel.values:
        raise Http404
    instance = FuelFactor.objects.filter(factor_set=factor_set, fuel=fuel).first() or FuelFactor(
        factor_set=factor_set, fuel=fuel
    )
    form = FuelFactorForm(*bound_args(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.fuel_factor_set(user=request.user, factor_set=factor_set, fuel=fuel, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Fuel factor saved."))
            return redirect("indicators:factor-set-detail", code=factor_set.code)
    return _form_page(
        request,
        form,
        title=_("%(fuel)s factor in %(code)s") % {"fuel": Fuel(fuel).label, "code": factor_set.code},
        back_url="indicators:factor-set-list",
    )


# --- grids ---------------------------------------------------------------------------------------


@action_required(Action.READ_REFERENCE)
def grid_list(request):
    grids = selectors.grids(request.user)
    if wants_xlsx(request):
        rows = []
        for g in grids:
            regions = ", ".join(f"{r.code} {r.name}" for r in g.regions.all())
            for f in g.factors.all():
                rows.append(
                    [g.code, g.name, _yes_no(g.is_default), f.year, f.value_kg_per_kwh, f.source, regions]
                )
            if not g.factors.all():
                rows.append([g.code, g.name, _yes_no(g.is_default), None, None, None, regions])
        return xlsx_response(
            "grids.xlsx",
            _("Grids"),
            [
                _("Grid"),
                _("Name"),
                _("Default"),
                _("Year"),
                _("Factor (kgCO2/kWh)"),
                _("Source"),
                _("Assigned regions"),
            ],
            rows,
        )
    page = paginate(request, grids)
    return render(request, "indicators/grid_list.html", {"page": page, "can_edit": _can_edit(request)})


@action_required(Action.READ_REFERENCE)
def grid_detail(request, code: str):
    grid = get_object_or_404(selectors.grids(request.user), code=code)
    return render(
        request,
        "indicators/grid_detail.html",
        {"grid": grid, "history": selectors.grid_history(grid), "can_edit": _can_edit(request)},
    )


@action_required(Action.EDIT_CATALOG)
def grid_create(request):
    form = GridCreateForm(*bound_args(request))
    if request.method == "POST" and form.is_valid():
        try:
            grid = services.grid_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Grid “%(name)s” created.") % {"name": grid.name})
            return redirect("indicators:grid-detail", code=grid.code)
    return _form_page(request, form, title=_("New grid"), back_url="indicators:grid-list")


@action_required(Action.EDIT_CATALOG)
def grid_edit(request, code: str):
    grid = get_object_or_404(Grid, code=code)
    form = GridForm(*bound_args(request), instance=Grid.objects.get(pk=grid.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.grid_update(user=request.user, grid=grid, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Grid “%(name)s” saved.") % {"name": grid.name})
            return redirect("indicators:grid-detail", code=grid.code)
    return _form_page(
        request, form, title=_("Edit grid %(code)s") % {"code": grid.code}, back_url="indicators:grid-list"
    )


@require_POST
@action_required(Action.EDIT_CATALOG)
def grid_default(request, code: str):
    grid = get_object_or_404(Grid, code=code)
    try:
        services.grid_mark_default(user=request.user, grid=grid)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("“%(name)s” is now the default grid.") % {"name": grid.name})
    return redirect("indicators:grid-detail", code=grid.code)


@action_required(Action.EDIT_CATALOG)
def grid_factor_create(request, code: str):
    grid = get_object_or_404(Grid, code=code)
    form = GridFactorForm(*bound_args(request), instance=GridFactor(grid=grid))
    if request.method == "POST" and form.is_valid():
        try:
            services.grid_factor_create(user=request.user, grid=grid, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Grid factor saved."))
            return redirect("indicators:grid-detail", code=grid.code)
    return _form_page(
        request,
        form,
        title=_("New yearly factor for %(grid)s") % {"grid": grid.name},
        back_url="indicators:grid-list",
    )


@action_required(Action.EDIT_CATALOG)
def grid_factor_edit(request, code: str, year: int):
    factor = get_object_or_404(GridFactor.objects.select_related("grid"), grid__code=code, year=year)
    form = GridFactorForm(*bound_args(request), instance=GridFactor.objects.get(pk=factor.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.grid_factor_update(user=request.user, factor=factor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Grid factor saved."))
            return redirect("indicators:grid-detail", code=code)
    return _form_page(
        request,
        form,
        title=_("%(grid)s factor for %(year)s") % {"grid": factor.grid.name, "year": year},
        back_url="indicators:grid-list",
    )


@require_POST
@action_required(Action.EDIT_CATALOG)
def grid_factor_delete(request, code: str, year: int):
    factor = get_object_or_404(GridFactor, grid__code=code, year=year)
    try:
        services.grid_factor_delete(user=request.user, factor=factor)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The factor for %(year)s was removed.") % {"year": year})
    return redirect("indicators:grid-detail", code=code)


@action_required(Action.EDIT_CATALOG)
def grid_regions(request, code: str):
    grid = get_object_or_404(Grid, code=code)
    initial = {"codes": " ".join(grid.regions.order_by("path").values_list("code", flat=True))}
    form = GridRegionsForm(*bound_args(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.grid_regions_set(user=request.user, grid=grid, regions=form.cleaned_data["codes"])
        except ValidationError as error:
            if hasattr(error, "error_dict") and "regions" in error.error_dict:
                form.add_error("codes", error.error_dict["regions"])
            else:
                add_service_errors(form, error)
        else:
            messages.success(request, _("Regions of %(grid)s saved.") % {"grid": grid.name})
            return redirect("indicators:grid-detail", code=grid.code)
    return _form_page(
        request,
        form,
        title=_("Regions using %(grid)s") % {"grid": grid.name},
        back_url="indicators:grid-list",
    )


# --- rule sets -----------------------------------------------------------------------------------


RULE_SET_TERMS = ("energy_total", "feedstock_energy", "energy_nonfossil")


@action_required(Action.READ_REFERENCE)
def rule_set_list(request):
    rule_sets = selectors.rule_sets(request.user)
    if wants_xlsx(request):
        return xlsx_response(
            "rule-sets.xlsx",
            _("Rule sets"),
            [
                _("Code"),
                _("Name"),
                _("Intensity excludes feedstock"),
                _("Intensity excludes non-fossil"),
                _("Total excludes feedstock"),
                _("Total excludes non-fossil"),
                _("Total deducts new renewables"),
                _("Progress requirement"),
                _("Periods"),
                _("Source"),
            ],
            (
                [
                    r.code,
                    r.name,
                    _yes_no(r.intensity_excludes_feedstock),
                    _yes_no(r.intensity_excludes_nonfossil),
                    _yes_no(r.total_excludes_feedstock),
                    _yes_no(r.total_excludes_nonfossil),
                    _yes_no(r.total_deducts_new_renewables),
                    r.get_progress_method_display(),
                    ", ".join(p.code for p in r.periods.all()),
                    r.source,
                ]
                for r in rule_sets
            ),
        )
    page = paginate(request, rule_sets)
    # the energy terms by their catalog names, not codes
    names = {i.code: i.name for i in Indicator.objects.filter(code__in=RULE_SET_TERMS)}
    names |= {code: code for code in RULE_SET_TERMS if code not in names}
    return render(
        request,
        "indicators/rule_set_list.html",
        {"page": page, "can_edit": _can_edit(request), "names": names},
    )


@action_required(Action.READ_REFERENCE)
def rule_set_detail(request, code: str):
    rule_set = get_object_or_404(selectors.rule_sets(request.user), code=code)
    return render(
        request,
        "indicators/rule_set_detail.html",
        {
            "rule_set": rule_set,
            "history": selectors.rule_set_history(rule_set),
            "can_edit": _can_edit(request),
        },
    )


@action_required(Action.EDIT_CATALOG)
def rule_set_create(request):
    form = RuleSetForm(*bound_args(request))
    if request.method == "POST" and form.is_valid():
        try:
            rule_set = services.rule_set_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rule set %(code)s created.") % {"code": rule_set.code})
            return redirect("indicators:rule-set-detail", code=rule_set.code)
    return _form_page(request, form, title=_("New rule set"), back_url="indicators:rule-set-list")


@action_required(Action.EDIT_CATALOG)
def rule_set_edit(request, code: str):
    rule_set = get_object_or_404(RuleSet, code=code)
    form = RuleSetForm(*bound_args(request), instance=RuleSet.objects.get(pk=rule_set.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_set_update(user=request.user, rule_set=rule_set, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rule set %(code)s saved.") % {"code": rule_set.code})
            return redirect("indicators:rule-set-detail", code=rule_set.code)
    return _form_page(
        request,
        form,
        title=_("Edit rule set %(code)s") % {"code": rule_set.code},
        back_url="indicators:rule-set-list",
    )
