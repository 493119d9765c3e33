"""Server-rendered UI of annual reports. Thin: reads through selectors, writes through services.

Every report is fetched through `selectors.readable_reports(user)`, so one the user may not
read is a 404 whatever the URL; a write the user may not make is a 403 (from the service).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core import conflicts
from apps.core.attachments import download_response
from apps.core.tables import ImportRejected
from apps.core.views import error_text, paginate
from apps.indicators import bounds
from apps.regions.models import Region, RegionLevel
from apps.regions.selectors import by_code

from . import selectors, services, workbook
from .forms import (
    AttachmentForm,
    CommentForm,
    ImportForm,
    ReasonForm,
    ReportFilterForm,
    ReportForm,
    ReturnForm,
    StartReportForm,
    TemplateUploadForm,
)
from .models import Attachment, Report, SectionArea
from .panels import panels_for
from .validation import hint_text


def _readable(request, pk: int) -> Report:
    return get_object_or_404(
        selectors.readable_reports(request.user).select_related("region", "previous"), pk=pk
    )


def filtered_reports(request, qs):
    """Apply the list filters (region code, city code, year, status) to a readable queryset."""
    form = ReportFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["region"]:
            region = by_code(data["region"])
            qs = qs.filter(region=region) if region else qs.none()
        if data["city"]:
            city = by_code(data["city"])
            qs = qs.filter(region__path__startswith=city.path) if city else qs.none()
        if data["year"]:
            qs = qs.filter(year=data["year"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
    elif form.is_bound:
        qs = qs.none()
    return form, qs


def _cities():
    return Region.objects.filter(level=RegionLevel.CITY).order_by("path")


@action_required(Action.READ_APPROVED_REPORT)
def report_list(request):
    form, reports = filtered_reports(
        request, selectors.readable_reports(request.user).select_related("region")
    )
    reports = reports.order_by("-year", "region__path", "-revision")
    page = paginate(request, reports)
    return render(
        request,
        "reports/list.html",
        {
            "page": page,
            "form": form,
            "cities": _cities(),
            "query": request.GET.urlencode(),
            "title": _("Reports"),
        },
    )


@action_required(Action.READ_APPROVED_REPORT)
def report_export(request, what: str, fmt: str):
    """CSV or xlsx of the reports or values the list shows (same scoping and filters)."""
    if fmt not in ("csv", "xlsx") or what not in ("reports", "values"):
        raise Http404
    form, reports = filtered_reports(request, selectors.readable_reports(request.user))
    return workbook.export_download(what, fmt, reports, filters=workbook.filter_texts(form))


@action_required(Action.EDIT_OWN_REPORT)
def my_reports(request):
    """The user's own region's reports (all revisions) and starting the report of a year."""
    region = request.user.region
    admin = scoping.is_admin(request.user)
    if admin and request.GET.get("region"):
        region = by_code(request.GET["region"]) or region
    reports = (
        selectors.readable_reports(request.user).filter(region=region).select_related("region")
        if region
        else Report.objects.none()
    )
    start = StartReportForm(request.POST or None)
    if request.method == "POST" and start.is_valid():
        if admin and request.POST.get("region"):
            region = by_code(request.POST["region"])
        if region is None:
            raise PermissionDenied
        try:
            report, _created = services.report_get_or_create(
                user=request.user, region=region, year=start.cleaned_data["year"]
            )
        except ValidationError as exc:
            start.add_error("year", error_text(exc))
        else:
            return redirect("reports:edit" if report.is_editable else "reports:detail", pk=report.pk)
    page = paginate(request, reports.order_by("-year", "-revision"))
    return render(
        request, "reports/mine.html", {"page": page, "start": start, "region": region, "admin": admin}
    )


def _review_queue(request, stage: str):
    form, reports = filtered_reports(request, selectors.review_queue(request.user, stage=stage))
    page = paginate(request, reports.order_by("submitted_at", "region__path"))
    title = _("Review queue: county reports") if stage == "city" else _("Approval queue")
    return render(
        request,
        "reports/list.html",
        {"page": page, "form": form, "cities": _cities(), "title": title, "queue": stage, "query": ""},
    )


@action_required(Action.REVIEW_COUNTY_REPORT)
def review_queue_city(request):
    """County reports waiting for their city's review (forward or return)."""
    return _review_queue(request, "city")


