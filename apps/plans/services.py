"""Every write on sector plans: permission first (apps.accounts.scoping), then validation
(field-named ValidationError, nothing saved), then the write with its history row recorded
for the acting user, all in one transaction.

Who may write (shared/spec/roles.md, "edit sector plans and measures"):
- a plan and its targets and measures: whoever `scoping.can(user, EDIT_PLANS, department=plan's
  lead department)` — department staff of that kind in their subtree, provincial officials,
  administrators;
- a measure's own progress (update, status, milestones, notes): also staff of the measure's
  responsible department kind (`can(..., department=measure.responsible_department)`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core import conflicts, files
from apps.organizations.models import Department

from .models import (
    EARLIEST_BASELINE_YEAR,
    FIRST_YEAR,
    LAST_YEAR,
    PLAN_TRANSITIONS,
    Measure,
    MeasureStatus,
    Milestone,
    PlanStatus,
    PlanTarget,
    ProgressNote,
    SectorPlan,
)
from .selectors import can_edit_measure, can_edit_plan

EARLIEST_DATE = date(FIRST_YEAR, 1, 1)
LATEST_DATE = date(LAST_YEAR, 12, 31)


def _today() -> date:
    return timezone.localdate()


def _require_some_edit_right(user) -> None:
    if scoping.scope_of(user, Action.EDIT_PLANS) is None:
        raise PermissionDenied("not allowed: edit_plans")


def _require_plan(user, plan: SectorPlan) -> None:
    scoping.require(user, Action.EDIT_PLANS, department=plan.lead_department)


def _require_measure(user, measure: Measure) -> None:
    if not can_edit_measure(user, measure):
        raise PermissionDenied("not allowed: edit_plans")


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _save(obj, user, **kwargs) -> None:
    obj._history_user = user  # simple_history records the acting user (API, commands, UI alike)
    obj.save(**kwargs)


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _check_plan_context(plan: SectorPlan | None, measure: Measure, errors: dict) -> None:
    """A measure named in a request made for one plan must belong to that plan."""
    if plan is not None and measure.plan_id != plan.pk:
        errors["measure"] = _(
            "This measure belongs to another plan (%(plan)s, %(region)s), not to this one."
        ) % {
            "plan": measure.plan.title,
            "region": measure.plan.region.name,
        }


# ---- plans -------------------------------------------------------------------------------------


def _validate_plan_fields(*, region, lead_department, peak_year, adopted_on, status, errors: dict) -> None:
    if lead_department is not None and lead_department.region_id != region.pk:
        errors["lead_department"] = _("The lead department must be a department of %(region)s.") % {
            "region": region.name
        }
    if peak_year is None or not FIRST_YEAR <= peak_year <= LAST_YEAR:
        errors["peak_year"] = _("The peak year must be between %(first)s and %(last)s.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
    if adopted_on is not None and adopted_on > _today():
        errors["adopted_on"] = _("The adoption date cannot be in the future.")
    if status != PlanStatus.DRAFTING and adopted_on is None:
        errors["adopted_on"] = _("A plan in force or revised needs its adoption date.")


@transaction.atomic
def plan_create(
    *,
    user,
    sector,
    region,
    title: str,
    peak_year: int,
    lead_department: Department | None = None,
    status: str = PlanStatus.DRAFTING,
    summary: str = "",
    adopted_on: date | None = None,
) -> SectorPlan:
    """Create a plan; without a lead department, the sector's lead department at the region."""
    _require_some_edit_right(user)
    errors: dict = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the plan a title.")
    if status not in PlanStatus.values:
        errors["status"] = _("Unknown status.")
    if lead_department is None:
        lead_department = sector.lead_department_at(region)
        if lead_department is None:
            errors["lead_department"] = _(
                "%(region)s has no %(kind)s department; choose the lead department."
            ) % {
                "region": region.name,
                "kind": sector.lead_kind_label,
            }
    _validate_plan_fields(
        region=region,
        lead_department=lead_department,
        peak_year=peak_year,
        adopted_on=adopted_on,
        status=status,
        errors=errors,
    )
    if "lead_department" not in errors:
        scoping.require(user, Action.EDIT_PLANS, department=lead_department)
    if title and SectorPlan.objects.filter(region=region, sector=sector, title=title).exists():
        errors["title"] = _("%(region)s already has a %(sector)s plan with this title.") % {
            "region": region.name,
            "sector": sector.display_name,
        }
    _raise(errors)
    plan = SectorPlan(
        sector=sector,
        region=region,
        lead_department=lead_department,
        title=title,
        peak_year=peak_year,
        status=status,
        summary=summary or "",
        adopted_on=adopted_on,
        created_by=user,
        updated_by=user,
    )
    _save(plan, user)
    return plan


