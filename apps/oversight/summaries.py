"""Oversight summaries (shared/spec/oversight.md): what a region-year's summary contains, gathered
from approved data, and its life from draft to frozen edition.

`gather()` reads stored figures only (Assessment rows of approved data, DESIGN.md) and returns the
summary's *figures*: plain, language-neutral data (codes, numbers, levels, names as stored) in
which years are string keys, so that the same dict is what an edition freezes (`core.editions`),
what the documents render (`documents/`) in either language, and what two editions are compared
by (`figures_diff`). The problems part has pluggable sections: `register_section()` (or a module
`apps/<app>/summary_sections.py` with `SECTIONS`) adds one; the accountability ledger's open
rectifications and the unanswered inquiries plug in there.

Writes (`summary_save`, `summary_review`, `summary_reopen`, `summary_issue`) check permission
here through `apps.accounts.scoping` and record the summary's timeline.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core import editions
from apps.core.events import event_record, events_of
from apps.core.models import FrozenEdition
from apps.dashboards import planner
from apps.dashboards.region import PERIOD_TARGETS, SHARE_METRICS
from apps.monitoring import metrics
from apps.monitoring import years as figure_years
from apps.monitoring.models import Assessment
from apps.plans.models import Measure, MeasureStatus
from apps.plans.selectors import overdue_measure_q, today
from apps.regions.models import Region, RegionLevel
from apps.reports.selectors import in_force_reports, report_sections
from apps.targets.models import PlanPeriod, RegionTarget

from . import summary_contents as contents
from .documents import render_all
from .models.summaries import (
    SUMMARY_KIND,
    SummaryDraft,
    SummaryEvent,
    SummaryEventKind,
    SummaryStatus,
    subject_key,
)

SCHEMA = 1
NEXT_STEPS_MAX = 20000
REASON_MAX = 2000

#: Per-year series the charts draw (the region dashboard's charts, from the same builders).
SERIES_METRICS = (
    "energy_intensity",
    "energy_intensity_reduction_cum",
    "energy_intensity_progress_required",
    "co2_intensity",
    "co2_intensity_reduction_cum",
    "co2_intensity_progress_required",
    "energy_total_assessed",
    "energy_total_allowed",
    "nonfossil_share",
    "nonfossil_share_required",
    "co2_emissions",
    "co2_intensity_reduction_avg",
    "co2_intensity_decline_required",
    "co2_peak_outlook",
    *(f"lmdi_{e}{s}" for e in ("activity", "intensity", "carbon_factor") for s in ("", "_cum")),
)
#: The sub-region table of 附表 and of 存在的问题.
CHILD_METRICS = (
    "energy_intensity_reduction_cum",
    "energy_intensity_progress_required",
    "co2_intensity_reduction_cum",
    "co2_intensity_progress_required",
    "energy_total_assessed",
    "energy_total_allowed",
    "nonfossil_share",
    *metrics.WARNING_METRICS,
    "grade",
)


class SummaryUnavailable(Exception):
    """No summary for this region-year: the region has no stored figures for the year."""


# ---- gathering -------------------------------------------------------------------------------------


def _pair(value, level: str) -> list:
    return [float(value) if value is not None else None, level or ""]


def _period_dict(p: PlanPeriod) -> dict:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "name_en": p.name_en,
        "base_year": p.base_year,
        "length": p.length,
    }


def _planner_dict(region: Region) -> dict:
    s = planner.remaining_needs(region)
    return {
        "reason": str(s.reason),
        "period": s.period.code if s.period else "",
        "latest_year": s.latest_year,
        "k": s.k,
        "n": s.n,
        "intensities": [
            {
                "metric": i.metric,
                "target": i.target,
                "achieved": i.achieved,
                "required": i.required,
                "reason": str(i.reason),
            }
            for i in s.intensities
        ],
        "energy_cap": s.energy_cap,
        "energy_assessed": s.energy_assessed,
        "energy_budget": s.energy_budget,
        "energy_reason": str(s.energy_reason),
        "remaining_years": list(s.remaining_years),
    }


def _measures_by_department(region: Region) -> list[dict]:
    """Measures of the region's own sector plans by responsible department and status."""
    rows = (
        Measure.objects.filter(plan__region=region)
        .values("responsible_department__name", "status")
        .annotate(n=Count("pk"))
        .order_by("responsible_department__name")
    )
    found: dict[str, dict] = {}
    for row in rows:
        entry = found.setdefault(
            row["responsible_department__name"],
            {"department": row["responsible_department__name"], **{s: 0 for s in MeasureStatus.values}},
        )
        entry[row["status"]] = row["n"]
    overdue = (
        Measure.objects.filter(overdue_measure_q(today()), plan__region=region)
        .values_list("responsible_department__name")
        .annotate(n=Count("pk"))
    )
    for name, n in overdue:
        found[name]["overdue"] = n
    result = []
    for entry in found.values():
        entry.setdefault("overdue", 0)
        entry["total"] = sum(entry[s] for s in MeasureStatus.values)
        result.append(entry)
    return result


