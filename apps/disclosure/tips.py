"""Tips (举报): filing, looking up, handling and counting — every write and the reads they share.

Who may do what is `apps.accounts.scoping` (roles.md v1.1):

- FILE_TIP: the public only (a signed-in user is refused: the form is for the public);
- TRACK_TIP: anyone with the tracking number sees the status and the published reply, nothing else;
- TRIAGE_TIPS: staff of the development and reform commission of the tip's region or a region
  above it, provincial officials, administrators — read the region's tips, route, close;
- ANSWER_TIPS: staff of the department the tip is routed to (its kind, in their subtree),
  provincial officials, administrators — investigate and answer;
- READ_TIP_STATS: counts only (`tip_statistics`), for the roles' subtree or department.

The staff handling a tip (`may_handle`) are those holding TRIAGE_TIPS over its region or
ANSWER_TIPS for its department; only they read the tip, its attachments and its contact.

Every write checks permission, then the tip's state under a row lock (`TipStateError` → 409),
writes inside one transaction and appends to the tip's timeline (`apps.core.events`).
The answer is due `TIP_ANSWER_WORKING_DAYS` working days after the tip was received
(weekends and the configured `TIP_HOLIDAYS` skipped).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core import events
from apps.core.files import CheckedUpload
from apps.organizations.models import Department
from apps.plans.models import Measure
from apps.regions.models import Region

from . import tracking
from .models import Tip, TipAttachment, TipCategory, TipEvent, TipEventKind, TipStatus
from .models.tips import OPEN_STATUSES

# A category's usual responsible department kind, offered when routing a tip without a measure.
CATEGORY_DEPARTMENT_KIND = {
    TipCategory.STATISTICS: "statistics",
    TipCategory.PROJECT: "development_reform",
    TipCategory.ENERGY_SAVING: "development_reform",
    TipCategory.EMISSIONS: "ecology_environment",
}
SIGNED_IN_REFUSAL = (
    "The tip form is for the public: signed-in users cannot file tips. "
    "Log out first if you want to file one as a private person."
)


class TipStateError(ValidationError):
    """The tip is not in a state that allows this step (the API answers 409)."""


# --- working days -------------------------------------------------------------------------------


def holidays() -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in getattr(settings, "TIP_HOLIDAYS", []) if d)


def add_working_days(start: date, days: int, skip: Iterable[date] = ()) -> date:
    """The `days`-th working day after `start` (Saturdays, Sundays and `skip` are not counted)."""
    skip = frozenset(skip)
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in skip:
            left -= 1
    return day


def answer_due_on(received: date) -> date:
    return add_working_days(received, settings.TIP_ANSWER_WORKING_DAYS, holidays())


# --- filing and looking up (the public) ---------------------------------------------------------


@dataclass(frozen=True)
class TipInput:
    """A tip as the public form or the API accepted it (validated by `tip_forms.TipForm`)."""

    category: str
    region: Region
    description: str
    contact: str = ""
    figure_region: Region | None = None
    figure_year: int | None = None
    figure_metric: str = ""
    measure: Measure | None = None
    uploads: list[tuple[object, CheckedUpload]] = field(default_factory=list)


def refuse_signed_in(user) -> None:
    if not scoping.can(user, Action.FILE_TIP):
        raise PermissionDenied(_(SIGNED_IN_REFUSAL))


@transaction.atomic
def tip_file(*, user, data: TipInput, today: date | None = None) -> Tip:
    """File a tip from the public; returns it with its new tracking number."""
    refuse_signed_in(user)
    now = timezone.now()
    received = today or timezone.localdate(now)
    tip = Tip(
        tracking_number=_unused_number(),
        category=data.category,
        region=data.region,
        description=data.description,
        contact=data.contact,
        figure_region=data.figure_region if data.figure_metric else None,
        figure_year=data.figure_year if data.figure_metric else None,
        figure_metric=data.figure_metric,
        measure=data.measure,
        received_at=now,
        due_on=answer_due_on(received),
    )
    tip.save()
    for upload, checked in data.uploads:
        attachment = TipAttachment(
            tip=tip,
            name=checked.safe_name,
            content_type=checked.kind.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        attachment.file.save(checked.safe_name, upload, save=False)
        attachment.save()
    record_event(
        tip,
        TipEventKind.FILED,
        None,
        data={"attachments": [a.name for a in tip.attachments.all()]},
    )
    return tip


def _unused_number() -> str:
    for _attempt in range(5):
        number = tracking.new_number()
        if not Tip.objects.filter(tracking_number=number).exists():
            return number
    raise RuntimeError("no unused tracking number in five draws")  # 2^75 numbers: never happens


def tip_by_number(text: str | None) -> Tip | None:
    """The tip with this tracking number, or None — the same None for a malformed number, a wrong
    check symbol and an unknown number, so the answer says nothing about what exists."""
    number = tracking.normalise(text)
    if number is None:
        return None
    return Tip.objects.filter(tracking_number=number).first()


@dataclass(frozen=True)
class PublicStatus:
    """What anyone with the tracking number may see: the status and the published reply."""

    tracking_number: str
    status: str
    status_label: str
    reply: str
    reply_published_at: object

    @classmethod
    def of(cls, tip: Tip) -> PublicStatus:
        return cls(
            tracking_number=tip.display_number,
            status=tip.status,
            status_label=str(TipStatus(tip.status).label),
            reply=tip.published_reply,
            reply_published_at=tip.reply_published_at,
        )


# --- who handles a tip ----------------------------------------------------------------------------


def may_triage(user, tip: Tip) -> bool:
    return scoping.can(user, Action.TRIAGE_TIPS, region=tip.region)


def may_answer(user, tip: Tip) -> bool:
    """Staff of the department the tip is routed to (its kind in their subtree), provincial
    officials and administrators; nobody before the tip is routed."""
    return tip.department_id is not None and scoping.can(user, Action.ANSWER_TIPS, department=tip.department)


def may_handle(user, tip: Tip) -> bool:
    """Staff handling the tip: they read it, its attachments and its contact."""
    return may_triage(user, tip) or may_answer(user, tip)


def tips_for(user) -> QuerySet[Tip]:
    """The tips `user` handles: those of the regions they triage and those routed to their department."""
    base = Tip.objects.all()
    if scoping.is_admin(user):
        return base
    triaged = scoping.restrict(base, user, Action.TRIAGE_TIPS)
    answered = scoping.restrict(base, user, Action.ANSWER_TIPS, region_field="department__region")
    return base.filter(Q(pk__in=triaged.values("pk")) | Q(pk__in=answered.values("pk")))


def handled_tip(user, pk: int) -> Tip:
    """One tip the user handles, or Tip.DoesNotExist (a 404: its existence is not revealed)."""
    return (
        tips_for(user)
        .select_related("region", "department__region", "figure_region", "measure__plan__region")
        .get(pk=pk)
    )


def route_choices(tip: Tip) -> QuerySet[Department]:
    """Departments a tip may be routed to: those of its region and the regions above it, and the
    department responsible for the measure it names."""
    paths = [tip.region.path, *tip.region.ancestor_paths]
    q = Q(region__path__in=paths)
    if tip.measure_id:
        q |= Q(pk=tip.measure.responsible_department_id)
    return Department.objects.filter(q).select_related("region").order_by("-region__path", "kind")


def suggested_department(tip: Tip) -> Department | None:
    """The measure's department, else the category's usual department at the tip's region."""
    if tip.measure_id:
        return tip.measure.responsible_department
    kind = CATEGORY_DEPARTMENT_KIND.get(tip.category)
    if kind is None:
        return None
    return Department.objects.filter(region=tip.region, kind=kind).first()


