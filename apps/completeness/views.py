"""Completeness pages: the regions × years grid (and its xlsx), reporting deadlines, the reminder log.

READ_COMPLETENESS reads the grid (scoped and masked by `selectors.build_grid`) and the
deadlines; EDIT_DEADLINES (provincial officials, administrators) edits them and reads the
reminder log; each view declares its actions with `action_required`. The paths stay under
/reports/ (see urls.py). A refused write is a 403; a rejected one re-shows the form with
the errors under their fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.cache import cached_fragment, history_model, latest_pks, params_key, scope_key
from apps.core.views import paginate
from apps.regions.models import RegionLevel
from apps.reports.models import Report

from . import exports, selectors, services
from .forms import DeadlineForm
from .models import ReminderKind, ReportingDeadline

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the grid --------------------------------------------------------------------------------------


def _filters(request):
    today = timezone.localdate()
    try:
        return selectors.parse_filters(request.GET, today=today), {}
    except ValidationError as exc:
        start, end = selectors.default_years(today)
        return selectors.GridFilters(year_from=start, year_to=end), exc.message_dict


@action_required(Action.READ_COMPLETENESS)
def grid(request):
    """The regions × years grid. Its body is built once per jurisdiction, language, query, day and
    version of the reports and deadlines, and kept in the cache (`apps.core.cache`)."""
    key = (
        scope_key(request.user),
        params_key(request.GET),
        timezone.localdate(),  # default years and "overdue" move with the day
        # any report created, submitted, approved, returned, deleted; any deadline set or removed:
        # every save and delete writes a history row (index lookups, not a count of the reports)
        latest_pks(
            Report.objects.all(),
            history_model(Report).objects.all(),
            history_model(ReportingDeadline).objects.all(),
        ),
    )
    status, body = cached_fragment("completeness-grid", key, lambda: _grid_body(request))
    return render(request, "completeness/grid.html", {"body": body}, status=status)


def _grid_body(request) -> tuple[int, str]:
    filters, errors = _filters(request)
    result = selectors.build_grid(
        request.user, filters, page=request.GET.get("page"), per_page=selectors.PAGE_SIZE
    )
    html = render_to_string(
        "completeness/_grid_body.html",
        {
            "grid": result,
            "page": result.page,
            "filters": filters,
            "errors": errors,
            "params": request.GET,
            "cities": selectors.cities_for_filter(request.user),
            "levels": RegionLevel.choices,
            "states": list(selectors.CellState),
            "export_query": "&".join(f"{k}={v}" for k, v in filters.as_query().items()),
            "may_edit_deadlines": selectors.may_edit_deadlines(request.user),
        },
        request=request,
    )
    return (400 if errors else 200), html


@action_required(Action.READ_COMPLETENESS)
def grid_export(request):
    try:
        filters = selectors.parse_filters(request.GET, today=timezone.localdate())
    except ValidationError as exc:
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    result = selectors.build_grid(request.user, filters)
    return _xlsx(
        exports.grid_workbook(result), f"report-completeness-{filters.year_from}-{filters.year_to}.xlsx"
    )


# --- deadlines -------------------------------------------------------------------------------------


def _save_deadline(request, form: DeadlineForm, *, year: int | None = None):
    """Call the service; on a rejected value put its errors under the fields. Returns the deadline."""
    if not form.is_valid():
        return None
    try:
        return services.deadline_set(
            user=request.user,
            year=year if year is not None else form.cleaned_data["year"],
            due_date=form.cleaned_data["due_date"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return None


@action_required(Action.READ_COMPLETENESS, write=Action.EDIT_DEADLINES)
def deadline_list(request):
    may_edit = selectors.may_edit_deadlines(request.user)
    form = None
    if request.method == "POST":
        form = DeadlineForm(request.POST)
        if form.is_valid() and ReportingDeadline.objects.filter(year=form.cleaned_data["year"]).exists():
            form.add_error("year", _("A deadline is already set for this year; edit it instead."))
        deadline = _save_deadline(request, form)
        if deadline is not None:
            messages.success(
                request,
                _("Deadline for %(year)s set to %(date)s.")
                % {"year": deadline.year, "date": deadline.due_date.isoformat()},
            )
            return redirect("completeness:deadlines")
    elif may_edit:
        form = DeadlineForm(initial={"year": timezone.localdate().year - 1})
    deadlines = ReportingDeadline.objects.select_related("updated_by").order_by("-year")
    page = paginate(request, deadlines, 50)
    return render(
        request,
        "completeness/deadlines.html",
        {"page": page, "form": form, "may_edit": may_edit},
        status=400 if form is not None and form.errors else 200,
    )


@action_required(Action.EDIT_DEADLINES)
def deadline_edit(request, year: int):
    deadline = ReportingDeadline.objects.filter(year=year).first()
    if deadline is None:
        raise Http404
    if request.method == "POST":
        form = DeadlineForm(_with_year(request.POST, year))
        saved = _save_deadline(request, form, year=year)
        if saved is not None:
            messages.success(
                request,
                _("Deadline for %(year)s set to %(date)s.")
                % {"year": saved.year, "date": saved.due_date.isoformat()},
            )
            return redirect("completeness:deadlines")
    else:
        form = DeadlineForm(initial={"year": year, "due_date": deadline.due_date, "note": deadline.note})
    form.fields["year"].disabled = True
    return render(
        request,
        "completeness/deadline_form.html",
        {"form": form, "deadline": deadline},
        status=400 if form.errors else 200,
    )


def _with_year(data, year: int):
    data = data.copy()
    data["year"] = str(year)
    return data


@require_POST
@action_required(Action.EDIT_DEADLINES)
def deadline_delete(request, year: int):
    try:
        services.deadline_delete(user=request.user, year=year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Deadline for %(year)s removed.") % {"year": year})
    return redirect("completeness:deadlines")


@action_required(Action.READ_COMPLETENESS)
def deadline_history(request, year: int):
    history = (
        ReportingDeadline.history.filter(year=year).select_related("history_user").order_by("-history_date")
    )
    page = paginate(request, history, 50)
    return render(request, "completeness/deadline_history.html", {"page": page, "year": year})


# --- the reminder log ------------------------------------------------------------------------------


@action_required(Action.EDIT_DEADLINES)
def reminder_list(request):
    qs = selectors.reminder_queryset(request.user, request.GET)
    if request.GET.get("format") == "xlsx":
        content = exports.reminder_workbook(
            qs.iterator(chunk_size=2000), filters=exports.reminder_filter_texts(request.GET)
        )
        return _xlsx(content, "report-reminders.xlsx")
    page = paginate(request, qs, 50)
    return render(
        request,
        "completeness/reminders.html",
        {"page": page, "kinds": ReminderKind.choices, "params": request.GET},
    )
