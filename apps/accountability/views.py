"""The ledger's pages (thin views over selectors and services): the ledger by year, region and
status with counts per city and its xlsx export, and one case with its decision, notice,
interview, rectification tasks and timeline."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.attachments import download_response
from apps.core.events import events_of
from apps.core.exports import filter_text, wants_xlsx, xlsx_response
from apps.core.views import paginate
from apps.monitoring import metrics
from apps.regions.models import Region

from . import selectors, services
from .models import CaseEvent, CaseStatus, Outcome, RectificationTask, TaskAttachment, TaskStatus

READ = (Action.DECIDE_ACCOUNTABILITY, Action.READ_ACCOUNTABILITY)


def _filters(request, user):
    year = request.GET.get("year", "")
    status = request.GET.get("status", "")
    code = request.GET.get("region", "")
    region = Region.objects.filter(code=code).first() if code else None
    years = selectors.years_with_candidates(user)
    if not year and years:
        year = str(years[0])
    return {
        "year": int(year) if year.isdigit() else None,
        "status": status if status in CaseStatus.values else "",
        "region": region,
    }, years


def export_rows(rows):
    for c in rows:
        decision = selectors.decision_of(c)
        yield [
            c.year,
            c.region.code,
            c.region.name,
            c.department.name if c.department_id else "",
            c.rule_label,
            str(dict(CaseStatus.choices)[selectors.status_of(c)]),
            decision.get_outcome_display() if decision else "",
            decision.reason if decision else "",
            timezone.localtime(decision.decided_at).date() if decision else None,
            c.data_version,
        ]


def export_headers() -> list[str]:
    """The ledger's xlsx header in the user's language (Chinese by default)."""
    return [
        _("Year"),
        _("Region code"),
        _("Region"),
        _("Department"),
        _("Rule"),
        _("Status"),
        _("Decision"),
        _("Reason"),
        _("Decided on"),
        _("Data version"),
    ]


def _filter_texts(f: dict) -> list[str]:
    texts = [filter_text(_("Year"), f["year"])] if f["year"] else []
    if f["region"] is not None:
        texts.append(filter_text(_("Region"), f"{f['region'].name}（{f['region'].code}）"))
    if f["status"]:
        texts.append(filter_text(_("Status"), dict(CaseStatus.choices)[f["status"]]))
    return texts


@action_required(READ)
def ledger(request):
    f, years = _filters(request, request.user)
    rows = selectors.ledger(request.user, year=f["year"], region=f["region"], status=f["status"])
    if wants_xlsx(request):
        return xlsx_response(
            f"accountability-{f['year'] or 'all'}.xlsx",
            _("Accountability ledger"),
            export_headers(),
            export_rows(rows),
            filters=_filter_texts(f),
        )
    shown = (
        selectors.ledger(request.user, year=f["year"], region=f["region"], shown=True) if f["year"] else []
    )
    page = paginate(request, rows)
    for c in page:
        c.status = selectors.status_of(c)
        c.status_label = dict(CaseStatus.choices)[c.status]
    context = {
        "page": page,
        "f": f,
        "years": years,
        "statuses": CaseStatus.choices,
        "cities": selectors.counts_per_city(rows),
        "status_columns": CaseStatus.choices,
        "shown": list(shown),
    }
    return render(request, "accountability/ledger.html", context)


def _candidate_or_404(user, pk: int):
    candidate = selectors.candidates_for(user).select_related("region", "department").filter(pk=pk).first()
    if candidate is None:
        raise Http404(_("No such case in your jurisdiction."))
    return candidate


@action_required(READ)
def case_detail(request, pk: int):
    candidate = _candidate_or_404(request.user, pk)
    decision = selectors.decision_of(candidate)
    may_decide = selectors.may_decide(request.user, candidate)
    notice = selectors.notice_of(decision)
    if notice is not None and not selectors.notice_visible(request.user, notice):
        notice = None
    interview = selectors.interview_of(decision)
    tasks = list(decision.tasks.prefetch_related("attachments")) if decision else []
    today = timezone.localdate()
    for task in tasks:
        task.overdue = task.is_overdue(today)
        task.may_answer = services.may_answer(request.user, task) and not task.closed
        task.may_review = may_decide and task.status == TaskStatus.ANSWERED
    context = {
        "c": candidate,
        "decision": decision,
        "status_label": dict(CaseStatus.choices)[selectors.status_of(candidate)],
        "may_decide": may_decide and decision is None and not candidate.informational,
        "may_act": may_decide,
        "outcomes": Outcome.choices,
        "notice": notice,
        "interview": interview,
        "tasks": tasks,
        "events": events_of(CaseEvent, decision) if decision else [],
        "formula_url": selectors.formula_url(candidate),
        "figure_rows": figure_rows(candidate.figures),
    }
    return render(request, "accountability/case.html", context)


FIGURE_LABELS = {
    "level": gettext_lazy("Warning level"),
    "R_t_pct": gettext_lazy("Cumulative reduction (%)"),
    "T_pct": gettext_lazy("Five-year target (%)"),
    "k": gettext_lazy("Year of the period (k)"),
    "n": gettext_lazy("Years of the period (n)"),
    "assessed": gettext_lazy("Total energy as assessed (10⁴ tce)"),
    "allowed": gettext_lazy("Total energy allowed (10⁴ tce)"),
    "years": gettext_lazy("Years"),
    "grade": gettext_lazy("Grade"),
    "r_t_pct": gettext_lazy("Reduction on the previous year (%)"),
    "a_pct": gettext_lazy("Annual requirement (%)"),
    "multiple": gettext_lazy("Threshold: multiple of the requirement"),
    "limit_pct": gettext_lazy("Limit (%)"),
    "energy_total": gettext_lazy("Total energy use, reported (10⁴ tce)"),
    "energy_total_prev": gettext_lazy("Total energy use the year before (10⁴ tce)"),
    "gdp_index": gettext_lazy("Real GDP index (previous year = 100)"),
    "gdp_index_limit": gettext_lazy("Threshold: GDP index"),
    "overdue_days": gettext_lazy("Threshold: days overdue"),
}


def figure_rows(figures: dict) -> list[tuple[str, str]]:
    """The candidate's figures for people: labelled, numbers rounded, levels and grades named."""
    rows = []
    for key, value in figures.items():
        if key == "measures":
            continue
        if isinstance(value, float):
            shown = metrics.format_number(value, 0 if key in ("multiple", "gdp_index_limit") else 2)
        elif isinstance(value, list):
            shown = "、".join(str(v) for v in value)
        elif isinstance(value, str):
            shown = metrics.text_label(value)
        else:
            shown = "—" if value is None else str(value)
        rows.append((str(FIGURE_LABELS.get(key, key)), shown))
    return rows