def sector_lead_department(sector, region: Region) -> Department | None:
    """The department leading `sector` at `region`, or at the nearest region above that has one."""
    paths = [region.path, *reversed(region.ancestor_paths)]
    found = {
        d.region.path: d for d in Department.objects.filter(kind=sector.lead_kind, region__path__in=paths)
    }
    return next((found[p] for p in paths if p in found), None)


# --- handling (staff) --------------------------------------------------------------------------------


def record_event(tip: Tip, kind: str, user, *, reason: str = "", data: dict | None = None) -> TipEvent:
    return events.event_record(TipEvent, subject=tip, kind=kind, user=user, reason=reason, data=data)


def _locked(tip: Tip) -> Tip:
    return Tip.objects.select_for_update(of=("self",)).select_related("region", "department").get(pk=tip.pk)


def timeline(tip: Tip) -> QuerySet[TipEvent]:
    return events.events_of(TipEvent, tip)


@transaction.atomic
def tip_route(*, user, tip: Tip, department: Department, reason: str = "") -> Tip:
    """Route an open tip to the department responsible (again, to re-route it)."""
    tip = _locked(tip)
    if not may_triage(user, tip):
        raise PermissionDenied(_("Only the staff triaging this region's tips may route it."))
    if not tip.is_open:
        raise TipStateError(_("Only a tip still being handled can be routed."))
    if not route_choices(tip).filter(pk=department.pk).exists():
        raise ValidationError(
            {"department": _("Choose a department of the tip's region, a region above it, or the measure's.")}
        )
    previous = tip.department
    tip.department = department
    tip.status = TipStatus.ASSIGNED
    tip.routed_at = timezone.now()
    tip.save(update_fields=["department", "status", "routed_at"])
    data = {"department": department.name, "region": department.region.name}
    if previous is not None and previous.pk != department.pk:
        data["from"] = previous.name
    record_event(tip, TipEventKind.ROUTED, user, reason=reason, data=data)
    return tip


