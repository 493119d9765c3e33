"""What an inquiry is about: its anchor, frozen as it was when the inquiry was put.

An anchor is a kind and a reference (`figure` + "360102/2025/energy_intensity_reduction_cum",
`measure` + "42"). Resolving it checks that the member may read it and that it lies in the
congress's region (or below it), and returns its label, a link and a snapshot (the figure's
value and data version, the measure's status and due date) that the inquiry keeps: a later
recompute or edit never changes what the inquiry was put about (oversight.md).

The registry is the extension point for anchors other apps own. Built in: a figure, a measure,
a case of the accountability ledger (`ledger_case` + its number) and an issued edition of an
oversight summary (`summary_edition` + "360102/2025/1"). Register another `AnchorType` from this
package (oversight sits above accountability, so it may read the ledger; a lower app never
imports oversight):

    anchors.register(AnchorType("kind", _("What it is"), _resolve, _("its reference")))

`resolve(user, region, ref)` returns an `Anchor` or raises ValidationError naming `anchor_ref`
(unknown, unreadable or outside the congress's region: one message, never a hint).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.regions.models import Region

REF_FIELD = "anchor_ref"


@dataclass(frozen=True)
class Anchor:
    """A resolved anchor: what the inquiry keeps (label and data are frozen with the inquiry)."""

    kind: str
    ref: str
    label: str
    data: dict = field(default_factory=dict)
    url: str = ""


@dataclass(frozen=True)
class AnchorType:
    kind: str
    label: str | Promise
    resolve: Callable[[object, Region, str], Anchor]
    ref_help: str | Promise = ""


_REGISTRY: dict[str, AnchorType] = {}


def register(anchor_type: AnchorType) -> None:
    """Add (or replace) an anchor kind; the inquiry forms and the API offer every registered kind."""
    _REGISTRY[anchor_type.kind] = anchor_type


def types() -> list[AnchorType]:
    return list(_REGISTRY.values())


def kind_label(kind: str) -> str:
    anchor_type = _REGISTRY.get(kind)
    return str(anchor_type.label) if anchor_type else kind


def not_found() -> ValidationError:
    return ValidationError(
        {REF_FIELD: _("Nothing you may read in this congress's region has this reference.")}
    )


def resolve(kind: str, ref: str, *, user, region: Region) -> Anchor | None:
    """The anchor for `kind` + `ref` as `user` may read it inside `region`'s subtree; None for no anchor."""
    kind, ref = (kind or "").strip(), (ref or "").strip()
    if not kind and not ref:
        return None
    if kind not in _REGISTRY:
        raise ValidationError({"anchor_kind": _("Choose what the inquiry is about from the list.")})
    if not ref:
        raise ValidationError({REF_FIELD: _("Give the reference of what the inquiry is about.")})
    return _REGISTRY[kind].resolve(user, region, ref)


def _inside(region: Region, other: Region) -> bool:
    return other.path.startswith(region.path)


# --- built-in anchors: a figure, a measure ----------------------------------------------------------


def figure_ref(code: str, year: int, metric: str) -> str:
    return f"{code}/{year}/{metric}"


def _resolve_figure(user, region: Region, ref: str) -> Anchor:
    """A stored figure (approved data only) of a region in the congress's subtree, with its value,
    display text and the data version it belongs to."""
    from django.urls import reverse

    from apps.monitoring import metrics
    from apps.monitoring.models import Assessment
    from apps.monitoring.years import data_version

    try:
        code, year_text, metric = ref.split("/")
        year = int(year_text)
    except ValueError:
        raise ValidationError(
            {REF_FIELD: _("A figure is named as region code/year/metric, e.g. 360102/2025/energy_total.")}
        ) from None
    row = (
        scoping.restrict(Assessment.objects.all(), user, Action.READ_ASSESSMENTS)
        .select_related("region")
        .filter(region__code=code, year=year, metric=metric)
        .first()
    )
    if row is None or not _inside(region, row.region):
        raise not_found()
    shown = metrics.display(metric, row.value, row.level)
    info = metrics.catalog().get(metric)
    unit = (info.unit if info else "") if not row.level else ""
    suffix = f" {unit}" if unit and not shown.endswith(unit) else ""
    colon = ": " if translation.get_language() == "en" else "："
    label = f"{row.region.name} · {row.year} · {metrics.name(metric)}{colon}{shown}{suffix}"
    value = None if row.value is None else format(Decimal(row.value).normalize(), "f")
    return Anchor(
        kind="figure",
        ref=figure_ref(code, year, metric),
        label=label[:300],
        data={
            "region": code,
            "region_name": row.region.name,
            "year": year,
            "metric": metric,
            "value": value,
            "level": row.level,
            "shown": shown,
            "unit": unit,
            "data_version": str(data_version()),
        },
        url=reverse("monitoring:region-year", args=[row.region.level, code, year]),
    )