def _report(region: Region, year: int) -> dict | None:
    """The approved report in force of the region-year: its narrative by task area."""
    report = in_force_reports().filter(region=region, year=year).first()
    if report is None:
        return None
    return {
        "id": report.pk,
        "revision": report.revision,
        "approved_at": timezone.localtime(report.approved_at).date().isoformat()
        if report.approved_at
        else "",
        "sections": {area: text for area, text in report_sections(report).items() if text.strip()},
    }


def years_with_figures(region: Region) -> list[int]:
    """Years the region has stored figures for, newest first (one query)."""
    return list(
        Assessment.objects.filter(region=region, metric="energy_intensity")
        .order_by("-year")
        .values_list("year", flat=True)
    )


def has_figures(region: Region, year: int) -> bool:
    return Assessment.objects.filter(region=region, year=year).exists()


def gather(region: Region, year: int, *, next_steps: str = "", on: date | None = None) -> dict:
    """The figures of a region-year's summary (see the module docstring); SummaryUnavailable when
    the region has no stored figures for the year. About 26 queries (the planner's and the sections'
    included) however many regions lie below: tests/oversight/test_summaries.py holds the bound."""
    on = on or today()
    rows = list(
        Assessment.objects.filter(region=region, year__lte=year).values_list(
            "year", "metric", "value", "level"
        )
    )
    if not any(y == year for y, *_rest in rows):
        raise SummaryUnavailable(f"{region.code} has no figures for {year}")
    series: dict[str, dict[str, list]] = defaultdict(dict)
    this_year: dict[str, list] = {}
    for y, metric, value, level in rows:
        if metric in SERIES_METRICS:
            series[metric][str(y)] = _pair(value, level)
        if y == year:
            this_year[metric] = _pair(value, level)
    periods = list(PlanPeriod.objects.order_by("base_year"))
    period = next((p for p in periods if p.first_year <= year <= p.last_year), None)
    targets: dict[str, dict[str, float]] = defaultdict(dict)
    for period_id, metric, value in RegionTarget.objects.filter(
        region=region, year__isnull=True, metric__in=PERIOD_TARGETS
    ).values_list("period_id", "metric", "value"):
        targets[str(period_id)][metric] = float(value)
    kin = list(
        Region.objects.filter(Q(parent=region) | Q(pk=region.parent_id or 0))
        .order_by("path")
        .only("pk", "code", "name", "level", "path", "parent_id")
    )
    children = [r for r in kin if r.parent_id == region.pk]
    parent = next((r for r in kin if r.pk == region.parent_id), None)
    child_figures: dict[int, dict[str, list]] = defaultdict(dict)
    for region_id, metric, value, level in Assessment.objects.filter(
        region_id__in=[r.pk for r in kin], year=year, metric__in=set(CHILD_METRICS) | set(SHARE_METRICS)
    ).values_list("region_id", "metric", "value", "level"):
        child_figures[region_id][metric] = _pair(value, level)
    grade = this_year.get("grade", [None, ""])
    figures = {
        "schema": SCHEMA,
        "region": {"id": region.pk, "code": region.code, "name": region.name, "level": region.level},
        "year": year,
        "data_version": _version_dict(figure_years.data_version()),
        "periods": [_period_dict(p) for p in periods],
        "period": _period_dict(period) if period else None,
        "targets": dict(targets),
        "year_figures": this_year,
        "warnings": [
            {"metric": m, "level": this_year.get(m, [None, ""])[1]} for m in metrics.WARNING_METRICS
        ],
        "grade": {
            "level": grade[1],
            "provisional": bool(grade[1] and period and year < period.last_year),
        },
        "series": dict(series),
        "parent": (
            {
                "id": parent.pk,
                "code": parent.code,
                "name": parent.name,
                "figures": child_figures.get(parent.pk, {}),
            }
            if parent
            else None
        ),
        "children": [
            {
                "id": c.pk,
                "code": c.code,
                "name": c.name,
                "level": c.level,
                "figures": child_figures.get(c.pk, {}),
            }
            for c in children
        ],
        "report": _report(region, year),
        "measures": _measures_by_department(region),
        "planner": _planner_dict(region),
        "next_steps": next_steps,
        "sections": {s.key: s.gather(region, year, on) for s in contents.registered_sections()},
    }
    return figures