@transaction.atomic
def tip_investigate(*, user, tip: Tip, note: str = "") -> Tip:
    """The responsible department starts investigating."""
    tip = _locked(tip)
    if not may_answer(user, tip):
        raise PermissionDenied(_("Only the department the tip is routed to may investigate it."))
    if tip.status != TipStatus.ASSIGNED:
        raise TipStateError(_("Only a tip routed to a department can be put under investigation."))
    tip.status = TipStatus.INVESTIGATING
    tip.save(update_fields=["status"])
    record_event(tip, TipEventKind.INVESTIGATING, user, reason=note)
    return tip


@transaction.atomic
def tip_answer(*, user, tip: Tip, reply: str) -> Tip:
    """The responsible department answers (the reply is published separately)."""
    tip = _locked(tip)
    if not may_answer(user, tip):
        raise PermissionDenied(_("Only the department the tip is routed to may answer it."))
    if tip.status not in (TipStatus.ASSIGNED, TipStatus.INVESTIGATING):
        raise TipStateError(_("Only a tip routed to a department and not yet answered can be answered."))
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("Write the reply.")})
    tip.reply = reply
    tip.status = TipStatus.ANSWERED
    tip.answered_at = timezone.now()
    tip.save(update_fields=["reply", "status", "answered_at"])
    record_event(tip, TipEventKind.ANSWERED, user, data={"reply": reply})
    return tip


@transaction.atomic
def tip_publish_reply(*, user, tip: Tip) -> Tip:
    """Publish the reply: anyone with the tracking number then reads it."""
    tip = _locked(tip)
    if not may_handle(user, tip):
        raise PermissionDenied(_("Only the staff handling this tip may publish its reply."))
    if tip.status not in (TipStatus.ANSWERED, TipStatus.CLOSED) or not tip.reply:
        raise TipStateError(_("Only an answered tip's reply can be published."))
    if tip.reply_published_at is not None:
        raise TipStateError(_("The reply is published already."))
    tip.reply_published_at = timezone.now()
    tip.save(update_fields=["reply_published_at"])
    record_event(tip, TipEventKind.REPLY_PUBLISHED, user)
    return tip


