"""Inquiries of the standing committees (shared/spec/oversight.md "Inquiries"): every write and
the reads the views, the API, the reminders and other apps share.

Workflow: a member puts an inquiry (open) → the addressee answers (answered) → the member
closes it as satisfactory (closed) or asks a follow-up with a new deadline (open again, next
round). Each step checks permission through apps.accounts.scoping first (PermissionDenied →
403), then the state under a row lock (InvalidTransition → 409), writes in one transaction and
appends to the inquiry's timeline (who, when, what). Bad input is refused with every field's
error at once (ValidationError naming the fields), nothing half-saved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core import events, files
from apps.organizations.models import Department
from apps.regions.models import Region

from . import anchors
from .models import (
    AnswerForm,
    Inquiry,
    InquiryAnswer,
    InquiryAttachment,
    InquiryEvent,
    InquiryEventKind,
    InquiryKind,
    InquiryStatus,
    SignatoryMinimum,
)
from .models.inquiries import SUBJECT_MAX, inquiry_overdue

ATTACHMENT_MAX_BYTES = getattr(settings, "OVERSIGHT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENTS_MAX = 10
SIGNATORY_MAX_LENGTH = 60


class InvalidTransition(ValidationError):
    """The inquiry is not in a state that allows this step (the API answers 409)."""


def today() -> date:
    return timezone.localdate()


# --- reads -----------------------------------------------------------------------------------------


def readable_inquiries(user) -> QuerySet[Inquiry]:
    """Inquiries `user` may read (roles.md v1.1): congress members their subtree's, county/city
    staff their own region's, department staff those put to their own department, provincial
    officials all."""
    return scoping.restrict(Inquiry.objects.all(), user, Action.READ_INQUIRIES)


def inquiry_list(user) -> QuerySet[Inquiry]:
    """The readable inquiries with what a list row shows, newest first."""
    return readable_inquiries(user).select_related("region", "department", "asked_by")


def may_answer(user, inquiry: Inquiry) -> bool:
    return scoping.may_answer_inquiry(user, inquiry.region, inquiry.department)


def may_conclude(user, inquiry: Inquiry) -> bool:
    """Members of the congress that put it (and administrators) close it or ask a follow-up."""
    return scoping.can(user, Action.PUT_INQUIRY, region=inquiry.region)


def addressee_options(region: Region) -> list[tuple[str, str]]:
    """(value, name) of what an inquiry at `region` may be put to: its government, then its departments."""
    from .models.inquiries import government_name

    options = [("", government_name(region))]
    options += [
        (str(d.pk), d.display_name) for d in Department.objects.filter(region=region).order_by("kind")
    ]
    return options


def signatory_minimum(region: Region) -> int:
    """The least joint signatories of a 质询 at the region's level (SignatoryMinimum rows; the
    Supervision Law's 5 at province and city level, 3 at county level when no row says otherwise)."""
    row = SignatoryMinimum.objects.filter(level=region.level).first()
    if row is not None:
        return row.minimum
    return 3 if region.level == "county" else 5


@dataclass(frozen=True)
class InquiryCounts:
    total: int = 0
    unanswered: int = 0  # awaiting an answer (open)
    overdue: int = 0  # awaiting an answer past the deadline
    closed: int = 0


def inquiry_counts(
    user, *, regions: Iterable[Region | int] | None = None, year: int | None = None, on: date | None = None
) -> dict[int, InquiryCounts]:
    """Counts of the inquiries `user` may read per congress region (region id → counts), for
    oversight summaries and the inspection scorecard; one query. `regions` narrows to those
    regions, `year` to inquiries put in that year; `on` is the day "overdue" is judged on
    (default today). Code without a person behind it passes `scoping.SYSTEM`."""
    on = on or today()
    rows = readable_inquiries(user)
    if regions is not None:
        rows = rows.filter(region_id__in=[r.pk if isinstance(r, Region) else r for r in regions])
    if year is not None:
        rows = rows.filter(created_at__year=year)
    open_ = Q(status=InquiryStatus.OPEN)
    counted = (
        rows.order_by()
        .values("region_id")
        .annotate(
            total=Count("pk"),
            unanswered=Count("pk", filter=open_),
            overdue=Count("pk", filter=open_ & Q(deadline__lt=on)),
            closed=Count("pk", filter=Q(status=InquiryStatus.CLOSED)),
        )
    )
    return {
        row["region_id"]: InquiryCounts(row["total"], row["unanswered"], row["overdue"], row["closed"])
        for row in counted
    }


