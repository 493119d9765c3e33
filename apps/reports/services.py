"""Every write on annual reports: editing, the review workflow, revisions, attachments, import.

Each transition checks permission through apps.accounts.scoping first (PermissionDenied →
403), then the state under a row lock (InvalidTransition → 409), writes inside one
transaction and records who, when, what and why on the report's event timeline.
Approval sends `signals.report_approved` once the transaction has committed; an import that
approves many reports sends one `signals.reports_approved` instead (one batched recompute).

Workflow (roles.md):
  county report: draft → submitted → (city) forwarded → (province) approved
  city / province report: draft → submitted → (province) approved
  any reviewer may instead return it with a reason → returned → (region) submitted again
  approved: immutable; a correction opens revision n+1 (draft) which runs the workflow again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core import conflicts, events, files
from apps.core.tables import file_error
from apps.indicators.models import Indicator
from apps.regions.models import Region, RegionLevel

from . import imports, selectors
from .models import (
    EDITABLE_STATUSES,
    Attachment,
    EventKind,
    Report,
    ReportEvent,
    ReportSection,
    ReportStatus,
    ReportValue,
    SectionArea,
)
from .selectors import indicators
from .signals import report_approved, reports_approved
from .validation import FIRST_YEAR, ValidationResult, parse_decimal, validate

ATTACHMENT_MAX_BYTES = getattr(settings, "REPORTS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


class InvalidTransition(ValidationError):
    """The report is not in a state that allows this step (the API answers 409)."""


# --- small helpers -------------------------------------------------------------------------


def _event(
    report: Report,
    kind: str,
    user,
    *,
    reason: str = "",
    field_reasons: Mapping[str, str] | None = None,
    data: dict | None = None,
) -> ReportEvent:
    """Append to the report's timeline (core.events), in the caller's transaction."""
    return events.event_record(
        ReportEvent,
        subject=report,
        kind=kind,
        user=user,
        reason=reason,
        data=data,
        field_reasons=dict(field_reasons or {}),
    )


def _lock(report: Report) -> Report:
    """Re-read the report under a row lock (with its region), so the state we check is current."""
    return Report.objects.select_for_update().select_related("region").get(pk=report.pk)


def _json_value(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def report_validate(report: Report, *, values=None, notes=None) -> ValidationResult:
    """Full validation of a report revision (its stored values unless others are given)."""
    if values is None or notes is None:
        stored_values, stored_notes = selectors.report_values(report)
        values = stored_values if values is None else values
        notes = stored_notes if notes is None else notes
    previous = selectors.previous_year_values(report.region_id, report.year)
    parent = selectors.parent_figures(report.region_id, report.year)
    return validate(
        values,
        notes=notes,
        indicators=indicators(),
        previous=previous,
        parent=parent.current,
        parent_previous=parent.previous,
        parent_name=parent.name,
    )


def _require_valid(report: Report) -> ValidationResult:
    result = report_validate(report)
    if not result.ok:
        raise ValidationError(result.as_error_dict())
    return result


def _check_year(year: int) -> None:
    last = timezone.localdate().year
    if not FIRST_YEAR <= year <= last:
        raise ValidationError(
            {"year": _("The year must be between %(a)d and %(b)d.") % {"a": FIRST_YEAR, "b": last}}
        )


# --- creating and editing ------------------------------------------------------------------


@transaction.atomic
def report_get_or_create(*, user, region: Region, year: int) -> tuple[Report, bool]:
    """The current revision of a region's report for a year, created as a draft if none exists."""
    scoping.require(user, Action.EDIT_OWN_REPORT, region=region)
    _check_year(year)
    latest = Report.objects.filter(region=region, year=year).order_by("-revision").first()
    if latest is not None:
        return latest, False
    try:
        with transaction.atomic():
            report = Report.objects.create(region=region, year=year, created_by=user)
    except IntegrityError:  # created concurrently
        return Report.objects.filter(region=region, year=year).order_by("-revision").first(), False
    _event(report, EventKind.CREATED, user)
    return report, True


