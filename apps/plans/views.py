"""Server-rendered pages for sector plans. Thin: objects come from scoped selectors (outside
the user's read scope: 404), writes go through services (refused: 403, invalid: the form
again with field errors and the user's input)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core import conflicts
from apps.core.attachments import download_response
from apps.core.exports import form_filter_texts
from apps.core.forms import add_service_errors
from apps.core.views import paginate
from apps.organizations.catalog import DEPARTMENT_KINDS
from apps.organizations.models import Department, Sector
from apps.regions.models import Region

from . import exports, figures, selectors, services
from .filters import MeasureFilter, SectorPlanFilter
from .forms import (
    MeasureForm,
    MilestoneCompleteForm,
    MilestoneForm,
    PlanCreateForm,
    PlanEditForm,
    PlanStatusForm,
    ProgressNoteForm,
    TargetForm,
    lead_department_options,
    responsible_region_options,
)
from .models import Measure, MeasureStatus, Milestone, PlanStatus, PlanTarget, ProgressNote, SectorPlan


def _plan_for_read(user, pk) -> SectorPlan:
    return get_object_or_404(
        selectors.readable_plans(user).select_related(
            "sector", "region", "lead_department", "lead_department__region"
        ),
        pk=pk,
    )


def _plan_for_edit(user, pk) -> SectorPlan:
    plan = _plan_for_read(user, pk)
    if not selectors.can_edit_plan(user, plan):
        raise PermissionDenied
    return plan


def _measure_for_read(user, pk) -> Measure:
    return get_object_or_404(
        selectors.readable_measures(user).select_related(
            "plan",
            "plan__region",
            "plan__sector",
            "plan__lead_department",
            "plan__lead_department__region",
            "responsible_department",
            "responsible_department__region",
        ),
        pk=pk,
    )


def _measure_for_edit(user, pk) -> Measure:
    measure = _measure_for_read(user, pk)
    if not selectors.can_edit_measure(user, measure):
        raise PermissionDenied
    return measure


def _filter_context(request, filterset) -> dict:
    readable_regions = Region.objects.filter(
        pk__in=selectors.readable_plans(request.user).values("region")
    ).order_by("path")
    return {
        "filter": filterset,
        "f": {k: request.GET.get(k, "") for k in filterset.filters},
        "sectors": Sector.objects.all(),
        "kinds": DEPARTMENT_KINDS,
        "regions": readable_regions,
        "querystring": request.GET.urlencode(),
    }


# ---- plans -------------------------------------------------------------------------------------


@action_required(Action.READ_PLANS)
def plan_list(request):
    filterset = SectorPlanFilter(request.GET, queryset=selectors.plan_list(request.user))
    page = paginate(request, filterset.qs)
    return render(
        request,
        "plans/plan_list.html",
        {
            **_filter_context(request, filterset),
            "page": page,
            "statuses": PlanStatus.choices,
            "may_create": selectors.may_create_plans(request.user),
        },
    )


@action_required(Action.READ_PLANS)
def plan_export(request):
    filterset = SectorPlanFilter(request.GET, queryset=selectors.plan_list(request.user))
    return exports.plans_xlsx(filterset.qs, filters=form_filter_texts(filterset.form))


@action_required(Action.EDIT_PLANS)
def plan_create(request):
    form = PlanCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Plan created."))
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "plan": None})


@action_required(Action.READ_PLANS)
def plan_detail(request, pk: int):
    plan = _plan_for_read(request.user, pk)
    today = selectors.today()
    rows = selectors.timeline_rows(plan, today)
    measures = list(
        selectors.with_overdue(
            plan.measures.select_related("responsible_department", "responsible_department__region"), today
        )
    )
    for m in measures:
        m.editable = selectors.can_edit_measure(request.user, m)
    notes = (
        ProgressNote.objects.filter(measure__plan=plan)
        .select_related("measure", "author")
        .order_by("-date", "-id")[:30]
    )
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "today": today,
            "can_edit": selectors.can_edit_plan(request.user, plan),
            "targets": plan.targets.select_related("indicator"),
            "measures": measures,
            "overdue": selectors.overdue_items(plan, today),
            "rows": rows,
            "figure": figures.measure_timeline(rows, today=today),
            "notes": notes,
            "history": selectors.plan_history(plan, limit=15),
            "status_form": PlanStatusForm(plan=plan),
        },
    )


@action_required(Action.READ_PLANS)
def plan_history(request, pk: int):
    plan = _plan_for_read(request.user, pk)
    page = paginate(request, selectors.plan_history(plan))
    return render(request, "plans/plan_history.html", {"plan": plan, "page": page})


@action_required(Action.EDIT_PLANS)
def plan_edit(request, pk: int):
    plan = _plan_for_edit(request.user, pk)
    post = conflicts.resolved_post(request.POST) if request.method == "POST" else None
    form = PlanEditForm(post, user=request.user, plan=plan)
    names = conflicts.add_version_fields(form, version=plan.version, names=list(form.fields))
    if request.method == "POST" and form.is_valid():
        data, version = conflicts.split_cleaned(form.cleaned_data)
        try:
            services.plan_update(user=request.user, plan=plan, expected_version=version, **data)
        except conflicts.VersionConflict as exc:
            return conflicts.conflict_response(
                request,
                form=form,
                names=names,
                current=conflicts.initial_text(form, names),
                conflict=exc,
                title=plan.title,
                back_url=plan.get_absolute_url(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Plan saved."))
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@action_required(Action.EDIT_PLANS)
def plan_status(request, pk: int):
    plan = _plan_for_edit(request.user, pk)
    form = PlanStatusForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_set_status(user=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Status changed."))
            return redirect(plan)
    return render(request, "plans/plan_status.html", {"form": form, "plan": plan})


# ---- targets -----------------------------------------------------------------------------------


@action_required(Action.EDIT_PLANS)
def target_create(request, pk: int):
    plan = _plan_for_edit(request.user, pk)
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_add(user=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Target added."))
            return redirect(plan)
    return render(request, "plans/target_form.html", {"form": form, "plan": plan, "target": None})


def _target_for_edit(user, plan_pk: int, pk: int) -> tuple[SectorPlan, PlanTarget]:
    plan = _plan_for_edit(user, plan_pk)
    return plan, get_object_or_404(PlanTarget.objects.select_related("indicator"), pk=pk, plan=plan)


@action_required(Action.EDIT_PLANS)
def target_edit(request, plan_pk: int, pk: int):
    plan, target = _target_for_edit(request.user, plan_pk, pk)
    initial = {name: getattr(target, name) for name in services.TARGET_FIELDS}
    form = TargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_update(user=request.user, target=target, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Target saved."))
            return redirect(plan)
    return render(request, "plans/target_form.html", {"form": form, "plan": plan, "target": target})


@require_POST
@action_required(Action.EDIT_PLANS)
def target_delete(request, plan_pk: int, pk: int):
    plan, target = _target_for_edit(request.user, plan_pk, pk)
    services.target_delete(user=request.user, target=target, plan=plan)
    messages.success(request, _("Target deleted."))
    return redirect(plan)


# ---- measures ----------------------------------------------------------------------------------


@action_required(Action.READ_PLANS)
def measure_list(request):
    filterset = MeasureFilter(request.GET, queryset=selectors.measure_list(request.user))
    page = paginate(request, filterset.qs)
    return render(
        request,
        "plans/measure_list.html",
        {**_filter_context(request, filterset), "page": page, "statuses": MeasureStatus.choices},
    )


@action_required(Action.READ_PLANS)
def measure_export(request):
    filterset = MeasureFilter(request.GET, queryset=selectors.measure_list(request.user))
    return exports.measures_xlsx(filterset.qs, filters=form_filter_texts(filterset.form))


@action_required(Action.EDIT_PLANS)
def measure_create(request, pk: int):
    plan = _plan_for_edit(request.user, pk)
    form = MeasureForm(request.POST or None, user=request.user, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("responsible_region")
        try:
            measure = services.measure_create(user=request.user, plan=plan, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Measure added."))
            return redirect(measure)
    return render(
        request,
        "plans/measure_form.html",
        {"form": form, "plan": plan, "measure": None, "plan_readable": True},
    )


@action_required(Action.READ_PLANS)
def measure_detail(request, pk: int, *, note_form=None, milestone_form=None, complete_forms=None, status=200):
    measure = _measure_for_read(request.user, pk)
    today = selectors.today()
    can_edit = selectors.can_edit_measure(request.user, measure)
    milestones = list(measure.milestones.all())
    for ms in milestones:
        ms.overdue = ms.is_overdue(today)
        ms.complete_form = (complete_forms or {}).get(ms.pk) or MilestoneCompleteForm(
            initial={"done_on": today}, prefix=f"ms{ms.pk}"
        )
    return render(
        request,
        "plans/measure_detail.html",
        {
            "measure": measure,
            "plan": measure.plan,
            "plan_readable": selectors.can_read_plan(request.user, measure.plan),
            "today": today,
            "overdue": measure.is_overdue(today),
            "can_edit": can_edit,
            "milestones": milestones,
            "notes": measure.progress_notes.select_related("author").order_by("-date", "-id"),
            "note_form": note_form or ProgressNoteForm(measure=measure, initial={"date": today}),
            "milestone_form": milestone_form or MilestoneForm(),
        },
        status=status,
    )


@action_required(Action.EDIT_PLANS)
def measure_edit(request, pk: int):
    measure = _measure_for_edit(request.user, pk)
    post = conflicts.resolved_post(request.POST) if request.method == "POST" else None
    form = MeasureForm(post, user=request.user, plan=measure.plan, measure=measure)
    names = conflicts.add_version_fields(form, version=measure.version, names=list(form.fields))
    if request.method == "POST" and form.is_valid():
        data, version = conflicts.split_cleaned(form.cleaned_data)
        data.pop("responsible_region")
        try:
            services.measure_update(
                user=request.user, measure=measure, plan=measure.plan, expected_version=version, **data
            )
        except conflicts.VersionConflict as exc:
            return conflicts.conflict_response(
                request,
                form=form,
                names=names,
                current=conflicts.initial_text(form, names),
                conflict=exc,
                title=measure.title,
                back_url=measure.get_absolute_url(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Measure saved."))
            return redirect(measure)
    return render(
        request, "plans/measure_form.html", {"form": form, "plan": measure.plan, "measure": measure}
    )


@require_POST
@action_required(Action.EDIT_PLANS)
def milestone_add(request, pk: int):
    measure = _measure_for_edit(request.user, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(user=request.user, measure=measure, plan=measure.plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Milestone added."))
            return redirect(measure)
    return measure_detail(request, pk, milestone_form=form)


@require_POST
@action_required(Action.EDIT_PLANS)
def milestone_complete(request, pk: int):
    milestone = get_object_or_404(
        Milestone.objects.filter(measure__in=selectors.readable_measures(request.user)), pk=pk
    )
    measure = _measure_for_edit(request.user, milestone.measure_id)
    form = MilestoneCompleteForm(request.POST, prefix=f"ms{milestone.pk}")
    if form.is_valid():
        try:
            services.milestone_complete(user=request.user, milestone=milestone, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Milestone marked done."))
            return redirect(measure)
    return measure_detail(request, measure.pk, complete_forms={milestone.pk: form})


@require_POST
@action_required(Action.EDIT_PLANS)
def note_add(request, pk: int):
    measure = _measure_for_edit(request.user, pk)
    form = ProgressNoteForm(request.POST, request.FILES, measure=measure)
    if form.is_valid():
        try:
            services.progress_note_add(
                user=request.user, measure=measure, plan=measure.plan, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect(measure)
    return measure_detail(request, pk, note_form=form)


@require_GET
@action_required(Action.READ_PLANS)
def note_attachment(request, pk: int):
    """Download a progress note's file: only for users who may read its measure."""
    note = get_object_or_404(
        ProgressNote.objects.filter(measure__in=selectors.readable_measures(request.user)).exclude(
            attachment=""
        ),
        pk=pk,
    )
    return download_response(note.attachment, name=note.attachment_name, content_type=note.attachment_type)


# ---- htmx helpers ------------------------------------------------------------------------------


@require_GET
@action_required(Action.EDIT_PLANS)
def department_options(request):
    """`<option>`s of the departments at the chosen region that the form may offer (htmx)."""
    purpose = request.GET.get("purpose", "lead")
    region_id = request.GET.get("region") or request.GET.get("responsible_region")
    departments = Department.objects.none()
    if region_id and region_id.isdigit():
        if purpose == "responsible":
            plan = get_object_or_404(selectors.reachable_plans(request.user), pk=request.GET.get("plan") or 0)
            region = responsible_region_options(request.user, plan).filter(pk=region_id).first()
            if region is not None:
                departments = Department.objects.filter(region=region).order_by("role", "kind")
        else:
            region = Region.objects.filter(pk=region_id).first()
            departments = lead_department_options(request.user, region)
    head = (
        ""
        if purpose == "responsible"
        else format_html('<option value="">{}</option>', _("The sector's lead department at the region"))
    )
    body = format_html_join(
        "", '<option value="{}">{}</option>', ((d.pk, d.display_name) for d in departments)
    )
    return HttpResponse(head + body)
