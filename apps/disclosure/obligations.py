"""The scorecard obligations whose evidence lies in disclosure (see `apps.oversight.scorecard`):
the year's figures published for the public, and public tips answered by their deadline. One or
two queries each, however many sub-regions there are."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.monitoring.models import Assessment
from apps.oversight.scorecard import Finding, Obligation, ScorecardContext, Status, ratio_status

from .models import Publication, PublicationStatus, Tip


def figures_published(ctx: ScorecardContext) -> Finding:
    """A publication in force for the year that covers the region (its own or one of a region
    above it: a publication covers its region's subtree)."""
    region, year = ctx.region, ctx.year
    found = (
        Publication.objects.filter(
            year=year,
            status=PublicationStatus.PUBLISHED,
            region__path__in=[*region.ancestor_paths, region.path],
        )
        .select_related("region")
        .order_by("-published_at")
        .first()
    )
    if found is not None:
        text = _("The %(year)s figures of %(region)s are published (publication of %(by)s, %(on)s).") % {
            "year": year,
            "region": region.name,
            "by": found.region.name,
            "on": timezone.localtime(found.published_at).date().isoformat(),
        }
        return Finding(
            Status.MET,
            text,
            done=1,
            total=1,
            evidence_url=reverse("disclosure:public-region", args=[year, region.code]),
        )
    evidence = reverse("disclosure:publications") + "?" + urlencode({"year": year})
    if not Assessment.objects.filter(region=region, year=year).exists():
        return Finding(
            Status.NOT_APPLICABLE,
            _("There are no figures of %(region)s for %(year)s to publish yet.")
            % {"region": region.name, "year": year},
            done=0,
            total=0,
            evidence_url=evidence,
        )
    return Finding(
        Status.NOT_MET,
        _("The %(year)s figures of %(region)s are not published.") % {"year": year, "region": region.name},
        done=0,
        total=1,
        evidence_url=evidence,
    )


def tips_answered(ctx: ScorecardContext) -> Finding:
    """Tips about the subtree received in the year, answered by their due date (those not yet due
    and unanswered are not counted)."""
    rows = list(
        Tip.objects.filter(region__path__startswith=ctx.region.path, received_at__year=ctx.year).values_list(
            "due_on", "answered_at"
        )
    )
    due = [(due_on, answered) for due_on, answered in rows if answered is not None or due_on < ctx.on]
    in_time = sum(1 for due_on, answered in due if answered and timezone.localtime(answered).date() <= due_on)
    waiting = len(rows) - len(due)
    evidence = (
        reverse("disclosure:tip-statistics") + "?" + urlencode({"region": ctx.region.code, "year": ctx.year})
    )
    if not rows:
        text = _("No tip about %(region)s was received in %(year)s.") % {
            "region": ctx.region.name,
            "year": ctx.year,
        }
        return Finding(Status.NOT_APPLICABLE, text, done=0, total=0, evidence_url=evidence)
    if not due:
        text = _("No tip received in %(year)s was due yet (%(waiting)s not yet due).") % {
            "year": ctx.year,
            "waiting": waiting,
        }
        return Finding(Status.NOT_APPLICABLE, text, done=0, total=0, evidence_url=evidence)
    text = _(
        "%(n)s of %(total)s tips received in %(year)s were answered by their due date; "
        "%(late)s late or unanswered; %(waiting)s not yet due."
    ) % {"n": in_time, "total": len(due), "year": ctx.year, "late": len(due) - in_time, "waiting": waiting}
    return Finding(ratio_status(in_time, len(due)), text, done=in_time, total=len(due), evidence_url=evidence)


OBLIGATIONS = [
    Obligation("figures_published", gettext_lazy("Figures published"), figures_published, order=60),
    Obligation("tips_answered", gettext_lazy("Public tips answered in time"), tips_answered, order=70),
]