@action_required(Action.APPROVE_REPORT)
def review_queue_province(request):
    """Forwarded county reports and submitted city reports waiting for approval."""
    return _review_queue(request, "province")


def _value_rows(report: Report, values, notes, previous, validation):
    by_field = validation.by_field()
    rows = []
    for ind in services.indicators():
        value, before = values.get(ind.code), previous.get(ind.code)
        change = None  # measured as the catalog measures it (percent, or points for shares)
        if value is not None and before is not None:
            delta = bounds.change(ind.change_measure, value, before)
            if delta is not None:
                change = bounds.amount(ind, delta, places=1, sign=True)
        rows.append(
            {
                "indicator": ind,
                "value": value,
                "note": notes.get(ind.code, ""),
                "previous": before,
                "change": change,
                "issues": by_field.get(ind.code, []),
                "return_reason": report.return_field_reasons.get(ind.code, ""),
            }
        )
    return rows


@action_required(Action.READ_APPROVED_REPORT)
def report_detail(request, pk: int):
    report = _readable(request, pk)
    values, notes = selectors.report_values(report)
    previous = selectors.previous_year_values(report.region_id, report.year)
    validation = services.report_validate(report, values=values, notes=notes)
    sections = selectors.report_sections(report)
    revisions = list(selectors.revisions_of(request.user, report).select_related("region"))
    diff = None
    if report.previous_id and selectors.can_read(request.user, report.previous):
        diff = selectors.revision_diff(report.previous, report)
    actions = services.allowed_actions(request.user, report)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "rows": _value_rows(report, values, notes, previous, validation),
            "validation": validation,
            "sections": [(area, label, sections.get(area, "")) for area, label in SectionArea.choices],
            "attachments": report.attachments.select_related("uploaded_by"),
            "events": selectors.timeline(report),
            "revisions": revisions,
            "superseded_by": selectors.superseding_revision(report),
            "diff": diff,
            "actions": actions,
            "return_form": ReturnForm(indicators=services.indicators()) if "return" in actions else None,
            "reason_form": ReasonForm(),
            "comment_form": CommentForm(),
            "attachment_form": AttachmentForm() if "edit" in actions else None,
            "upload_form": TemplateUploadForm() if "edit" in actions else None,
            "panels": panels_for(request.user, report),
        },
    )


def _initial(report: Report, values, notes) -> dict[str, str]:
    """The form as loaded from the stored report (also what the conflict page calls "stored now")."""
    initial = {f"value_{c}": ("" if v is None else format(v.normalize(), "f")) for c, v in values.items()}
    initial |= {f"note_{c}": n for c, n in notes.items()}
    initial |= {f"section_{a}": t for a, t in selectors.report_sections(report).items()}
    initial["remarks"] = report.remarks
    return initial


def _same_input(name: str, a: str, b: str) -> bool:
    """Two inputs of the report form mean the same (numbers compared as numbers: 1.50 = 1.5)."""
    a, b = (a or "").strip(), (b or "").strip()
    if a == b:
        return True
    if name.startswith("value_"):
        try:
            return services.parse_decimal(a, field_name=name) == services.parse_decimal(b, field_name=name)
        except ValidationError:
            return False
    return False


def _editable(request, pk: int) -> Report:
    report = _readable(request, pk)
    scoping.require(request.user, Action.EDIT_OWN_REPORT, region=report.region)
    return report