def _apply_values(
    report: Report,
    values: Mapping[str, Decimal | None],
    notes: Mapping[str, str],
    catalog: Mapping[str, Indicator],
) -> dict[str, list]:
    """Write values and notes of one revision; returns {code: [old, new]} of what changed."""
    existing = {v.indicator.code: v for v in report.values.select_related("indicator")}
    changed: dict[str, list] = {}
    for code in sorted(set(values) | set(notes)):
        row = existing.get(code)
        old_value = row.value if row else None
        old_note = row.note if row else ""
        new_value = values.get(code, old_value)
        new_note = (notes[code] or "").strip() if code in notes else old_note
        if new_value == old_value and new_note == old_note:
            continue
        changed[code] = [_json_value(old_value), _json_value(new_value)]
        if new_note != old_note:
            changed[code].append("note")
        if row is None:
            ReportValue.objects.create(report=report, indicator=catalog[code], value=new_value, note=new_note)
        elif new_value is None and not new_note:
            row.delete()
        else:
            row.value, row.note = new_value, new_note
            row.save(update_fields=["value", "note"])
    return changed


def _apply_sections(report: Report, sections: Mapping[str, str]) -> list[str]:
    existing = {s.area: s for s in report.sections.all()}
    changed = []
    for area, text in sections.items():
        text = (text or "").strip()
        row = existing.get(area)
        if (row.text if row else "") == text:
            continue
        changed.append(area)
        if row is None:
            ReportSection.objects.create(report=report, area=area, text=text)
        elif not text:
            row.delete()
        else:
            row.text = text
            row.save(update_fields=["text"])
    return changed


def _clean_inputs(values, notes, sections, catalog) -> tuple[dict, dict, dict]:
    errors: dict[str, list[str]] = {}
    clean_values: dict[str, Decimal | None] = {}
    for code, raw in (values or {}).items():
        if code not in catalog:
            errors.setdefault(code, []).append(_("Unknown indicator."))
            continue
        try:
            clean_values[code] = parse_decimal(raw, field_name=code)
        except ValidationError as exc:
            errors.setdefault(code, []).extend(exc.message_dict[code])
    for code in notes or {}:
        if code not in catalog:
            errors.setdefault(code, []).append(_("Unknown indicator."))
    for area in sections or {}:
        if area not in SectionArea.values:
            errors.setdefault(area, []).append(_("Unknown section."))
    if errors:
        raise ValidationError(errors)
    return clean_values, dict(notes or {}), dict(sections or {})


@transaction.atomic
def report_save_values(
    *,
    user,
    report: Report,
    values: Mapping[str, Decimal | str | None] | None = None,
    notes: Mapping[str, str] | None = None,
    sections: Mapping[str, str] | None = None,
    remarks: str | None = None,
    expected_version: int | None = None,
) -> ValidationResult:
    """Save a draft (or returned) report as it is, errors and all: drafts may be incomplete.

    Only the indicators, notes and sections given are touched (None clears a value).
    Returns the full validation of the saved state, which the form shows; submission is
    where errors block. Numbers that cannot be read are refused (nothing saved).
    `expected_version` is the report version the editor loaded: when someone (or an import)
    saved since, nothing is saved (VersionConflict) rather than overwriting their work;
    None skips the check (system code).
    """
    report = _lock(report)
    scoping.require(user, Action.EDIT_OWN_REPORT, region=report.region)
    if report.status not in EDITABLE_STATUSES:
        raise InvalidTransition(_("Only a draft or returned report can be edited."))
    conflicts.check_version(report, expected_version)
    catalog = {i.code: i for i in indicators()}
    clean_values, clean_notes, clean_sections = _clean_inputs(values, notes, sections, catalog)
    changed = _apply_values(report, clean_values, clean_notes, catalog)
    changed_sections = _apply_sections(report, clean_sections)
    changed_remarks = remarks is not None and remarks.strip() != report.remarks
    if changed_remarks:
        report.remarks = remarks.strip()
    if changed or changed_sections or changed_remarks:
        report.save()  # bumps updated_at
        _event(
            report,
            EventKind.SAVED,
            user,
            data={"values": changed, "sections": changed_sections, "remarks": bool(changed_remarks)},
        )
    return report_validate(report)


# --- workflow ------------------------------------------------------------------------------


@transaction.atomic
def report_submit(*, user, report: Report) -> Report:
    """The region's staff submit a draft or returned report; full validation must pass."""
    report = _lock(report)
    scoping.require(user, Action.EDIT_OWN_REPORT, region=report.region)
    if report.status not in EDITABLE_STATUSES:
        raise InvalidTransition(_("Only a draft or returned report can be submitted."))
    result = _require_valid(report)
    resubmitted = report.status == ReportStatus.RETURNED
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.return_reason, report.return_field_reasons = "", {}
    report.save()
    _event(
        report,
        EventKind.SUBMITTED,
        user,
        data={"resubmitted": resubmitted, "warnings": [f"{w.field}: {w.message}" for w in result.warnings]},
    )
    return report


