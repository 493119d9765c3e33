"""The scorecard obligations whose evidence lies in oversight and the apps below it (see
`scorecard`): the annual report to the same-level congress, targets set and decomposed, a peak plan
for each key sector, measures on track, inquiries answered in time. Each costs a query or three
over the region's subtree, however many sub-regions it has."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.completeness.selectors import SUBMITTED_STATUSES, deadlines_for
from apps.organizations.models import Sector
from apps.plans.models import Measure, MeasureStatus, PlanStatus, SectorPlan
from apps.plans.selectors import overdue_measure_q
from apps.regions.models import RegionLevel
from apps.reports.models import Report
from apps.targets.models import PlanPeriod, RegionTarget

from . import summaries
from .models import Inquiry
from .scorecard import Finding, Obligation, ScorecardContext, Status, ratio_status


def _url(name: str, args=(), **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name, args=args) + (f"?{query}" if query else "")


def annual_report(ctx: ScorecardContext) -> Finding:
    """The region's report of the year submitted by the deadline, and the oversight summary issued
    to the standing committee of its own level (art. 2)."""
    region, year = ctx.region, ctx.year
    reports = Report.objects.filter(region=region, year=year)
    first = reports.filter(status__in=SUBMITTED_STATUSES).aggregate(first=Min("submitted_at"))["first"]
    latest = reports.order_by("-revision").first()
    deadline = deadlines_for([year]).get(year)
    due = deadline.due_date if deadline else None
    edition = summaries.editions_for(region, year).order_by("number").first()
    if edition is not None:
        evidence = reverse("oversight:summary", args=[region.level, region.code, year])
    elif latest is not None and latest.status in SUBMITTED_STATUSES:
        evidence = reverse("reports:detail", args=[latest.pk])
    else:
        evidence = reverse("completeness:grid")
    due_text = due.isoformat() if due else _("no deadline set")
    summary_text = (
        _("the oversight summary to the people's congress was issued on %(date)s (edition %(n)s)")
        % {"date": timezone.localtime(edition.issued_at).date().isoformat(), "n": edition.number}
        if edition
        else _("no oversight summary has been issued to the people's congress yet")
    )
    if first is None:
        if due is not None and ctx.on > due:
            text = _("The %(year)s annual report was due on %(due)s and has not been submitted; %(summary)s.")
            status = Status.NOT_MET
        else:
            text = _(
                "The %(year)s annual report is not yet due (due: %(due)s) and not submitted; %(summary)s."
            )
            status = Status.NOT_APPLICABLE
        return Finding(
            status,
            text % {"year": year, "due": due_text, "summary": summary_text},
            done=int(edition is not None),
            total=2,
            evidence_url=evidence,
        )
    submitted_on = timezone.localtime(first).date()
    in_time = due is None or submitted_on <= due
    text = (
        _(
            "The %(year)s annual report was submitted on %(on)s (due: %(due)s), in time; "
            "status: %(status)s; %(summary)s."
        )
        if in_time
        else _(
            "The %(year)s annual report was submitted late, on %(on)s (due: %(due)s); "
            "status: %(status)s; %(summary)s."
        )
    )
    done = int(in_time) + int(edition is not None)
    return Finding(
        Status.MET if done == 2 else Status.PARTLY,
        text
        % {
            "year": year,
            "on": submitted_on.isoformat(),
            "due": due_text,
            "status": latest.get_status_display() if latest else "",
            "summary": summary_text,
        },
        done=done,
        total=2,
        evidence_url=evidence,
    )


def period_of(year: int) -> PlanPeriod | None:
    """The plan period whose target years include `year` (one query)."""
    for period in PlanPeriod.objects.filter(base_year__lt=year).order_by("-base_year"):
        if year in period.years:
            return period
    return None


def targets_decomposed(ctx: ScorecardContext) -> Finding:
    """The region's targets of the period set, and decomposed to every region directly below it."""
    period = period_of(ctx.year)
    if period is None:
        return Finding(Status.NOT_APPLICABLE, _("No plan period covers %(year)s.") % {"year": ctx.year})
    children = ctx.children
    ids = [ctx.region.pk, *(c.pk for c in children)]
    with_targets = set(
        RegionTarget.objects.filter(period=period, region_id__in=ids).values_list("region_id", flat=True)
    )
    own = ctx.region.pk in with_targets
    missing = [c for c in children if c.pk not in with_targets]
    params = {"period": period.code}
    if children:
        evidence = _url("targets:decomposition", parent=ctx.region.code, **params)
    else:
        evidence = _url("targets:list", region=ctx.region.code, **params)
    period_name = period.display_name
    own_text = (
        _("%(region)s has its targets for %(period)s")
        if own
        else _("%(region)s has no targets for %(period)s")
    ) % {"region": ctx.region.name, "period": period_name}
    if children:
        sub = _("%(n)s of %(total)s sub-regions have targets") % {
            "n": len(children) - len(missing),
            "total": len(children),
        }
        if missing:
            sub += _("; missing: %(names)s") % {"names": ctx.names(missing)}
        text = _("%(own)s; %(sub)s.") % {"own": own_text, "sub": sub}
    else:
        text = _("%(own)s.") % {"own": own_text}
    done = int(own) + len(children) - len(missing)
    total = 1 + len(children)
    status = Status.NOT_MET if not own else ratio_status(done, total)
    return Finding(
        status, text, done=done, total=total, missing=tuple(c.name for c in missing), evidence_url=evidence
    )