@action_required(Action.EDIT_OWN_REPORT)
def report_edit(request, pk: int):
    """The report form: saves drafts as they are (errors and all); "Save and submit" also submits."""
    report = _editable(request, pk)
    indicators = services.indicators()
    if not report.is_editable:
        messages.error(request, _("Only a draft or returned report can be edited."))
        return redirect(report)
    values, notes = selectors.report_values(report)
    if request.method == "POST":
        post = conflicts.resolved_post(request.POST)
        form = ReportForm(post, initial=_initial(report, values, notes), indicators=indicators)
        names = conflicts.add_version_fields(form, version=report.version, names=list(form.fields))
        form.is_valid()  # lengths only; numbers are read below so bad input is shown back, not dropped
        data = {name: post.get(name, "") for name in names}
        new_values, new_notes = {}, {}
        for ind in indicators:
            if f"note_{ind.code}" not in form.errors:
                new_notes[ind.code] = data[f"note_{ind.code}"]
            if f"value_{ind.code}" in form.errors:
                continue
            try:
                new_values[ind.code] = services.parse_decimal(data[f"value_{ind.code}"], field_name=ind.code)
            except ValidationError as exc:
                form.add_error(f"value_{ind.code}", exc.message_dict[ind.code])
        sections = {a: data[f"section_{a}"] for a in SectionArea.values if f"section_{a}" not in form.errors}
        remarks = data["remarks"] if "remarks" not in form.errors else None
        try:
            validation = services.report_save_values(
                user=request.user,
                report=report,
                values=new_values,
                notes=new_notes,
                sections=sections,
                remarks=remarks,
                expected_version=form.cleaned_data.get(conflicts.VERSION_FIELD),
            )
        except conflicts.VersionConflict as exc:
            return conflicts.conflict_response(
                request,
                form=form,
                names=names,
                current=conflicts.initial_text(form, names),
                conflict=exc,
                title=str(report),
                back_url=reverse("reports:edit", args=[report.pk]),
                same=_same_input,
                labels={f"value_{i.code}": f"{i.name} ({i.unit_label})" for i in indicators},
            )
        report.refresh_from_db()
        # Re-shown after saving: the form is now loaded from the saved version.
        stored = _initial(report, *selectors.report_values(report))
        post[conflicts.VERSION_FIELD] = str(report.version)
        for name in names:
            post[conflicts.ORIG_PREFIX + name] = stored.get(name, "")
        if form.errors:
            messages.warning(request, _("Saved, except the fields marked below, which could not be read."))
        elif request.POST.get("action") == "submit":
            try:
                services.report_submit(user=request.user, report=report)
            except ValidationError:
                messages.error(
                    request, _("Saved as a draft. The report cannot be submitted until the errors are fixed.")
                )
            else:
                messages.success(request, _("The report was submitted."))
                return redirect(report)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("reports:edit", pk=report.pk)
        values, notes = selectors.report_values(report)
    else:
        form = ReportForm(initial=_initial(report, values, notes), indicators=indicators)
        conflicts.add_version_fields(form, version=report.version, names=list(form.fields))
        validation = services.report_validate(report, values=values, notes=notes)
    previous = selectors.previous_year_values(report.region_id, report.year)
    rows = _value_rows(report, values, notes, previous, validation)
    for row in rows:
        row["hints"] = hint_text(row["indicator"], indicators)
        row["field"] = form.value_field(row["indicator"].code)
        row["note_field"] = form.note_field(row["indicator"].code)
    return render(
        request,
        "reports/edit.html",
        {
            "report": report,
            "form": form,
            "rows": rows,
            "validation": validation,
            "sections": form.section_fields(),
        },
    )


