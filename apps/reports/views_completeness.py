"""Completeness pages: the regions × years grid (and its xlsx), reporting deadlines, the reminder log.

Everyone who reads reports sees the grid, scoped and masked by `completeness.build_grid`;
every signed-in user sees the deadlines; provincial officials and administrators edit them
(`completeness.may_edit_deadlines`) and read the reminder log. A refused write is a 403; a
rejected one re-shows the form with the errors under their fields.
"""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.regions.models import RegionLevel

from . import completeness
from .models_completeness import ReminderKind, ReminderLog, ReportingDeadline

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the grid --------------------------------------------------------------------------------------


def _filters(request):
    today = timezone.localdate()
    try:
        return completeness.parse_filters(request.GET, today=today), {}
    except ValidationError as exc:
        start, end = completeness.default_years(today)
        return completeness.GridFilters(year_from=start, year_to=end), exc.message_dict


@action_required(Action.READ_SUBMITTED_REPORT)
def grid(request):
    filters, errors = _filters(request)
    result = completeness.build_grid(request.user, filters)
    return render(
        request,
        "reports/completeness.html",
        {
            "grid": result,
            "filters": filters,
            "errors": errors,
            "params": request.GET,
            "cities": completeness.cities_for_filter(request.user),
            "levels": RegionLevel.choices,
            "states": list(completeness.CellState),
            "export_query": "&".join(f"{k}={v}" for k, v in filters.as_query().items()),
            "may_edit_deadlines": completeness.may_edit_deadlines(request.user),
        },
        status=400 if errors else 200,
    )


@action_required(Action.READ_SUBMITTED_REPORT)
def grid_export(request):
    try:
        filters = completeness.parse_filters(request.GET, today=timezone.localdate())
    except ValidationError as exc:
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    result = completeness.build_grid(request.user, filters)
    return _xlsx(
        completeness.grid_workbook(result), f"report-completeness-{filters.year_from}-{filters.year_to}.xlsx"
    )


# --- deadlines -------------------------------------------------------------------------------------


class DeadlineForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Report year"), min_value=completeness.YEAR_MIN, max_value=completeness.YEAR_MAX
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


def _require_editor(request) -> None:
    if not completeness.may_edit_deadlines(request.user):
        raise PermissionDenied


def _save_deadline(request, form: DeadlineForm, *, year: int | None = None):
    """Call the service; on a rejected value put its errors under the fields. Returns the deadline."""
    if not form.is_valid():
        return None
    try:
        return completeness.deadline_set(
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


@action_required(Action.READ_REFERENCE)
def deadline_list(request):
    may_edit = completeness.may_edit_deadlines(request.user)
    form = None
    if request.method == "POST":
        _require_editor(request)
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
            return redirect("reports:deadlines")
    elif may_edit:
        form = DeadlineForm(initial={"year": timezone.localdate().year - 1})
    deadlines = ReportingDeadline.objects.select_related("updated_by").order_by("-year")
    page = Paginator(deadlines, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/completeness_deadlines.html",
        {"page": page, "form": form, "may_edit": may_edit},
        status=400 if form is not None and form.errors else 200,
    )


@action_required(Action.READ_REFERENCE)
def deadline_edit(request, year: int):
    _require_editor(request)
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
            return redirect("reports:deadlines")
    else:
        form = DeadlineForm(initial={"year": year, "due_date": deadline.due_date, "note": deadline.note})
    form.fields["year"].disabled = True
    return render(
        request,
        "reports/completeness_deadline_form.html",
        {"form": form, "deadline": deadline},
        status=400 if form.errors else 200,
    )


def _with_year(data, year: int):
    data = data.copy()
    data["year"] = str(year)
    return data


@require_POST
@action_required(Action.READ_REFERENCE)
def deadline_delete(request, year: int):
    _require_editor(request)
    try:
        completeness.deadline_delete(user=request.user, year=year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Deadline for %(year)s removed.") % {"year": year})
    return redirect("reports:deadlines")


@action_required(Action.READ_REFERENCE)
def deadline_history(request, year: int):
    history = (
        ReportingDeadline.history.filter(year=year).select_related("history_user").order_by("-history_date")
    )
    page = Paginator(history, 50).get_page(request.GET.get("page"))
    return render(request, "reports/completeness_deadline_history.html", {"page": page, "year": year})


# --- the reminder log ------------------------------------------------------------------------------


def reminder_queryset(params):
    """The reminder log filtered by `year`, `region` (code), `kind`; bad values filter to nothing."""
    qs = ReminderLog.objects.select_related("region").order_by("-sent_at", "-pk")
    year = (params.get("year") or "").strip()
    if year:
        qs = qs.filter(year=int(year)) if year.isdigit() else qs.none()
    region = (params.get("region") or "").strip()
    if region:
        qs = qs.filter(region__code=region)
    kind = (params.get("kind") or "").strip()
    if kind:
        qs = qs.filter(kind=kind) if kind in ReminderKind.values else qs.none()
    return qs


@action_required(Action.READ_REFERENCE)
def reminder_list(request):
    _require_editor(request)
    qs = reminder_queryset(request.GET)
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = _("Reminders")[:31]
        ws.append(
            [
                _("Sent at"),
                _("Region code"),
                _("Region"),
                _("Report year"),
                _("Kind"),
                _("Due date"),
                _("Recipients"),
                _("Staff without an e-mail address"),
            ]
        )
        for log in qs.iterator(chunk_size=2000):
            ws.append(
                [
                    timezone.localtime(log.sent_at).replace(tzinfo=None),
                    log.region.code,
                    log.region.name,
                    log.year,
                    str(log.get_kind_display()),
                    log.due_date,
                    ", ".join(log.recipients),
                    ", ".join(log.skipped),
                ]
            )
        buffer = io.BytesIO()
        wb.save(buffer)
        return _xlsx(buffer.getvalue(), "report-reminders.xlsx")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/completeness_reminders.html",
        {"page": page, "kinds": ReminderKind.choices, "params": request.GET},
    )


URLS = [
    path("completeness/", grid, name="completeness"),
    path("completeness/export.xlsx", grid_export, name="completeness-export"),
    path("deadlines/", deadline_list, name="deadlines"),
    path("deadlines/<int:year>/edit/", deadline_edit, name="deadline-edit"),
    path("deadlines/<int:year>/delete/", deadline_delete, name="deadline-delete"),
    path("deadlines/<int:year>/history/", deadline_history, name="deadline-history"),
    path("reminders/", reminder_list, name="reminders"),
]
