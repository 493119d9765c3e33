"""Every write of the ledger: decide, draft / edit / issue a notice, schedule and hold an interview,
answer / accept / send back a rectification task. Each checks permission (scoping) and the
current state, writes in one transaction with row locks, and records the case's timeline.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core import files
from apps.core.editions import RenderedFile, edition_issue
from apps.core.events import event_record

from . import candidates as candidate_rules
from . import notices
from .models import (
    Candidate,
    CaseEvent,
    CaseStatus,
    Decision,
    Interview,
    Notice,
    Outcome,
    RectificationTask,
    TaskAttachment,
    TaskStatus,
)

NOTICE_KIND = "accountability.notice"
TEXT_MAX = 20000
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def _person(user):
    return user if getattr(user, "pk", None) else None


def _event(decision: Decision, kind: str, user, reason: str = "", **data) -> None:
    event_record(CaseEvent, subject=decision, kind=kind, user=user, reason=reason, data=data)


def _issuer(user) -> str:
    region = getattr(user, "region", None)
    return f"{region.name}人民政府" if region is not None else "江西省人民政府"


def _text(errors: dict, name: str, value: str, *, required: bool, message: str) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = [message]
    elif len(value) > TEXT_MAX:
        errors[name] = [_("At most %(n)s characters.") % {"n": TEXT_MAX}]
    return value


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- decisions ----------------------------------------------------------------------------------


@transaction.atomic
def decision_record(
    *, user, candidate: Candidate, outcome: str, reason: str = "", deadline: date | None = None
) -> Decision:
    """Decide a candidate: no action (with a reason), 通报, 约谈 or both. A notice is drafted at
    once from the figures; rectification tasks are created for the region's government (or the
    department concerned) with the deadline (default: today + the `rectification_days` threshold)."""
    scoping.require(user, Action.DECIDE_ACCOUNTABILITY, region=candidate.region)
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("region", "department")
        .get(pk=candidate.pk)
    )
    errors: dict[str, list[str]] = {}
    if candidate.informational:
        errors["candidate"] = [_("A provisional grade is shown only; it is not a candidate to decide.")]
    if Decision.objects.filter(candidate=candidate).exists():
        errors["candidate"] = [_("This candidate is decided already.")]
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose no action, notice, interview or both.")]
    reason = _text(
        errors,
        "reason",
        reason,
        required=outcome == Outcome.NO_ACTION,
        message=_("Say why no action is taken."),
    )
    today = timezone.localdate()
    deadline = deadline or today + timedelta(days=candidate_rules.rectification_days())
    if outcome != Outcome.NO_ACTION and deadline <= today:
        errors["deadline"] = [_("The rectification deadline lies in the future.")]
    _raise(errors)
    decision = Decision.objects.create(
        candidate=candidate,
        region=candidate.region,
        department=candidate.department,
        outcome=outcome,
        reason=reason,
        status=CaseStatus.CLOSED if outcome == Outcome.NO_ACTION else CaseStatus.DECIDED,
        decided_by=_person(user),
        decided_at=timezone.now(),
    )
    _event(decision, "decided", user, reason, outcome=outcome)
    if outcome == Outcome.NO_ACTION:
        return decision
    if decision.wants_notice:
        title, body, template = notices.draft(candidate, deadline=deadline, issuer=_issuer(user), today=today)
        Notice.objects.create(decision=decision, title=title, body=body, template=template)
        _event(decision, "notice_drafted", user)
    what = notices.finding_text(candidate)
    RectificationTask.objects.create(
        decision=decision,
        region=candidate.region,
        department=candidate.department,
        description=f"整改：{what}请于期限前报告整改情况。",  # a document's text: Chinese, like the notice
        deadline=deadline,
    )
    _event(decision, "task_created", user, deadline=deadline.isoformat())
    return decision


def _require_decider(user, decision: Decision) -> None:
    scoping.require(user, Action.DECIDE_ACCOUNTABILITY, region=decision.region)


# --- notices ------------------------------------------------------------------------------------


@transaction.atomic
def notice_update(*, user, notice: Notice, title: str, body: str) -> Notice:
    """Edit a drafted notice (refused once issued: an issued notice is frozen)."""
    notice = Notice.objects.select_for_update().select_related("decision__region").get(pk=notice.pk)
    _require_decider(user, notice.decision)
    errors: dict[str, list[str]] = {}
    if notice.issued:
        errors["body"] = [_("The notice is issued and frozen; it cannot be edited.")]
    title = _text(errors, "title", title, required=True, message=_("Give the notice a title."))[:200]
    body = _text(errors, "body", body, required=True, message=_("The notice has no text."))
    _raise(errors)
    if (title, body) != (notice.title, notice.body):
        notice.title, notice.body = title, body
        notice._history_user = _person(user)
        notice.save()
        _event(notice.decision, "notice_edited", user)
    return notice


@transaction.atomic
def notice_issue(*, user, notice: Notice, title: str | None = None, body: str | None = None) -> Notice:
    """Issue the notice (with a last edit, if given): frozen as an edition with its figures and
    text (SHA-256), never changed by later recomputes."""
    if title is not None or body is not None:
        notice = notice_update(
            user=user,
            notice=notice,
            title=title if title is not None else notice.title,
            body=body or notice.body,
        )
    notice = (
        Notice.objects.select_for_update().select_related("decision__candidate__region").get(pk=notice.pk)
    )
    decision = notice.decision
    _require_decider(user, decision)
    if notice.issued:
        raise ValidationError({"notice": [_("The notice is issued already.")]})
    candidate = decision.candidate
    figures = {
        "region": candidate.region.code,
        "year": candidate.year,
        "rule": candidate.rule,
        "metric": candidate.metric,
        "figures": candidate.figures,
        "title": notice.title,
        "body": notice.body,
    }
    edition = edition_issue(
        user=user,
        kind=NOTICE_KIND,
        subject_key=f"{candidate.region.code}/{candidate.year}/{decision.pk}",
        figures=figures,
        data_version=candidate.data_version,
        title=notice.title,
        files=[
            RenderedFile(
                name=f"notice-{decision.pk}.txt",
                content=f"{notice.title}\n\n{notice.body}\n".encode(),
                content_type="text/plain",
            )
        ],
    )
    notice.edition = edition
    notice.issued_at = edition.issued_at
    notice._history_user = _person(user)
    notice.save()
    if decision.status == CaseStatus.DECIDED:
        _set_status(decision, CaseStatus.NOTICE_ISSUED)
    _event(decision, "notice_issued", user, edition=edition.pk, sha256=edition.sha256)
    return notice


@transaction.atomic
def notice_mark_disclosure(*, user, notice: Notice, disclose: bool) -> Notice:
    """Mark an issued notice for public disclosure (or take the mark off)."""
    notice = Notice.objects.select_for_update().select_related("decision__region").get(pk=notice.pk)
    _require_decider(user, notice.decision)
    if not notice.issued:
        raise ValidationError({"disclose": [_("Only an issued notice can be disclosed.")]})
    if notice.disclose != disclose:
        notice.disclose = disclose
        notice._history_user = _person(user)
        notice.save(update_fields=["disclose"])
        _event(notice.decision, "disclosure", user, disclose=disclose)
    return notice


# --- interviews ---------------------------------------------------------------------------------


@transaction.atomic
def interview_schedule(
    *, user, decision: Decision, scheduled_for: date | None, interviewers: str, interviewees: str
) -> Interview:
    decision = Decision.objects.select_for_update().select_related("region").get(pk=decision.pk)
    _require_decider(user, decision)
    errors: dict[str, list[str]] = {}
    if not decision.wants_interview:
        errors["decision"] = [_("The decision calls for no interview.")]
    if Interview.objects.filter(decision=decision).exists():
        errors["decision"] = [_("The interview is scheduled already.")]
    if scheduled_for is None:
        errors["scheduled_for"] = [_("Give the date.")]
    interviewers = _text(
        errors, "interviewers", interviewers, required=True, message=_("Say who interviews.")
    )
    interviewees = _text(
        errors, "interviewees", interviewees, required=True, message=_("Say who is interviewed.")
    )
    _raise(errors)
    interview = Interview(
        decision=decision,
        scheduled_for=scheduled_for,
        interviewers=interviewers[:300],
        interviewees=interviewees[:300],
    )
    interview._history_user = _person(user)
    interview.save()
    _event(decision, "interview_scheduled", user, date=scheduled_for.isoformat())
    return interview


@transaction.atomic
def interview_record(*, user, interview: Interview, minutes: str, commitments: str) -> Interview:
    """The interview was held: its minutes and the commitments made."""
    interview = Interview.objects.select_for_update().select_related("decision__region").get(pk=interview.pk)
    decision = interview.decision
    _require_decider(user, decision)
    errors: dict[str, list[str]] = {}
    minutes = _text(errors, "minutes", minutes, required=True, message=_("Write the minutes."))
    commitments = _text(errors, "commitments", commitments, required=False, message="")
    if interview.held:
        errors["minutes"] = [_("The interview is recorded already.")]
    _raise(errors)
    interview.minutes, interview.commitments, interview.held = minutes, commitments, True
    interview._history_user = _person(user)
    interview.save()
    if decision.status in (CaseStatus.DECIDED, CaseStatus.NOTICE_ISSUED):
        _set_status(decision, CaseStatus.INTERVIEW_HELD)
    _event(decision, "interview_held", user)
    return interview


# --- rectification ------------------------------------------------------------------------------


def _set_status(decision: Decision, status: str) -> None:
    decision.status = status
    decision.save(update_fields=["status"])


def _locked_task(task: RectificationTask) -> RectificationTask:
    return (
        RectificationTask.objects.select_for_update(of=("self",))
        .select_related("decision", "region", "department")
        .get(pk=task.pk)
    )


def may_answer(user, task: RectificationTask) -> bool:
    if task.department_id:
        return scoping.can(user, Action.ANSWER_RECTIFICATION, department=task.department)
    return scoping.can(user, Action.ANSWER_RECTIFICATION, region=task.region)


@transaction.atomic
def task_answer(*, user, task: RectificationTask, text: str, uploads=()) -> RectificationTask:
    """The region's government (or the department) answers what was done, with attachments."""
    task = _locked_task(task)
    if not may_answer(user, task):
        raise PermissionDenied(_("Only the region or department concerned answers this task."))
    if task.closed:
        raise ValidationError(
            {
                "answer": [
                    _("This task was accepted and closed on %(day)s; it takes no more answers.")
                    % {"day": timezone.localdate(task.closed_at).isoformat()}
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    if task.status == TaskStatus.ANSWERED:
        errors["answer"] = [_("The answer is waiting for review.")]
    text = _text(errors, "answer", text, required=True, message=_("Say what was done."))
    checked = []
    for upload in uploads:
        try:
            checked.append(
                (upload, files.check_upload(upload, field="attachments", max_bytes=ATTACHMENT_MAX_BYTES))
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _raise(errors)
    task.answer, task.status = text, TaskStatus.ANSWERED
    task.answered_at, task.answered_by = timezone.now(), _person(user)
    task._history_user = _person(user)
    task.save()
    for upload, check in checked:
        upload.seek(0)
        row = TaskAttachment(
            task=task,
            name=check.safe_name,
            content_type=check.kind.content_type,
            size=check.size,
            uploaded_by=_person(user),
        )
        row.file.save(check.safe_name, upload, save=False)
        row.save()
    decision = task.decision
    if decision.status != CaseStatus.CLOSED:
        _set_status(decision, CaseStatus.RECTIFYING)
    _event(decision, "task_answered", user, task=task.pk, files=[c.safe_name for _u, c in checked])
    return task


def _require_reviewer(user, task: RectificationTask) -> None:
    scoping.require(user, Action.ACCEPT_RECTIFICATION, region=task.region)


@transaction.atomic
def task_accept(*, user, task: RectificationTask) -> RectificationTask:
    """Accept the answer: the task closes; the case closes with its last open task."""
    task = _locked_task(task)
    _require_reviewer(user, task)
    if task.status != TaskStatus.ANSWERED:
        raise ValidationError({"status": [_("Only an answered task can be accepted.")]})
    task.status, task.closed_at = TaskStatus.ACCEPTED, timezone.now()
    task._history_user = _person(user)
    task.save()
    decision = Decision.objects.select_for_update().get(pk=task.decision_id)
    _event(decision, "task_accepted", user, task=task.pk)
    if not decision.tasks.exclude(status=TaskStatus.ACCEPTED).exists():
        _set_status(decision, CaseStatus.CLOSED)
        _event(decision, "closed", user)
    return task


@transaction.atomic
def task_return(*, user, task: RectificationTask, reason: str) -> RectificationTask:
    """Send the answer back with the reason: the task is open again."""
    task = _locked_task(task)
    _require_reviewer(user, task)
    errors: dict[str, list[str]] = {}
    if task.status != TaskStatus.ANSWERED:
        errors["status"] = [_("Only an answered task can be sent back.")]
    reason = _text(errors, "reason", reason, required=True, message=_("Say why the answer is sent back."))
    _raise(errors)
    task.status, task.review_reason = TaskStatus.RETURNED, reason
    task._history_user = _person(user)
    task.save()
    _event(task.decision, "task_returned", user, reason, task=task.pk)
    return task