@transaction.atomic
def tip_close(*, user, tip: Tip, reason: str = "") -> Tip:
    """Close the tip: after its answer, or earlier with a reason (a duplicate, no substance)."""
    tip = _locked(tip)
    if not may_triage(user, tip):
        raise PermissionDenied(_("Only the staff triaging this region's tips may close it."))
    if tip.status == TipStatus.CLOSED:
        raise TipStateError(_("The tip is closed already."))
    reason = (reason or "").strip()
    if tip.status != TipStatus.ANSWERED and not reason:
        raise ValidationError({"reason": _("Give the reason for closing a tip that was not answered.")})
    tip.status = TipStatus.CLOSED
    tip.closed_at = timezone.now()
    tip.save(update_fields=["status", "closed_at"])
    record_event(tip, TipEventKind.CLOSED, user, reason=reason)
    return tip


# --- lists and statistics --------------------------------------------------------------------------


@dataclass(frozen=True)
class TipFilters:
    status: str = ""
    category: str = ""
    region: str = ""  # a region code: the region and its subtree
    overdue: bool = False

    def apply(self, tips: QuerySet[Tip], *, today: date | None = None) -> QuerySet[Tip]:
        if self.status:
            tips = tips.filter(status=self.status)
        if self.category:
            tips = tips.filter(category=self.category)
        if self.region:
            region = Region.objects.filter(code=self.region).first()
            tips = tips.filter(region__path__startswith=region.path) if region else tips.none()
        if self.overdue:
            tips = overdue(tips, today=today)
        return tips


def overdue(tips: QuerySet[Tip], *, today: date | None = None) -> QuerySet[Tip]:
    return tips.filter(status__in=OPEN_STATUSES, due_on__lt=today or timezone.localdate())


@dataclass
class TipStatistics:
    """Tip counts in a user's scope, by region, department, category and status."""

    total: int = 0
    overdue: int = 0
    by_status: list[tuple[str, str, int]] = field(default_factory=list)  # (code, label, count)
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    by_region: list[tuple[str, str, int]] = field(default_factory=list)  # (code, name, count)
    by_department: list[tuple[str, str, int]] = field(default_factory=list)  # (region name, dept, count)


def statistics_queryset(user, *, region: Region | None = None, year: int | None = None) -> QuerySet[Tip]:
    """The tips counted for `user` (READ_TIP_STATS), optionally one region's subtree and one year."""
    tips = scoping.restrict(Tip.objects.all(), user, Action.READ_TIP_STATS)
    if region is not None:
        tips = tips.filter(region__path__startswith=region.path)
    if year is not None:
        tips = tips.filter(received_at__year=year)
    return tips


def tip_statistics(
    user, *, region: Region | None = None, year: int | None = None, today: date | None = None
) -> TipStatistics:
    """Counts for the statistics page, its export, the API and (later) oversight; a few queries."""
    tips = statistics_queryset(user, region=region, year=year)
    stats = TipStatistics()
    statuses = Counter(dict(tips.order_by().values_list("status").annotate(n=Count("pk"))))
    categories = Counter(dict(tips.order_by().values_list("category").annotate(n=Count("pk"))))
    stats.by_status = [(s.value, str(s.label), statuses.get(s.value, 0)) for s in TipStatus]
    stats.by_category = [(c.value, str(c.label), categories.get(c.value, 0)) for c in TipCategory]
    stats.total = sum(statuses.values())
    stats.overdue = overdue(tips, today=today).count()
    rows = (
        tips.order_by()
        .values_list("region__code", "region__name", "region__path")
        .annotate(n=Count("pk"))
        .order_by("region__path")
    )
    stats.by_region = [(code, name, n) for code, name, _path, n in rows]
    dept_rows = (
        tips.order_by()
        .values_list("department__region__name", "department__name", "department__region__path")
        .annotate(n=Count("pk"))
        .order_by("department__region__path", "department__name")
    )
    stats.by_department = [
        (region_name or "", name or str(_("Not yet routed")), n) for region_name, name, _path, n in dept_rows
    ]
    return stats