ADOPTED_PLAN_STATUSES = (PlanStatus.IN_FORCE, PlanStatus.REVISED)


def sector_plans(ctx: ScorecardContext) -> Finding:
    """A peak plan in force at the region for every key sector (sectors marked "peak plan
    required"); counties follow their city's sector plans, so the obligation is the province's and
    the cities'."""
    evidence = _url("plans:plan-list", region=ctx.region.code)
    if ctx.region.level == RegionLevel.COUNTY:
        return Finding(
            Status.NOT_APPLICABLE,
            _("Sector peak plans are drawn up by the province and the cities."),
            evidence_url=evidence,
        )
    sectors = list(Sector.objects.filter(peak_plan_required=True).order_by("code"))
    adopted = set(
        SectorPlan.objects.filter(region=ctx.region, status__in=ADOPTED_PLAN_STATUSES).values_list(
            "sector_id", flat=True
        )
    )
    missing = [s.display_name for s in sectors if s.pk not in adopted]
    done = len(sectors) - len(missing)
    text = _("%(n)s of %(total)s key sectors have a peak plan in force") % {"n": done, "total": len(sectors)}
    if missing:
        text += _("; missing: %(names)s") % {"names": ctx.names(missing)}
    return Finding(
        ratio_status(done, len(sectors)),
        text + _("."),
        done=done,
        total=len(sectors),
        missing=tuple(missing),
        evidence_url=evidence,
    )


def measures_on_track(ctx: ScorecardContext) -> Finding:
    """Measures of the subtree's sector plans done or on track: neither delayed nor past due."""
    measures = Measure.objects.filter(plan__region__path__startswith=ctx.region.path)
    off = Q(status=MeasureStatus.DELAYED) | overdue_measure_q(ctx.on)
    counts = measures.aggregate(
        total=Count("pk"), off=Count("pk", filter=off), done=Count("pk", filter=Q(status=MeasureStatus.DONE))
    )
    total, off_track = counts["total"], counts["off"]
    if not total:
        return Finding(
            Status.NOT_APPLICABLE,
            _("The sector plans of %(region)s have no measures.") % {"region": ctx.region.name},
            done=0,
            total=0,
            evidence_url=_url("plans:measure-list", within=ctx.region.code),
        )
    done = total - off_track
    text = _(
        "%(n)s of %(total)s measures are done or on track (%(finished)s done); %(off)s delayed or overdue."
    ) % {"n": done, "total": total, "finished": counts["done"], "off": off_track}
    evidence = (
        _url("plans:measure-list", within=ctx.region.code, overdue="true")
        if off_track
        else _url("plans:measure-list", within=ctx.region.code)
    )
    return Finding(ratio_status(done, total), text, done=done, total=total, evidence_url=evidence)


def inquiries_answered(ctx: ScorecardContext) -> Finding:
    """Inquiries put in the year to the subtree's governments and departments, answered by their
    deadline (those not yet due and unanswered are not counted)."""
    rows = list(
        Inquiry.objects.filter(
            region__path__startswith=ctx.region.path, created_at__year=ctx.year
        ).values_list("deadline", "answered_at")
    )
    due = [(deadline, answered) for deadline, answered in rows if answered is not None or deadline < ctx.on]
    in_time = sum(
        1 for deadline, answered in due if answered and timezone.localtime(answered).date() <= deadline
    )
    waiting = len(rows) - len(due)
    evidence = _url("oversight:inquiry-list", within=ctx.region.code)
    if not rows:
        text = _("No inquiry was put in %(year)s.") % {"year": ctx.year}
        return Finding(Status.NOT_APPLICABLE, text, done=0, total=0, evidence_url=evidence)
    if not due:
        text = _("No inquiry put in %(year)s was due yet (%(waiting)s not yet due).") % {
            "year": ctx.year,
            "waiting": waiting,
        }
        return Finding(Status.NOT_APPLICABLE, text, done=0, total=0, evidence_url=evidence)
    text = _(
        "%(n)s of %(total)s inquiries put in %(year)s were answered by their deadline; "
        "%(late)s late or unanswered; %(waiting)s not yet due."
    ) % {"n": in_time, "total": len(due), "year": ctx.year, "late": len(due) - in_time, "waiting": waiting}
    if in_time < len(due):
        evidence = _url("oversight:inquiry-list", within=ctx.region.code, overdue="true")
    return Finding(ratio_status(in_time, len(due)), text, done=in_time, total=len(due), evidence_url=evidence)


OBLIGATIONS = [
    Obligation(
        "annual_report",
        gettext_lazy("Annual report submitted to the same-level people's congress"),
        annual_report,
        order=10,
        basis=gettext_lazy("Art. 2"),
    ),
    Obligation(
        "targets_decomposed",
        gettext_lazy("Targets set and decomposed to every sub-region"),
        targets_decomposed,
        order=20,
    ),
    Obligation("sector_plans", gettext_lazy("A peak plan for each key sector"), sector_plans, order=30),
    Obligation("measures_on_track", gettext_lazy("Measures on track"), measures_on_track, order=40),
    Obligation(
        "inquiries_answered",
        gettext_lazy("Inquiries answered in time"),
        inquiries_answered,
        order=80,
        basis=gettext_lazy("Art. 8"),
    ),
]