def _reviewer_action(report: Report) -> Action | None:
    """Who reviews the report in its current state: the city (county reports) or the province."""
    if report.status == ReportStatus.SUBMITTED and report.region.level == RegionLevel.COUNTY:
        return Action.REVIEW_COUNTY_REPORT
    if report.status == ReportStatus.FORWARDED or report.status == ReportStatus.SUBMITTED:
        return Action.APPROVE_REPORT
    return None


def _require_reviewer(user, report: Report, wanted: Action | None) -> None:
    """403 unless the user holds the reviewer action here; 409 when the state is not theirs to act on.

    `wanted` is the action of the step (forward: the city's, approve: the province's); None
    for a return, which whoever reviews the report in its current state may do.
    """
    region = report.region
    candidates = [wanted] if wanted else [Action.REVIEW_COUNTY_REPORT, Action.APPROVE_REPORT]
    if not any(scoping.can(user, a, region=region) for a in candidates):
        raise PermissionDenied(_("You may not review this report."))
    needed = _reviewer_action(report)
    if (
        needed is not None
        and (wanted is None or needed == wanted)
        and scoping.can(user, needed, region=region)
    ):
        return
    if needed == Action.REVIEW_COUNTY_REPORT:
        raise InvalidTransition(_("The city reviews this report first."))
    if needed == Action.APPROVE_REPORT and report.status == ReportStatus.FORWARDED:
        raise InvalidTransition(_("The report has been forwarded; the province reviews it now."))
    raise InvalidTransition(
        _("This step is not possible while the report is %(status)s.")
        % {"status": report.get_status_display()}
    )


@transaction.atomic
def report_forward(*, user, report: Report, comment: str = "") -> Report:
    """City staff forward a submitted county report of their city to the province."""
    report = _lock(report)
    _require_reviewer(user, report, Action.REVIEW_COUNTY_REPORT)
    report.status = ReportStatus.FORWARDED
    report.forwarded_at = timezone.now()
    report.save()
    _event(report, EventKind.FORWARDED, user, reason=comment.strip())
    return report


@transaction.atomic
def report_return(
    *, user, report: Report, reason: str, field_reasons: Mapping[str, str] | None = None
) -> Report:
    """A reviewer returns the report for revision, with a reason and optionally one per field."""
    report = _lock(report)
    _require_reviewer(user, report, None)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for returning the report.")})
    known = {i.code for i in indicators()} | set(SectionArea.values)
    field_reasons = {k: v.strip() for k, v in (field_reasons or {}).items() if v and v.strip()}
    unknown = sorted(set(field_reasons) - known)
    if unknown:
        raise ValidationError({"field_reasons": _("Unknown fields: %(f)s.") % {"f": ", ".join(unknown)}})
    report.status = ReportStatus.RETURNED
    report.return_reason, report.return_field_reasons = reason, field_reasons
    report.save()
    _event(report, EventKind.RETURNED, user, reason=reason, field_reasons=field_reasons)
    return report


def _send_approved(report: Report) -> None:
    region_id, year, report_id = report.region_id, report.year, report.pk
    transaction.on_commit(
        lambda: report_approved.send(sender=Report, region_id=region_id, year=year, report_id=report_id)
    )


def _send_approved_together(reports: list[Report], reason: str) -> None:
    """One `reports_approved` on commit for reports approved together (an import): one recompute."""
    region_ids = sorted({r.region_id for r in reports})
    report_ids = [r.pk for r in reports]
    transaction.on_commit(
        lambda: reports_approved.send(
            sender=Report, region_ids=region_ids, report_ids=report_ids, reason=reason
        )
    )


def _approve_locked(user, report: Report, *, data: dict | None = None, notify: bool = True) -> Report:
    """Approve a locked report; `notify=False` when the caller sends one signal for many reports."""
    _require_valid(report)
    report.status = ReportStatus.APPROVED
    report.approved_at = timezone.now()
    report.approved_by = user
    report.return_reason, report.return_field_reasons = "", {}
    report.save()
    _event(report, EventKind.APPROVED, user, data=data)
    if notify:
        _send_approved(report)
    return report