def _done(request, pk, message=None):
    if message:
        messages.success(request, message)
    return redirect("accountability:case", pk=pk)


def _errors(request, exc: ValidationError):
    for _name, errors in exc.message_dict.items():
        for error in errors:
            messages.error(request, error)


def _decider_candidate(user, pk):
    candidate = selectors.candidate_to_decide(user, pk)
    if candidate is None:
        raise Http404(_("No such case in your jurisdiction."))
    return candidate


@require_POST
@action_required(Action.DECIDE_ACCOUNTABILITY)
def decide(request, pk: int):
    candidate = _decider_candidate(request.user, pk)
    deadline = None
    if request.POST.get("deadline"):
        try:
            deadline = date.fromisoformat(request.POST["deadline"])
        except ValueError:
            messages.error(request, _("Give the deadline as a date."))
            return _done(request, pk)
    try:
        services.decision_record(
            user=request.user,
            candidate=candidate,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
            deadline=deadline,
        )
    except ValidationError as exc:
        _errors(request, exc)
        return _done(request, pk)
    return _done(request, pk, _("Decision recorded."))


@require_POST
@action_required(Action.DECIDE_ACCOUNTABILITY)
def notice_save(request, pk: int):
    candidate = _decider_candidate(request.user, pk)
    notice = selectors.notice_of(selectors.decision_of(candidate))
    if notice is None:
        raise Http404
    try:
        if "disclose" in request.POST:
            services.notice_mark_disclosure(
                user=request.user, notice=notice, disclose=request.POST["disclose"] == "1"
            )
            return _done(request, pk, _("Disclosure mark saved."))
        title, body = request.POST.get("title", ""), request.POST.get("body", "")
        if request.POST.get("issue"):
            services.notice_issue(user=request.user, notice=notice, title=title, body=body)
            return _done(request, pk, _("Notice issued and frozen."))
        services.notice_update(user=request.user, notice=notice, title=title, body=body)
    except ValidationError as exc:
        _errors(request, exc)
        return _done(request, pk)
    return _done(request, pk, _("Draft saved."))


@require_POST
@action_required(Action.DECIDE_ACCOUNTABILITY)
def interview_save(request, pk: int):
    candidate = _decider_candidate(request.user, pk)
    decision = selectors.decision_of(candidate)
    if decision is None:
        raise Http404
    try:
        interview = selectors.interview_of(decision)
        if interview is None:
            when = request.POST.get("scheduled_for", "")
            services.interview_schedule(
                user=request.user,
                decision=decision,
                scheduled_for=date.fromisoformat(when) if when else None,
                interviewers=request.POST.get("interviewers", ""),
                interviewees=request.POST.get("interviewees", ""),
            )
            return _done(request, pk, _("Interview scheduled."))
        services.interview_record(
            user=request.user,
            interview=interview,
            minutes=request.POST.get("minutes", ""),
            commitments=request.POST.get("commitments", ""),
        )
    except ValueError:
        messages.error(request, _("Give the date as a date."))
        return _done(request, pk)
    except ValidationError as exc:
        _errors(request, exc)
        return _done(request, pk)
    return _done(request, pk, _("Interview recorded."))


def _task_or_404(user, pk: int) -> RectificationTask:
    return get_object_or_404(selectors.tasks_for(user).select_related("decision__candidate"), pk=pk)


@require_POST
@action_required(Action.ANSWER_RECTIFICATION)
def task_answer(request, pk: int):
    task = _task_or_404(request.user, pk)
    case = task.decision.candidate_id
    try:
        services.task_answer(
            user=request.user,
            task=task,
            text=request.POST.get("answer", ""),
            uploads=request.FILES.getlist("attachments"),
        )
    except ValidationError as exc:
        _errors(request, exc)
        return _done(request, case)
    return _done(request, case, _("Answer sent."))


@require_POST
@action_required(Action.ACCEPT_RECTIFICATION)
def task_review(request, pk: int):
    task = _task_or_404(request.user, pk)
    case = task.decision.candidate_id
    try:
        if request.POST.get("accept"):
            services.task_accept(user=request.user, task=task)
            return _done(request, case, _("Answer accepted; the task is closed."))
        services.task_return(user=request.user, task=task, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _errors(request, exc)
        return _done(request, case)
    return _done(request, case, _("Answer sent back."))


@action_required(READ)
def attachment(request, pk: int):
    row = get_object_or_404(TaskAttachment.objects.filter(task__in=selectors.tasks_for(request.user)), pk=pk)
    return download_response(row.file, name=row.name, content_type=row.content_type)