PLAN_EDITABLE_FIELDS = ("title", "peak_year", "summary", "adopted_on", "lead_department")


@transaction.atomic
def plan_update(*, user, plan: SectorPlan, expected_version: int | None = None, **changes) -> SectorPlan:
    """Change a plan's title, peak year, summary, adoption date or lead department.

    Region and sector are fixed once a plan exists (its measures' departments depend on
    the region); a plan for another region is a new plan. Status changes go through
    `plan_set_status`. `expected_version`: the version the editor loaded (None: no check);
    a plan saved since is not overwritten (VersionConflict).
    """
    unknown = set(changes) - set(PLAN_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    plan = _lock(SectorPlan, plan.pk)
    _require_plan(user, plan)
    conflicts.check_version(plan, expected_version)
    errors: dict = {}
    new_lead = changes.get("lead_department", plan.lead_department)
    if new_lead is None:
        errors["lead_department"] = _("A plan needs a lead department.")
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        if not changes["title"]:
            errors["title"] = _("Give the plan a title.")
        elif (
            SectorPlan.objects.filter(region=plan.region, sector=plan.sector, title=changes["title"])
            .exclude(pk=plan.pk)
            .exists()
        ):
            errors["title"] = _("%(region)s already has a %(sector)s plan with this title.") % {
                "region": plan.region.name,
                "sector": plan.sector.display_name,
            }
    _validate_plan_fields(
        region=plan.region,
        lead_department=new_lead,
        peak_year=changes.get("peak_year", plan.peak_year),
        adopted_on=changes.get("adopted_on", plan.adopted_on),
        status=plan.status,
        errors=errors,
    )
    if new_lead is not None and new_lead.pk != plan.lead_department_id and "lead_department" not in errors:
        scoping.require(user, Action.EDIT_PLANS, department=new_lead)
    _raise(errors)
    for name, value in changes.items():
        setattr(plan, name, "" if value is None and name == "summary" else value)
    plan.updated_by = user
    _save(plan, user)
    return plan


@transaction.atomic
def plan_set_status(*, user, plan: SectorPlan, status: str, adopted_on: date | None = None) -> SectorPlan:
    """Adopt a draft (in force), mark a plan revised, or adopt a revision again."""
    plan = _lock(SectorPlan, plan.pk)
    _require_plan(user, plan)
    errors: dict = {}
    if status not in PLAN_TRANSITIONS.get(plan.status, ()):
        errors["status"] = _("A plan that is “%(current)s” cannot become “%(new)s”.") % {
            "current": plan.get_status_display(),
            "new": dict(PlanStatus.choices).get(status, status),
        }
    adopted = adopted_on if adopted_on is not None else plan.adopted_on
    if status in (PlanStatus.IN_FORCE, PlanStatus.REVISED) and adopted is None:
        errors["adopted_on"] = _("Give the date the plan was adopted.")
    elif adopted is not None and adopted > _today():
        errors["adopted_on"] = _("The adoption date cannot be in the future.")
    _raise(errors)
    plan.status = status
    plan.adopted_on = adopted
    plan.updated_by = user
    _save(plan, user)
    return plan


# ---- targets -----------------------------------------------------------------------------------


TARGET_FIELDS = (
    "indicator",
    "metric_name",
    "unit",
    "target_year",
    "target_value",
    "baseline_year",
    "baseline_value",
    "note",
)


def _validate_target(values: dict, errors: dict) -> None:
    indicator = values.get("indicator")
    metric_name = (values.get("metric_name") or "").strip()
    unit = (values.get("unit") or "").strip()
    values["metric_name"], values["unit"] = metric_name, unit
    if indicator is None and not metric_name:
        errors["indicator"] = _(
            "Choose an indicator from the catalog, or name a custom metric with its unit."
        )
    elif indicator is not None and (metric_name or unit):
        errors["metric_name"] = _(
            "Give either a catalog indicator or a custom metric, not both (the indicator has its unit)."
        )
    elif indicator is None and not unit:
        errors["unit"] = _("A custom metric needs its unit.")
    target_year, baseline_year = values.get("target_year"), values.get("baseline_year")
    if target_year is None or not FIRST_YEAR <= target_year <= LAST_YEAR:
        errors["target_year"] = _("The target year must be between %(first)s and %(last)s.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
    if baseline_year is not None and not EARLIEST_BASELINE_YEAR <= baseline_year <= LAST_YEAR:
        errors["baseline_year"] = _("The baseline year must be between %(first)s and %(last)s.") % {
            "first": EARLIEST_BASELINE_YEAR,
            "last": LAST_YEAR,
        }
    elif baseline_year is not None and target_year is not None and baseline_year >= target_year:
        errors["baseline_year"] = _("The baseline year must come before the target year.")
    if values.get("target_value") is None:
        errors["target_value"] = _("Give the target value.")
    if (baseline_year is None) != (values.get("baseline_value") is None):
        field = "baseline_value" if baseline_year is not None else "baseline_year"
        errors.setdefault(field, _("Give the baseline year and value together."))
    negative_allowed = indicator is not None and indicator.allow_negative
    if not negative_allowed:
        for name in ("target_value", "baseline_value"):
            value = values.get(name)
            if value is not None and Decimal(value) < 0:
                errors[name] = _("This value cannot be negative.")


@transaction.atomic
def target_add(*, user, plan: SectorPlan, **values) -> PlanTarget:
    """Add a quantitative target: a catalog indicator, or a custom metric with its unit
    (custom metrics are stated as non-negative quantities, e.g. a reduction in percent)."""
    unknown = set(values) - set(TARGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown target fields: {sorted(unknown)}")
    plan = _lock(SectorPlan, plan.pk)
    _require_plan(user, plan)
    errors: dict = {}
    _validate_target(values, errors)
    _raise(errors)
    target = PlanTarget(plan=plan, **{k: v for k, v in values.items()})
    if target.note is None:
        target.note = ""
    _save(target, user)
    _touch(plan, user)
    return target


@transaction.atomic
def target_update(*, user, target: PlanTarget, plan: SectorPlan | None = None, **changes) -> PlanTarget:
    unknown = set(changes) - set(TARGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown target fields: {sorted(unknown)}")
    target = _lock(PlanTarget, target.pk)
    _require_plan(user, target.plan)
    errors: dict = {}
    if plan is not None and target.plan_id != plan.pk:
        errors["plan"] = _("This target belongs to another plan.")
    values = {name: getattr(target, name) for name in TARGET_FIELDS}
    values.update(changes)
    _validate_target(values, errors)
    _raise(errors)
    for name, value in values.items():
        setattr(target, name, "" if value is None and name == "note" else value)
    _save(target, user)
    _touch(target.plan, user)
    return target


@transaction.atomic
def target_delete(*, user, target: PlanTarget, plan: SectorPlan | None = None) -> None:
    target = _lock(PlanTarget, target.pk)
    _require_plan(user, target.plan)
    if plan is not None and target.plan_id != plan.pk:
        raise ValidationError({"plan": _("This target belongs to another plan.")})
    target._history_user = user
    parent = target.plan
    target.delete()
    _touch(parent, user)


def _touch(plan: SectorPlan, user) -> None:
    """Record who last changed a plan's content without a history row of its own."""
    SectorPlan.objects.filter(pk=plan.pk).update(updated_by=user, updated_at=timezone.now())


# ---- measures ----------------------------------------------------------------------------------


def _validate_measure_dates(start_date, due_date, errors: dict) -> None:
    if start_date is None:
        errors["start_date"] = _("Give the start date.")
    elif not EARLIEST_DATE <= start_date <= LATEST_DATE:
        errors["start_date"] = _("The date must fall between %(first)s and %(last)s.") % {
            "first": EARLIEST_DATE,
            "last": LATEST_DATE,
        }
    if due_date is None:
        errors["due_date"] = _("Give the due date.")
    elif not EARLIEST_DATE <= due_date <= LATEST_DATE:
        errors["due_date"] = _("The date must fall between %(first)s and %(last)s.") % {
            "first": EARLIEST_DATE,
            "last": LATEST_DATE,
        }
    elif start_date is not None and due_date < start_date:
        errors["due_date"] = _("The due date cannot be before the start date.")


def _validate_responsible(user, plan: SectorPlan, department: Department | None, errors: dict) -> None:
    if department is None:
        errors["responsible_department"] = _("Choose the responsible department.")
        return
    if not department.region.is_within(plan.region):
        errors["responsible_department"] = _(
            "The responsible department must be in %(region)s or a region below it."
        ) % {"region": plan.region.name}
    elif not scoping.regions_for(user, Action.EDIT_PLANS).filter(pk=department.region_id).exists():
        errors["responsible_department"] = _("This department is outside your jurisdiction.")


def _validate_title(plan: SectorPlan, title: str, errors: dict, exclude_pk=None) -> str:
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the measure a title.")
    elif plan.measures.filter(title=title).exclude(pk=exclude_pk).exists():
        errors["title"] = _("This plan already has a measure with this title.")
    return title


@transaction.atomic
def measure_create(
    *,
    user,
    plan: SectorPlan,
    title: str,
    responsible_department: Department | None,
    start_date: date | None,
    due_date: date | None,
    description: str = "",
) -> Measure:
    """Add a measure to a plan (the plan's editors decide its measures)."""
    plan = _lock(SectorPlan, plan.pk)
    _require_plan(user, plan)
    errors: dict = {}
    title = _validate_title(plan, title, errors)
    _validate_responsible(user, plan, responsible_department, errors)
    _validate_measure_dates(start_date, due_date, errors)
    _raise(errors)
    measure = Measure(
        plan=plan,
        title=title,
        description=description or "",
        responsible_department=responsible_department,
        start_date=start_date,
        due_date=due_date,
        created_by=user,
        updated_by=user,
    )
    _save(measure, user)
    _touch(plan, user)
    return measure


MEASURE_EDITABLE_FIELDS = ("title", "description", "responsible_department", "start_date", "due_date")


@transaction.atomic
def measure_update(
    *,
    user,
    measure: Measure,
    plan: SectorPlan | None = None,
    expected_version: int | None = None,
    **changes,
) -> Measure:
    """Change a measure; the responsible department stays in the plan's subtree and the user's
    jurisdiction, and staff acting only as the responsible department cannot hand it away.
    `expected_version`: the version the editor loaded (None: no check); a measure saved
    since (an edit or a status change) is not overwritten (VersionConflict)."""
    unknown = set(changes) - set(MEASURE_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    measure = _lock(Measure, measure.pk)
    _require_measure(user, measure)
    conflicts.check_version(measure, expected_version)
    errors: dict = {}
    _check_plan_context(plan, measure, errors)
    if "title" in changes:
        changes["title"] = _validate_title(measure.plan, changes["title"], errors, exclude_pk=measure.pk)
    new_dept = changes.get("responsible_department", measure.responsible_department)
    if new_dept is None or new_dept.pk != measure.responsible_department_id:
        _validate_responsible(user, measure.plan, new_dept, errors)
        if (
            "responsible_department" not in errors
            and not can_edit_plan(user, measure.plan)
            and not scoping.can(user, Action.EDIT_PLANS, department=new_dept)
        ):
            errors["responsible_department"] = _(
                "Only the plan's lead department can hand this measure to another department."
            )
    _validate_measure_dates(
        changes.get("start_date", measure.start_date), changes.get("due_date", measure.due_date), errors
    )
    _raise(errors)
    for name, value in changes.items():
        setattr(measure, name, "" if value is None and name == "description" else value)
    measure.updated_by = user
    _save(measure, user)
    _touch(measure.plan, user)
    return measure


def _apply_status(measure: Measure, status: str, on: date) -> None:
    measure.status = status
    measure.completed_on = on if status == MeasureStatus.DONE else None


@transaction.atomic
def measure_set_status(
    *,
    user,
    measure: Measure,
    status: str,
    on: date | None = None,
    text: str = "",
    plan: SectorPlan | None = None,
) -> ProgressNote:
    """Change a measure's status; the change is recorded as a progress note (the measure's timeline)."""
    measure = _lock(Measure, measure.pk)
    _require_measure(user, measure)
    errors: dict = {}
    _check_plan_context(plan, measure, errors)
    on = on or _today()
    if status not in MeasureStatus.values:
        errors["status"] = _("Unknown status.")
    elif status == measure.status:
        errors["status"] = _("The measure is already “%(status)s”.") % {
            "status": measure.get_status_display()
        }
    if on > _today():
        errors["date"] = _("The date cannot be in the future.")
    _raise(errors)
    note = ProgressNote(measure=measure, date=on, text=(text or "").strip(), author=user)
    note.status_from = measure.status
    note.status_to = status
    _apply_status(measure, status, on)
    measure.updated_by = user
    _save(measure, user)
    _save(note, user)
    _touch(measure.plan, user)
    return note


# ---- milestones --------------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *, user, measure: Measure, title: str, due_date: date | None, plan: SectorPlan | None = None
) -> Milestone:
    """Add a milestone inside the measure's period; `plan`, when the request names one, must
    be the measure's own plan."""
    measure = _lock(Measure, measure.pk)
    _require_measure(user, measure)
    errors: dict = {}
    _check_plan_context(plan, measure, errors)
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the milestone a title.")
    if due_date is None:
        errors["due_date"] = _("Give the due date.")
    elif not measure.start_date <= due_date <= measure.due_date:
        errors["due_date"] = _(
            "The milestone must fall within the measure's period (%(start)s – %(due)s)."
        ) % {
            "start": measure.start_date,
            "due": measure.due_date,
        }
    _raise(errors)
    milestone = Milestone(measure=measure, title=title, due_date=due_date)
    _save(milestone, user)
    _touch(measure.plan, user)
    return milestone


@transaction.atomic
def milestone_complete(
    *, user, milestone: Milestone, done_on: date | None = None, plan: SectorPlan | None = None
) -> Milestone:
    milestone = _lock(Milestone, milestone.pk)
    measure = milestone.measure
    _require_measure(user, measure)
    errors: dict = {}
    _check_plan_context(plan, measure, errors)
    done_on = done_on or _today()
    if milestone.done_on is not None:
        errors["done_on"] = _("This milestone was already marked done on %(date)s.") % {
            "date": milestone.done_on
        }
    elif done_on > _today():
        errors["done_on"] = _("The date cannot be in the future.")
    elif done_on < measure.start_date:
        errors["done_on"] = _("The date cannot be before the measure started (%(start)s).") % {
            "start": measure.start_date
        }
    _raise(errors)
    milestone.done_on = done_on
    _save(milestone, user)
    _touch(measure.plan, user)
    return milestone


# ---- progress notes ----------------------------------------------------------------------------

DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def attachment_max_bytes() -> int:
    """The size limit of a progress note's file (PLANS_ATTACHMENT_MAX_BYTES, read on every use)."""
    return int(getattr(settings, "PLANS_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


@transaction.atomic
def progress_note_add(
    *,
    user,
    measure: Measure,
    date: date | None,
    text: str = "",
    attachment=None,
    status: str | None = None,
    plan: SectorPlan | None = None,
) -> ProgressNote:
    """Report progress on a measure, optionally with a file (type checked by content, size
    limited) and a status change, which is applied to the measure in the same transaction."""
    measure = _lock(Measure, measure.pk)
    _require_measure(user, measure)
    errors: dict = {}
    _check_plan_context(plan, measure, errors)
    text = (text or "").strip()
    if date is None:
        errors["date"] = _("Give the date.")
    elif date > _today():
        errors["date"] = _("The date cannot be in the future.")
    status = status or ""
    if status and status not in MeasureStatus.values:
        errors["status"] = _("Unknown status.")
    changes_status = bool(status) and status != measure.status
    if not text and not changes_status and not attachment:
        errors["text"] = _("Write what progress was made, attach a file or change the status.")
    checked = None
    if attachment:
        try:
            checked = files.check_upload(
                attachment, field="attachment", max_bytes=attachment_max_bytes(), name_must_match=True
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _raise(errors)
    note = ProgressNote(measure=measure, date=date, text=text, author=user)
    if changes_status:
        note.status_from, note.status_to = measure.status, status
        _apply_status(measure, status, date)
        measure.updated_by = user
        _save(measure, user)
    if checked:
        note.attachment_name = checked.name
        note.attachment_type = checked.kind.content_type
        note.attachment_size = checked.size
        note.attachment.save(checked.safe_name, attachment, save=False)
    try:
        _save(note, user)
        _touch(measure.plan, user)
    except Exception:
        # The file is written before the row; don't leave an orphan when the row fails.
        # (An outer rollback can still orphan it: harmless, as nothing links to it.)
        if note.attachment:
            note.attachment.storage.delete(note.attachment.name)
        raise
    return note