@transaction.atomic
def report_approve(*, user, report: Report) -> Report:
    """A provincial official approves a forwarded county report or a submitted city/province report.

    The approved revision replaces the one in force; `report_approved` is sent on commit.
    """
    report = _lock(report)
    _require_reviewer(user, report, Action.APPROVE_REPORT)
    return _approve_locked(user, report)


def _open_revision_locked(user, report: Report, reason: str) -> Report:
    if report.status != ReportStatus.APPROVED:
        raise InvalidTransition(_("Only an approved report can be revised."))
    if Report.objects.filter(
        region_id=report.region_id, year=report.year, revision__gt=report.revision
    ).exists():
        raise InvalidTransition(_("A later revision of this report already exists."))
    revision = Report.objects.create(
        region_id=report.region_id,
        year=report.year,
        revision=report.revision + 1,
        previous=report,
        revision_reason=reason,
        remarks=report.remarks,
        created_by=user,
    )
    ReportValue.objects.bulk_create(
        ReportValue(report=revision, indicator_id=v.indicator_id, value=v.value, note=v.note)
        for v in report.values.all()
    )
    ReportSection.objects.bulk_create(
        ReportSection(report=revision, area=s.area, text=s.text) for s in report.sections.all()
    )
    Attachment.objects.bulk_create(
        Attachment(
            report=revision,
            file=a.file.name,
            original_name=a.original_name,
            description=a.description,
            content_type=a.content_type,
            extension=a.extension,
            size=a.size,
            sha256=a.sha256,
            uploaded_by=a.uploaded_by,
        )
        for a in report.attachments.all()
    )
    _event(revision, EventKind.REVISION_OPENED, user, reason=reason, data={"from_revision": report.revision})
    return revision


@transaction.atomic
def report_open_revision(*, user, report: Report, reason: str) -> Report:
    """Correct an approved report: a new draft revision, copied from it, with a reason.

    The approved revision stays unchanged and in force until the new one is approved.
    """
    report = _lock(report)
    scoping.require(user, Action.OPEN_REVISION, region=report.region)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the revision.")})
    return _open_revision_locked(user, report, reason)