@require_POST
@action_required(
    Action.READ_APPROVED_REPORT,
    # the transition asked for is checked by its service (403), for the report's region
    write=(Action.EDIT_OWN_REPORT, Action.REVIEW_COUNTY_REPORT, Action.APPROVE_REPORT, Action.OPEN_REVISION),
)
def report_action(request, pk: int, action: str):
    """The workflow buttons: submit, forward, return, approve, open-revision."""
    report = _readable(request, pk)
    try:
        if action == "submit":
            services.report_submit(user=request.user, report=report)
            messages.success(request, _("The report was submitted."))
        elif action == "forward":
            form = CommentForm(request.POST)
            comment = form.cleaned_data["comment"] if form.is_valid() else ""
            services.report_forward(user=request.user, report=report, comment=comment)
            messages.success(request, _("The report was forwarded to the province."))
        elif action == "return":
            form = ReturnForm(request.POST, indicators=services.indicators())
            if not form.is_valid():
                messages.error(request, _("Give the reason for returning the report."))
                return redirect(report)
            services.report_return(
                user=request.user,
                report=report,
                reason=form.cleaned_data["reason"],
                field_reasons=form.field_reasons(),
            )
            messages.success(request, _("The report was returned for revision."))
        elif action == "approve":
            services.report_approve(user=request.user, report=report)
            messages.success(request, _("The report was approved."))
        elif action == "open-revision":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give the reason for the revision."))
                return redirect(report)
            revision = services.report_open_revision(
                user=request.user, report=report, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Revision %(n)d was opened.") % {"n": revision.revision})
            return redirect(revision if selectors.can_read(request.user, revision) else report)
        else:
            raise Http404
    except ValidationError as exc:  # InvalidTransition included
        messages.error(request, error_text(exc))
    return redirect(report)


@action_required(Action.READ_APPROVED_REPORT)
def report_template(request, pk: int):
    report = _readable(request, pk)
    response = HttpResponse(workbook.build_template(report), content_type=workbook.XLSX)
    name = f"report_{report.region.code}_{report.year}_r{report.revision}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@action_required(Action.EDIT_OWN_REPORT)
def report_upload(request, pk: int):
    """A filled-in template into this report, saved as a draft (like the form)."""
    report = _editable(request, pk)
    form = TemplateUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the filled-in template to upload."))
        return redirect(report)
    try:
        values, notes, problems = workbook.read_template(report, form.cleaned_data["file"])
        services.report_save_values(user=request.user, report=report, values=values, notes=notes)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(report)
    for problem in problems:
        messages.warning(request, problem)
    messages.success(request, _("The template's values were saved to the draft."))
    return redirect("reports:edit", pk=report.pk)


@require_POST
@action_required(Action.EDIT_OWN_REPORT)
def attachment_add(request, pk: int):
    report = _editable(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                user=request.user,
                report=report,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
            messages.success(request, _("The file was attached."))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect(report)


@require_POST
@action_required(Action.EDIT_OWN_REPORT)
def attachment_remove(request, pk: int, attachment_pk: int):
    report = _editable(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, report=report)
    try:
        services.attachment_remove(user=request.user, attachment=attachment)
        messages.success(request, _("The attachment was removed."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(report)


@action_required(Action.READ_APPROVED_REPORT)
def attachment_download(request, pk: int, attachment_pk: int):
    report = _readable(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, report=report)
    return download_response(
        attachment.file, name=attachment.original_name, content_type=attachment.content_type
    )


@action_required(Action.IMPORT_VALUES)
def values_import(request):
    """Upload a values file for many regions and years at once (exchange.md; all-or-nothing)."""
    may_approve = scoping.scope_of(request.user, Action.IMPORT_APPROVE) is not None
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, result = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        approve = form.cleaned_data["approve"]
        if approve and not may_approve:
            raise PermissionDenied
        try:
            result = services.values_import(
                user=request.user,
                file=upload,
                filename=upload.name,
                approve=approve,
                submit=form.cleaned_data["submit"],
            )
        except ImportRejected as exc:
            errors = exc.row_errors
        except PermissionDenied:
            raise
    return render(
        request,
        "reports/import.html",
        {"form": form, "errors": errors, "result": result, "may_approve": may_approve},
    )