def _resolve_measure(user, region: Region, ref: str) -> Anchor:
    """A measure of a sector plan the member may read, carried out in the congress's subtree."""
    from apps.plans import selectors as plans

    try:
        pk = int(ref)
    except ValueError:
        raise not_found() from None
    measure = (
        plans.readable_measures(user)
        .select_related("plan", "plan__region", "responsible_department", "responsible_department__region")
        .filter(pk=pk)
        .first()
    )
    if measure is None or not _inside(region, measure.responsible_department.region):
        raise not_found()
    return Anchor(
        kind="measure",
        ref=str(measure.pk),
        label=f"{measure.plan.title} · {measure.title}"[:300],
        data={
            "plan": measure.plan.title,
            "title": measure.title,
            "department": measure.responsible_department.name,
            "status": measure.status,
            "status_label": str(measure.get_status_display()),
            "due_date": measure.due_date.isoformat(),
        },
        url=measure.get_absolute_url(),
    )


def _resolve_case(user, region: Region, ref: str) -> Anchor:
    """A case of the accountability ledger the member may read (congress: decided cases of the
    subtree), of a region in the congress's subtree, with its rule, status and decision as put."""
    from django.utils import timezone

    from apps.accountability import selectors as ledger
    from apps.accountability.models import CaseStatus

    try:
        pk = int(ref.lstrip("#"))
    except ValueError:
        raise not_found() from None
    case = (
        ledger.candidates_for(user).select_related("region", "department", "decision").filter(pk=pk).first()
    )
    if case is None or not _inside(region, case.region):
        raise not_found()
    decision = ledger.decision_of(case)
    status = ledger.status_of(case)

    where = case.department.name if case.department_id else case.region.name
    return Anchor(
        kind="ledger_case",
        ref=str(case.pk),
        label=f"#{case.pk} · {where} · {case.year} · {case.rule_label}"[:300],
        data={
            "region": case.region.code,
            "region_name": case.region.name,
            "department": case.department.name if case.department_id else "",
            "year": case.year,
            "rule": case.rule,
            "rule_label": case.rule_label,
            "status": status,
            "status_label": str(CaseStatus(status).label),
            "outcome": decision.outcome if decision else "",
            "outcome_label": str(decision.get_outcome_display()) if decision else "",
            "decided_on": timezone.localtime(decision.decided_at).date().isoformat() if decision else "",
            "data_version": case.data_version,
        },
        url=reverse("accountability:case", args=[case.pk]),
    )


def edition_ref(code: str, year: int, number: int) -> str:
    return f"{code}/{year}/{number}"


def _resolve_edition(user, region: Region, ref: str) -> Anchor:
    """An issued (frozen) oversight summary edition the member may read, of a region in the
    congress's subtree, with its title, issue date and content hash as put."""
    from django.utils import timezone

    from apps.regions.selectors import by_code

    from . import summaries
    from .models.summaries import subject_key

    try:
        code, year_text, number_text = ref.split("/")
        year, number = int(year_text), int(number_text)
    except ValueError:
        raise ValidationError(
            {REF_FIELD: _("An edition is named as region code/year/edition, e.g. 360102/2025/1.")}
        ) from None
    target = by_code(code)
    edition = (
        summaries.readable_editions(user)
        .filter(subject_key=subject_key(target.pk, year), number=number)
        .first()
        if target is not None
        else None
    )
    if edition is None or not _inside(region, target):
        raise not_found()
    return Anchor(
        kind="summary_edition",
        ref=edition_ref(code, year, number),
        label=(_("%(title)s, edition %(n)s") % {"title": edition.title, "n": number})[:300],
        data={
            "region": code,
            "region_name": target.name,
            "year": year,
            "number": number,
            "title": edition.title,
            "issued_on": timezone.localtime(edition.issued_at).date().isoformat(),
            "sha256": edition.sha256,
            "data_version": edition.data_version,
        },
        url=reverse("oversight:summary-edition", args=[target.level, code, year, number]),
    )


register(
    AnchorType(
        "figure",
        gettext_lazy("A figure (region, year, metric)"),
        _resolve_figure,
        gettext_lazy("Region code/year/metric, e.g. 360102/2025/energy_total."),
    )
)
register(
    AnchorType(
        "measure", gettext_lazy("A measure of a sector plan"), _resolve_measure, gettext_lazy("Its number.")
    )
)
register(
    AnchorType(
        "ledger_case",
        gettext_lazy("A case of the accountability ledger"),
        _resolve_case,
        gettext_lazy("Its number, e.g. 42."),
    )
)
register(
    AnchorType(
        "summary_edition",
        gettext_lazy("An issued edition of an oversight summary"),
        _resolve_edition,
        gettext_lazy("Region code/year/edition, e.g. 360102/2025/1."),
    )
)