# --- attachments ---------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, user, report: Report, upload, description: str = "") -> Attachment:
    """Attach a PDF, xlsx, docx, PNG or JPEG file (checked by content, size-limited) to an editable report."""
    report = _lock(report)
    scoping.require(user, Action.EDIT_OWN_REPORT, region=report.region)
    if report.status not in EDITABLE_STATUSES:
        raise InvalidTransition(_("Attachments can only change while the report is a draft or returned."))
    checked = files.check_upload(upload, field="file", max_bytes=ATTACHMENT_MAX_BYTES)
    attachment = Attachment(
        report=report,
        original_name=checked.name,
        description=(description or "").strip()[:200],
        content_type=checked.kind.content_type,
        extension=checked.kind.extension,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    name = checked.name
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _event(report, EventKind.ATTACHMENT_ADDED, user, data={"name": name, "sha256": attachment.sha256})
    return attachment


@transaction.atomic
def attachment_remove(*, user, attachment: Attachment) -> None:
    """Remove an attachment from an editable report (the file stays while an earlier revision uses it)."""
    report = _lock(attachment.report)
    scoping.require(user, Action.EDIT_OWN_REPORT, region=report.region)
    if report.status not in EDITABLE_STATUSES:
        raise InvalidTransition(_("Attachments can only change while the report is a draft or returned."))
    name, stored = attachment.original_name, attachment.file.name
    attachment.delete()
    _event(report, EventKind.ATTACHMENT_REMOVED, user, data={"name": name})
    if not Attachment.objects.filter(file=stored).exists():
        storage = attachment.file.storage
        transaction.on_commit(lambda: storage.delete(stored))


# --- import --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    rows: int = 0
    created: list[Report] = field(default_factory=list)
    updated: list[Report] = field(default_factory=list)
    unchanged: list[Report] = field(default_factory=list)
    revised: list[Report] = field(default_factory=list)
    approved: list[Report] = field(default_factory=list)
    submitted: list[Report] = field(default_factory=list)

    def summary(self) -> str:
        return _(
            "%(rows)d rows: %(created)d reports created, %(updated)d updated (%(revised)d by a new "
            "revision), %(unchanged)d unchanged; %(submitted)d submitted, %(approved)d approved."
        ) % {
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "revised": len(self.revised),
            "unchanged": len(self.unchanged),
            "submitted": len(self.submitted),
            "approved": len(self.approved),
        }


def values_import(*, user, file, filename: str, approve: bool = False, submit: bool = False) -> ImportResult:
    """Create or update the reports of the regions and years in a values file (exchange.md).

    All-or-nothing: every row is checked (format, region, indicator, number, duplicates,
    permission, report state) and every affected report is validated as a whole with the
    same rules as submission; any error rejects the file (ImportRejected, nothing saved).
    Resulting state: a new or draft/returned report keeps being edited by its region
    (draft, or submitted with `submit`); with `approve` (IMPORT_APPROVE) each report is
    approved, an approved one through a new revision "imported by …". Without `approve`,
    rows for reports under review or approved are refused. Unchanged approved reports are
    left alone, so importing the same file twice is harmless.
    """
    if scoping.scope_of(user, Action.IMPORT_VALUES) is None:
        raise PermissionDenied(_("You may not import values."))
    if approve and scoping.scope_of(user, Action.IMPORT_APPROVE) is None:
        raise PermissionDenied(_("You may not approve imported values."))
    table = imports.read_values_file(file, filename)
    plan = imports.plan_import(user=user, table=table, approve=approve, submit=submit)
    try:
        return _apply_import(
            user=user, plan=plan, filename=filename, approve=approve, submit=submit, rows=len(table.rows)
        )
    except IntegrityError:  # a report of the file was created concurrently
        raise file_error(_("Reports changed while importing; nothing was saved. Try again.")) from None


@transaction.atomic
def _apply_import(*, user, plan, filename: str, approve: bool, submit: bool, rows: int) -> ImportResult:
    catalog = {i.code: i for i in indicators()}
    result = ImportResult(rows=rows)
    locked = {
        r.pk: r
        for r in Report.objects.select_for_update()
        .select_related("region")
        .filter(pk__in=[g.report_id for g in plan if g.report_id])
        .order_by("pk")
    }
    imports.plan_import_recheck(plan, locked)  # states may have moved since the checks; reject if so
    note = _("imported by %(user)s from %(file)s") % {"user": user.get_username(), "file": filename}
    for group in plan:
        if group.unchanged:
            result.unchanged.append(locked[group.report_id])
            continue
        if group.report_id is None:
            report = Report.objects.create(region=group.region, year=group.year, created_by=user)
            _event(report, EventKind.CREATED, user, reason=note)
            result.created.append(report)
        else:
            report = locked[group.report_id]
            if report.status == ReportStatus.APPROVED:
                report = _open_revision_locked(user, report, note)
                result.revised.append(report)
            result.updated.append(report)
        changed = _apply_values(report, group.values, group.notes, catalog)
        report.save()
        _event(
            report,
            EventKind.IMPORTED,
            user,
            reason=note,
            data={"file": filename, "rows": group.row_numbers, "values": changed},
        )
        if approve:
            _approve_locked(user, report, data={"import": filename}, notify=False)
            result.approved.append(report)
        elif submit and report.status in EDITABLE_STATUSES:
            report.status = ReportStatus.SUBMITTED
            report.submitted_at = timezone.now()
            report.return_reason, report.return_field_reasons = "", {}
            report.save()
            _event(report, EventKind.SUBMITTED, user, reason=note)
            result.submitted.append(report)
    if result.approved:
        _send_approved_together(result.approved, reason=f"import {filename}")
    return result


def allowed_actions(user, report: Report) -> set[str]:
    """The workflow steps `user` may take on `report` now (which buttons the page shows).

    The same checks as the services, without writing; the services check again.
    """
    region = report.region
    actions: set[str] = set()
    if report.status in EDITABLE_STATUSES and scoping.can(user, Action.EDIT_OWN_REPORT, region=region):
        actions |= {"edit", "submit"}
    needed = _reviewer_action(report)
    if needed is not None and scoping.can(user, needed, region=region):
        actions.add("return")
        actions.add("forward" if needed == Action.REVIEW_COUNTY_REPORT else "approve")
    if (
        report.status == ReportStatus.APPROVED
        and scoping.can(user, Action.OPEN_REVISION, region=region)
        and not Report.objects.filter(region=region, year=report.year, revision__gt=report.revision).exists()
    ):
        actions.add("open-revision")
    return actions