def timeline(inquiry: Inquiry):
    return events.events_of(InquiryEvent, inquiry)


# --- helpers ---------------------------------------------------------------------------------------


def _event(inquiry: Inquiry, kind: str, user, *, reason: str = "", data: dict | None = None) -> InquiryEvent:
    return events.event_record(
        InquiryEvent, subject=inquiry, kind=kind, user=scoping_user(user), reason=reason, data=data
    )


def _lock(inquiry: Inquiry) -> Inquiry:
    # `of=("self",)`: PostgreSQL locks no row of the outer-joined (nullable) department
    return (
        Inquiry.objects.select_for_update(of=("self",))
        .select_related("region", "department")
        .get(pk=inquiry.pk)
    )


def _text(value, field: str, errors: dict, *, required: bool, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[field] = _("This field is required.")
    elif max_length and len(text) > max_length:
        errors[field] = _("At most %(n)d characters.") % {"n": max_length}
    return text


def _deadline(value, errors: dict, field: str = "deadline") -> date | None:
    if value is None or value == "":
        errors[field] = _("Give the date by which the answer is due.")
        return None
    if value < today():
        errors[field] = _("The deadline %(date)s is in the past.") % {"date": value.isoformat()}
    return value


def clean_signatories(names: Sequence[str] | str) -> list[str]:
    """Names of the joint signatories: one per line (or a list), blanks and repeats dropped."""
    if isinstance(names, str):
        names = names.splitlines()
    seen: dict[str, None] = {}
    for name in names or ():
        name = str(name).strip()
        if name:
            seen.setdefault(name, None)
    return list(seen)


# --- writes ----------------------------------------------------------------------------------------


@transaction.atomic
def inquiry_put(
    *,
    user,
    kind: str,
    region: Region,
    department: Department | None = None,
    subject: str,
    question: str,
    deadline: date | None,
    meeting: str = "",
    meeting_date: date | None = None,
    signatories: Sequence[str] | str = (),
    answer_form: str = "",
    anchor_kind: str = "",
    anchor_ref: str = "",
) -> Inquiry:
    """Put an inquiry of `region`'s standing committee to its government (no department) or one
    of its departments. Only members of that congress (and administrators) may; every field's
    error is reported at once."""
    scoping.require(user, Action.PUT_INQUIRY, region=region)
    errors: dict = {}
    if kind not in InquiryKind.values:
        errors["kind"] = _("Choose the kind of inquiry.")
    if department is not None and department.region_id != region.pk:
        errors["department"] = _("The department must be one of the region's own departments.")
    subject = _text(subject, "subject", errors, required=True, max_length=SUBJECT_MAX)
    question = _text(question, "question", errors, required=True)
    deadline = _deadline(deadline, errors)
    meeting = _text(meeting, "meeting", errors, required=kind == InquiryKind.TOPIC, max_length=200)
    if kind == InquiryKind.TOPIC and "meeting" in errors and not meeting:
        errors["meeting"] = _("A special-topic inquiry names the joint or group meeting it was held at.")
    names = clean_signatories(signatories)
    if kind == InquiryKind.QUESTION:
        least = signatory_minimum(region)
        if len(names) < least:
            errors["signatories"] = _(
                "A question motion at this level needs at least %(least)d joint signatories; %(n)d given."
            ) % {"least": least, "n": len(names)}
        elif any(len(n) > SIGNATORY_MAX_LENGTH for n in names):
            errors["signatories"] = _("A signatory's name is at most %(n)d characters.") % {
                "n": SIGNATORY_MAX_LENGTH
            }
    else:
        names = []
    if answer_form and (kind != InquiryKind.QUESTION or answer_form not in AnswerForm.values):
        errors["answer_form"] = _("Only a question motion is answered orally or in writing, as decided.")
    anchor = None
    try:
        anchor = anchors.resolve(anchor_kind, anchor_ref, user=user, region=region)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    inquiry = Inquiry.objects.create(
        kind=kind,
        region=region,
        department=department,
        subject=subject,
        question=question,
        deadline=deadline,
        meeting=meeting,
        meeting_date=meeting_date,
        signatories=names,
        answer_form=answer_form or "",
        anchor_kind=anchor.kind if anchor else "",
        anchor_ref=anchor.ref if anchor else "",
        anchor_label=anchor.label if anchor else "",
        anchor_data={**anchor.data, "url": anchor.url} if anchor else {},
        asked_by=scoping_user(user),
    )
    _event(
        inquiry,
        InquiryEventKind.PUT,
        user,
        reason=question,
        data={"deadline": deadline.isoformat(), "addressee": inquiry.addressee_label},
    )
    return inquiry


def scoping_user(user):
    """The user to store as an actor (None for the system)."""
    return events.event_actor(user) if getattr(user, "pk", None) else None


@transaction.atomic
def inquiry_decide_form(*, user, inquiry: Inquiry, answer_form: str) -> Inquiry:
    """Record how the council of chairmen decided a 质询 is answered (orally or in writing)."""
    inquiry = _lock(inquiry)
    if not may_conclude(user, inquiry):
        raise PermissionDenied("not allowed: decide the form of answer")
    if inquiry.kind != InquiryKind.QUESTION or answer_form not in AnswerForm.values:
        raise ValidationError({"answer_form": _("Only a question motion is answered orally or in writing.")})
    if inquiry.status == InquiryStatus.CLOSED:
        raise InvalidTransition(_("The inquiry is closed."))
    inquiry.answer_form = answer_form
    inquiry.save(update_fields=["answer_form"])
    _event(inquiry, InquiryEventKind.FORM_DECIDED, user, data={"answer_form": answer_form})
    return inquiry


@transaction.atomic
def inquiry_answer(*, user, inquiry: Inquiry, text: str, uploads: Sequence = ()) -> InquiryAnswer:
    """The addressee's answer to the current round (text and files, checked by content).

    Only the addressee answers: the department put to, or for the government its region's
    staff (the province's officials for the province); roles.md v1.1."""
    inquiry = _lock(inquiry)
    if not may_answer(user, inquiry):
        raise PermissionDenied("not allowed: answer this inquiry")
    if inquiry.status != InquiryStatus.OPEN:
        raise InvalidTransition(_("The inquiry is not awaiting an answer."))
    errors: dict = {}
    text = _text(text, "text", errors, required=True)
    uploads = list(uploads or ())
    checked = []
    if len(uploads) > ATTACHMENTS_MAX:
        errors["files"] = _("At most %(n)d files per answer.") % {"n": ATTACHMENTS_MAX}
    else:
        file_errors = []
        for upload in uploads:
            try:
                checked.append(
                    (upload, files.check_upload(upload, field="files", max_bytes=ATTACHMENT_MAX_BYTES))
                )
            except ValidationError as exc:
                file_errors += [f"{getattr(upload, 'name', '')}: {m}" for m in exc.messages]
        if file_errors:
            errors["files"] = file_errors
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    answer = InquiryAnswer.objects.create(
        inquiry=inquiry, round=inquiry.round, text=text, author=scoping_user(user)
    )
    names = []
    for upload, info in checked:
        attachment = InquiryAttachment(
            answer=answer,
            original_name=info.name,
            content_type=info.kind.content_type,
            extension=info.kind.extension,
            size=info.size,
            sha256=info.sha256,
        )
        attachment.file.save(info.name, upload, save=False)
        attachment.save()
        names.append({"name": info.name, "sha256": info.sha256})
    late = inquiry_overdue(inquiry.status, inquiry.deadline, timezone.localdate(now))
    inquiry.status, inquiry.answered_at = InquiryStatus.ANSWERED, now
    inquiry.save(update_fields=["status", "answered_at"])
    _event(
        inquiry,
        InquiryEventKind.ANSWERED,
        user,
        reason=text,
        data={"round": inquiry.round, "files": names, "late": late, "answer": answer.pk},
    )
    return answer


@transaction.atomic
def inquiry_follow_up(*, user, inquiry: Inquiry, question: str, deadline: date | None) -> Inquiry:
    """The member is not satisfied: a further question with a new deadline opens the next round."""
    inquiry = _lock(inquiry)
    if not may_conclude(user, inquiry):
        raise PermissionDenied("not allowed: follow up this inquiry")
    if inquiry.status != InquiryStatus.ANSWERED:
        raise InvalidTransition(_("A follow-up is asked once the inquiry has been answered."))
    errors: dict = {}
    question = _text(question, "question", errors, required=True)
    deadline = _deadline(deadline, errors)
    if errors:
        raise ValidationError(errors)
    inquiry.status, inquiry.deadline, inquiry.round = InquiryStatus.OPEN, deadline, inquiry.round + 1
    inquiry.save(update_fields=["status", "deadline", "round"])
    _event(
        inquiry,
        InquiryEventKind.FOLLOW_UP,
        user,
        reason=question,
        data={"round": inquiry.round, "deadline": deadline.isoformat()},
    )
    return inquiry


@transaction.atomic
def inquiry_close(*, user, inquiry: Inquiry, comment: str = "") -> Inquiry:
    """The member marks the answer satisfactory: the inquiry is closed."""
    inquiry = _lock(inquiry)
    if not may_conclude(user, inquiry):
        raise PermissionDenied("not allowed: close this inquiry")
    if inquiry.status != InquiryStatus.ANSWERED:
        raise InvalidTransition(_("Only an answered inquiry can be marked satisfactory."))
    inquiry.status, inquiry.closed_at = InquiryStatus.CLOSED, timezone.now()
    inquiry.save(update_fields=["status", "closed_at"])
    _event(inquiry, InquiryEventKind.CLOSED, user, reason=(comment or "").strip())
    return inquiry


# --- what a page shows -----------------------------------------------------------------------------


def conversation(inquiry: Inquiry) -> list[dict]:
    """The rounds of an inquiry in order: each question (the first and every follow-up) and the
    answers to it with their files; two queries."""
    answers: dict[int, list[InquiryAnswer]] = defaultdict(list)
    for answer in inquiry.answers.select_related("author").prefetch_related("attachments"):
        answers[answer.round].append(answer)
    rounds = [{"round": 1, "question": inquiry.question, "asked_at": inquiry.created_at, "deadline": None}]
    for event in timeline(inquiry).filter(kind=InquiryEventKind.FOLLOW_UP):
        rounds.append(
            {
                "round": event.data.get("round"),
                "question": event.reason,
                "asked_at": event.created_at,
                "deadline": event.data.get("deadline"),
                "by": event.actor_label,
            }
        )
    for item in rounds:
        item["answers"] = answers.get(item["round"], [])
    return rounds


def export_rows(inquiries: Iterable[Inquiry], *, on: date | None = None) -> Iterable[list]:
    """One row per inquiry, as the list's Excel download shows it (names, not codes)."""
    on = on or today()
    for q in inquiries:
        yield [
            q.pk,
            q.get_kind_display(),
            _("%(region)s people's congress standing committee") % {"region": q.region.name},
            q.addressee_label,
            q.subject,
            q.question,
            q.created_at,
            q.deadline,
            q.get_status_display(),
            _("yes") if q.is_overdue(on) else "",
            q.round,
            q.anchor_label,
            q.answered_at,
            q.closed_at,
        ]


def export_headers() -> list[str]:
    """The inquiry list's xlsx header in the user's language (Chinese by default)."""
    return [
        _("No."),
        _("Kind"),
        _("Standing committee"),
        _("Answering body"),
        _("Subject"),
        _("Question"),
        _("Asked at"),
        _("Answer due"),
        _("Status"),
        _("Overdue"),
        _("Round"),
        _("Concerns"),
        _("Last answered at"),
        _("Closed at"),
    ]