def _version_dict(version: figure_years.DataVersion) -> dict:
    return {
        "run_id": version.run_id,
        "finished_at": version.finished_at.isoformat() if version.finished_at else None,
        "spec": version.spec_version,
    }


# ---- reads -----------------------------------------------------------------------------------------


def readable_region(user, action: Action, level: str, code: str) -> Region | None:
    """The region of a summary URL if `user` may perform `action` there (None: unknown or outside)."""
    if level not in RegionLevel.values:
        return None
    return scoping.regions_for(user, action).filter(level=level, code=code).first()


def editions_for(region: Region, year: int):
    return editions.editions_of(SUMMARY_KIND, subject_key(region.pk, year)).select_related("issued_by")


def readable_editions(user):
    """Issued summary editions `user` may read (READ_SUMMARIES on the edition's region): two queries.
    Every issued edition has its region-year's draft, so the drafts in scope name the subjects."""
    qs = FrozenEdition.objects.filter(kind=SUMMARY_KIND).select_related("issued_by")
    if scoping.is_admin(user):
        return qs
    drafts = SummaryDraft.objects.filter(region__in=scoping.regions_for(user, Action.READ_SUMMARIES))
    keys = [subject_key(region_id, year) for region_id, year in drafts.values_list("region_id", "year")]
    return qs.filter(subject_key__in=keys)


def edition_region_year(edition: FrozenEdition) -> tuple[int, int]:
    region_id, year = edition.subject_key.split("/")
    return int(region_id), int(year)


def draft_of(region: Region, year: int) -> SummaryDraft | None:
    return SummaryDraft.objects.filter(region=region, year=year).select_related("reviewed_by").first()


def timeline(draft: SummaryDraft):
    return events_of(SummaryEvent, draft)


# ---- writes ----------------------------------------------------------------------------------------


def _check(user, action: Action, region: Region) -> None:
    if not scoping.can(user, action, region=region):
        raise PermissionDenied(_("You may not do this for %(region)s.") % {"region": region.name})


def _locked_draft(region: Region, year: int, user) -> SummaryDraft:
    draft = SummaryDraft.objects.select_for_update().filter(region=region, year=year).first()
    if draft is None:
        draft = SummaryDraft.objects.create(region=region, year=year, created_by=_person(user))
        event_record(SummaryEvent, subject=draft, kind=SummaryEventKind.DRAFTED, user=user)
    return draft


