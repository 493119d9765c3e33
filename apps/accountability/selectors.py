"""Reads of the ledger shared by the views, the API, the exports and the other apps. Each takes
the user: who sees what is `apps.accounts.scoping` (roles.md v1.1):

- deciders (provincial officials; city staff for their counties) see the candidates of their
  jurisdiction, decided or not, with draft notices;
- the region concerned (own region), its department (own department's) and congress members
  (subtree) see a case only once it is decided, and a notice only once issued.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.urls import reverse

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.regions.models import Region, RegionLevel

from .models import Candidate, CaseStatus, Decision, Interview, Notice, RectificationTask, TaskStatus


def candidates_for(user) -> QuerySet[Candidate]:
    """The candidates (and cases) `user` may read."""
    deciding = scoping.restrict(Candidate.objects.all(), user, Action.DECIDE_ACCOUNTABILITY)
    decided = scoping.restrict(Candidate.objects.all(), user, Action.READ_ACCOUNTABILITY).filter(
        decision__isnull=False
    )
    return Candidate.objects.filter(Q(pk__in=deciding.values("pk")) | Q(pk__in=decided.values("pk")))


def may_decide(user, candidate: Candidate) -> bool:
    return scoping.can(user, Action.DECIDE_ACCOUNTABILITY, region=candidate.region)


def candidates_for_decision(user) -> QuerySet[Candidate]:
    """The candidates `user` may decide on (a decision elsewhere is a 404)."""
    return scoping.restrict(Candidate.objects.all(), user, Action.DECIDE_ACCOUNTABILITY)


def candidate_to_decide(user, pk) -> Candidate | None:
    """One candidate `user` may decide on (or act on its case: notice, interview), else None."""
    return candidates_for_decision(user).select_related("region", "department").filter(pk=pk).first()


def tasks_for(user) -> QuerySet[RectificationTask]:
    """Rectification tasks of the cases `user` may read."""
    return RectificationTask.objects.filter(decision__candidate__in=candidates_for(user))


def notice_visible(user, notice: Notice) -> bool:
    """Drafts only to those who decide; issued notices to every reader of the case."""
    return notice.issued or may_decide(user, notice.decision.candidate)


def formula_url(candidate: Candidate) -> str:
    """The formula page of the candidate's region-year (how its figures were computed)."""
    region = candidate.region
    return reverse("monitoring:region-year", args=[region.level, region.code, candidate.year])


def decision_of(candidate: Candidate) -> Decision | None:
    try:
        return candidate.decision
    except Decision.DoesNotExist:
        return None


def notice_of(decision: Decision | None) -> Notice | None:
    """The decision's notice (only a decision with a notice has one)."""
    if decision is None or not decision.wants_notice:
        return None
    try:
        return decision.notice
    except Notice.DoesNotExist:
        return None


def interview_of(decision: Decision | None) -> Interview | None:
    if decision is None or not decision.wants_interview:
        return None
    try:
        return decision.interview
    except Interview.DoesNotExist:
        return None


def status_of(candidate: Candidate) -> str:
    decision = decision_of(candidate)
    return decision.status if decision is not None else CaseStatus.CANDIDATE


def ledger(
    user, *, year: int | None = None, region: Region | None = None, status: str = "", shown: bool = False
) -> QuerySet[Candidate]:
    """The ledger rows: candidates (not the shown-only ones unless `shown`) filtered by year,
    region subtree and status."""
    rows = candidates_for(user).filter(informational=shown).select_related("region", "department", "decision")
    if year:
        rows = rows.filter(year=year)
    if region is not None:
        rows = rows.filter(region__path__startswith=region.path)
    if status == CaseStatus.CANDIDATE:
        rows = rows.filter(decision__isnull=True)
    elif status:
        rows = rows.filter(decision__status=status)
    return rows.order_by("-year", "region__path", "rule", "metric")


def counts_per_city(rows: Iterable[Candidate]) -> list[tuple[Region, list[int]]]:
    """Per city (a county counted in its city): the number of rows in each status (in the order
    of CaseStatus), with a last row of the totals (region None)."""
    cities = {
        r.path: r for r in Region.objects.filter(level=RegionLevel.CITY).only("pk", "name", "code", "path")
    }
    counts: dict[str, Counter] = {}
    for c in rows:
        city = (
            c.region.path
            if c.region.path in cities
            else next((path for path in cities if c.region.path.startswith(path)), None)
        )
        if city is None:
            continue
        counts.setdefault(city, Counter())[status_of(c)] += 1
    table = [(cities[p], [counts[p][s] for s in CaseStatus.values]) for p in sorted(counts)]
    if table:
        table.append((None, [sum(row[i] for _city, row in table) for i in range(len(CaseStatus.values))]))
    return table


def years_with_candidates(user) -> list[int]:
    return list(candidates_for(user).order_by("-year").values_list("year", flat=True).distinct())


def open_tasks_for_region(user, region: Region) -> QuerySet[RectificationTask]:
    """The region's rectification tasks not yet accepted, that `user` may read."""
    return (
        tasks_for(user)
        .filter(region=region)
        .exclude(status=TaskStatus.ACCEPTED)
        .select_related("decision__candidate")
        .order_by("deadline", "pk")
    )


def notices_for_disclosure(region: Region, year: int) -> QuerySet[Notice]:
    """Issued notices marked for public disclosure, of `region`'s subtree and `year` (for the
    disclosure app's publications registry: a 'notices' group). No user: the publication decides
    what becomes public, and only notices issued and marked are ever returned."""
    return (
        Notice.objects.filter(
            edition__isnull=False,
            disclose=True,
            decision__region__path__startswith=region.path,
            decision__candidate__year=year,
        )
        .select_related("edition", "decision__region")
        .order_by("decision__region__path", "pk")
    )
