"""The scorecard obligation whose evidence is the accountability ledger (see
`apps.oversight.scorecard`): the year's warnings of the regions below followed by a decision
(通报, 约谈 or 'no action' with its reason). Two queries over the subtree."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.monitoring import metrics
from apps.monitoring.models import Assessment
from apps.oversight.scorecard import Finding, Obligation, ScorecardContext, Status, ratio_status

from .models import Candidate


def warnings_decided(ctx: ScorecardContext) -> Finding:
    """Cases the rules put in the ledger for the year's warnings of the regions below the region
    (red progress or total-energy warnings and the other rules), each decided."""
    evidence = (
        reverse("accountability:ledger") + "?" + urlencode({"year": ctx.year, "region": ctx.region.code})
    )
    below = Q(region__path__startswith=ctx.region.path) & ~Q(region_id=ctx.region.pk)
    warnings = Assessment.objects.filter(
        below, year=ctx.year, metric__in=metrics.WARNING_METRICS, level__in=("red", "yellow")
    ).aggregate(red=Count("pk", filter=Q(level="red")), yellow=Count("pk", filter=Q(level="yellow")))
    if not ctx.children:
        return Finding(
            Status.NOT_APPLICABLE,
            _("%(region)s has no regions below it to hold to account.") % {"region": ctx.region.name},
            evidence_url=evidence,
        )
    cases = (
        Candidate.objects.filter(below, year=ctx.year, informational=False)
        .filter(Q(still_met=True) | Q(decision__isnull=False))
        .order_by("region__path", "rule")
    )
    rows = [
        (name, decision is not None) for name, decision in cases.values_list("region__name", "decision__pk")
    ]
    decided = sum(1 for _name, done in rows if done)
    undecided = sorted({name for name, done in rows if not done})
    text = _("%(red)s red and %(yellow)s yellow warnings in the regions below; ") % warnings
    if not rows:
        text += _("no case is in the ledger for %(year)s.") % {"year": ctx.year}
        return Finding(Status.NOT_APPLICABLE, text, done=0, total=0, evidence_url=evidence)
    text += _("%(n)s of %(total)s ledger cases decided") % {"n": decided, "total": len(rows)}
    if undecided:
        text += _("; awaiting a decision: %(names)s") % {"names": ctx.names(undecided)}
    return Finding(
        ratio_status(decided, len(rows)),
        text + _("."),
        done=decided,
        total=len(rows),
        missing=tuple(undecided),
        evidence_url=evidence,
    )


OBLIGATIONS = [
    Obligation(
        "warnings_decided",
        gettext_lazy("Warnings followed by a decision (accountability ledger)"),
        warnings_decided,
        order=50,
    )
]