def _person(user):
    return user if getattr(user, "pk", None) else None


@transaction.atomic
def summary_save(*, user, region: Region, year: int, next_steps: str) -> SummaryDraft:
    """Create or edit the draft's own text; an issued or reviewed draft goes back to draft."""
    _check(user, Action.DRAFT_SUMMARY, region)
    if not has_figures(region, year):
        raise ValidationError({"year": [_("There are no figures for %(year)s yet.") % {"year": year}]})
    text = (next_steps or "").strip()
    if len(text) > NEXT_STEPS_MAX:
        raise ValidationError({"next_steps": [_("At most %(n)s characters.") % {"n": NEXT_STEPS_MAX}]})
    draft = _locked_draft(region, year, user)
    changed = draft.next_steps != text or draft.status != SummaryStatus.DRAFT
    if changed:
        draft.next_steps = text
        draft.status = SummaryStatus.DRAFT
        draft.reviewed_by = None
        draft.reviewed_at = None
        draft.save()
        event_record(SummaryEvent, subject=draft, kind=SummaryEventKind.EDITED, user=user)
    return draft


@transaction.atomic
def summary_review(*, user, region: Region, year: int) -> SummaryDraft:
    """Mark the draft reviewed: the figures and text are checked and ready to issue."""
    _check(user, Action.DRAFT_SUMMARY, region)
    draft = SummaryDraft.objects.select_for_update().filter(region=region, year=year).first()
    if draft is None or draft.status != SummaryStatus.DRAFT:
        raise ValidationError({"status": [_("Only a draft can be marked reviewed.")]})
    draft.status = SummaryStatus.REVIEWED
    draft.reviewed_by = _person(user)
    draft.reviewed_at = timezone.now()
    draft.save()
    event_record(SummaryEvent, subject=draft, kind=SummaryEventKind.REVIEWED, user=user)
    return draft


@transaction.atomic
def summary_issue(*, user, region: Region, year: int, correction_reason: str = "") -> FrozenEdition:
    """Issue the reviewed draft as the next frozen edition: figures gathered now, the PDF, DOCX and
    HTML rendered from them, all stored with their SHA-256 (`core.editions`). A second edition
    must say why it replaces the first. The draft is marked issued; editing it starts over."""
    _check(user, Action.ISSUE_SUMMARY, region)
    draft = SummaryDraft.objects.select_for_update().filter(region=region, year=year).first()
    if draft is None or draft.status != SummaryStatus.REVIEWED:
        raise ValidationError({"status": [_("Only a reviewed draft can be issued.")]})
    reason = (correction_reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"correction_reason": [_("At most %(n)s characters.") % {"n": REASON_MAX}]})
    figures = gather(region, year, next_steps=draft.next_steps)
    number = editions_for(region, year).count() + 1
    issued_at = timezone.now().replace(microsecond=0)
    files = render_all(figures, issued=True, number=number, issued_at=issued_at)
    edition = editions.edition_issue(
        user=user,
        kind=SUMMARY_KIND,
        subject_key=subject_key(region.pk, year),
        figures=figures,
        data_version=contents.version_text(figures),
        title=contents.title_of(figures),
        files=files,
        correction_reason=reason,
    )
    draft.status = SummaryStatus.ISSUED
    draft.save()
    event_record(
        SummaryEvent,
        subject=draft,
        kind=SummaryEventKind.ISSUED,
        user=user,
        reason=reason,
        data={"number": edition.number},
    )
    return edition


@dataclass
class Diff:
    old: FrozenEdition
    new: FrozenEdition
    changes: list[contents.FigureChange] = field(default_factory=list)


def edition_diff(old: FrozenEdition, new: FrozenEdition) -> Diff:
    return Diff(old, new, contents.figures_diff(old.figures, new.figures))
