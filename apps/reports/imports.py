"""Reading and checking values files (exchange.md "Values"): CSV (UTF-8, optional BOM) or the
first sheet of an xlsx workbook, columns `region_code,year,indicator,value[,note]`.

The file is read by the one table reader (`apps.core.tables`). Every problem is reported
in one pass: rows that cannot be read or checked, and the validation rules over the rows
that could be, each naming every row it involves. Nothing here writes; services does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.core.tables import Columns, ImportRejected, Limits, RowError, Table, TableRow, cell_text, read_table
from apps.regions.models import Region
from apps.regions.selectors import by_codes

from . import selectors
from .models import EDITABLE_STATUSES, Report, ReportStatus
from .selectors import indicators
from .validation import FIRST_YEAR, parse_decimal, validate

MAX_BYTES = getattr(settings, "REPORTS_IMPORT_MAX_BYTES", 16 * 1024 * 1024)
MAX_ROWS = getattr(settings, "REPORTS_IMPORT_MAX_ROWS", 200_000)
MAX_UNPACKED_BYTES = getattr(settings, "REPORTS_IMPORT_MAX_UNPACKED_BYTES", 256 * 1024 * 1024)
MAX_ERRORS = 500  # beyond this the file is clearly the wrong one; say how many more

REQUIRED_COLUMNS = ("region_code", "year", "indicator", "value")
OPTIONAL_COLUMNS = ("note",)
# Columns our own exports add for people; accepted and ignored on import.
INFORMATIONAL_COLUMNS = ("region_name", "indicator_name", "unit", "revision", "status")
# The values xlsx for people (reports.workbook): its headers in the user's language, in order, and
# the column each stands for, so that the file imports again as it is (title lines above skipped).
PEOPLE_VALUE_COLUMNS = (
    (gettext_lazy("Region"), "region_name"),
    (gettext_lazy("Region code"), "region_code"),
    (gettext_lazy("Year"), "year"),
    (gettext_lazy("Indicator name"), "indicator_name"),
    (gettext_lazy("Indicator code"), "indicator"),
    (gettext_lazy("Value"), "value"),
    (gettext_lazy("Unit"), "unit"),
    (gettext_lazy("Note"), "note"),
    (gettext_lazy("Revision"), "revision"),
    (gettext_lazy("Status"), "status"),
)
COLUMNS = Columns(
    required=REQUIRED_COLUMNS,
    optional=OPTIONAL_COLUMNS,
    ignored=INFORMATIONAL_COLUMNS,
    aliases=PEOPLE_VALUE_COLUMNS,
)


def read_values_file(file, filename: str) -> Table:
    """The rows of a values file (and the rows that could not be read), by the one table reader."""
    limits = Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_unpacked_bytes=MAX_UNPACKED_BYTES)
    return read_table(file, filename, columns=COLUMNS, limits=limits)


# --- checking a file against the database ---------------------------------------------------


@dataclass
class ImportGroup:
    """The rows of one region-year and what importing them will do."""

    region: Region
    year: int
    rows: dict[str, int] = field(default_factory=dict)  # indicator → row number
    values: dict[str, Decimal] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    report_id: int | None = None
    status: str | None = None
    revision: int | None = None
    unchanged: bool = False
    unreadable: set[str] = field(default_factory=set)  # indicators whose rows could not be read

    @property
    def first_row(self) -> int:
        return min(self.rows.values())

    @property
    def row_numbers(self) -> list[int]:
        return sorted(self.rows.values())


def _year(raw) -> int | None:
    if isinstance(raw, bool | datetime | date):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    text = cell_text(raw)
    return int(text) if text.isdigit() and len(text) == 4 else None


def plan_import(*, user, table: Table, approve: bool, submit: bool) -> list[ImportGroup]:
    """Check every row and every affected report; ImportRejected lists all problems at once.

    A row that cannot be read is reported and left out; the rules still run on the rows of
    its report that could be read, except those needing the unreadable value.
    """
    errors: list[RowError] = list(table.errors)
    catalog = {i.code: i for i in indicators()}
    rows = table.rows
    regions = by_codes({r.text("region_code") for r in rows if r.text("region_code")})
    last_year = timezone.localdate().year
    permitted: dict[int, bool] = {}
    groups: dict[tuple[int, int], ImportGroup] = {}
    unreadable: dict[tuple[int, int], set[str]] = defaultdict(set)  # (region, year) → indicators
    seen: dict[tuple[int, int, str], int] = {}

    for row in rows:
        row_errors = _row_errors(row, catalog, regions, last_year)
        code, indicator = row.text("region_code"), row.text("indicator")
        region, year = regions.get(code), _year(row["year"])
        if year is not None and not FIRST_YEAR <= year <= last_year:
            year = None
        value = None
        if not any(f == "value" for f, _m in row_errors):
            value = parse_decimal(row["value"], field_name="value")
        if region is not None:
            if region.pk not in permitted:
                permitted[region.pk] = scoping.can(user, Action.IMPORT_VALUES, region=region) and (
                    not approve or scoping.can(user, Action.IMPORT_APPROVE, region=region)
                )
            if not permitted[region.pk]:
                row_errors.append(
                    (
                        "region_code",
                        _("You may not import values for %(name)s (%(code)s).")
                        % {"name": region.name, "code": region.code},
                    )
                )
        if region is not None and year is not None and indicator in catalog:
            key = (region.pk, year, indicator)
            if key in seen:
                row_errors.append(("row", _("Duplicate of row %(row)d.") % {"row": seen[key]}))
            else:
                seen[key] = row.row
                if row_errors:
                    unreadable[(region.pk, year)].add(indicator)
        if row_errors:
            errors.extend(RowError(row.row, f, m) for f, m in row_errors)
            if len(errors) > MAX_ERRORS:
                raise ImportRejected.capped(errors, MAX_ERRORS)
            continue
        group = groups.setdefault((region.pk, year), ImportGroup(region=region, year=year))
        group.rows[indicator] = row.row
        group.values[indicator] = value
        note = row.text("note")
        if note:
            group.notes[indicator] = note
    for key, codes in unreadable.items():
        if key in groups:
            groups[key].unreadable = codes

    plan = sorted(groups.values(), key=lambda g: (g.region.path, g.year))
    _attach_reports(plan)
    _check_states_and_rules(plan, catalog, user=user, approve=approve, submit=submit, errors=errors)
    if errors:
        raise ImportRejected.capped(errors, MAX_ERRORS)
    return plan


def _row_errors(row: TableRow, catalog, regions, last_year: int) -> list[tuple[str, str]]:
    """(column, message) for each problem of one row on its own (no database state)."""
    problems: list[tuple[str, str]] = []
    code = row.text("region_code")
    if not code:
        problems.append(("region_code", _("region_code is empty.")))
    elif code not in regions:
        problems.append(("region_code", _("Unknown region code “%(code)s”.") % {"code": code[:20]}))
    year = _year(row["year"])
    if year is None:
        problems.append(("year", _("year “%(year)s” is not a year.") % {"year": row.text("year")[:20]}))
    elif not FIRST_YEAR <= year <= last_year:
        problems.append(
            ("year", _("year must be between %(a)d and %(b)d.") % {"a": FIRST_YEAR, "b": last_year})
        )
    indicator = row.text("indicator")
    if indicator not in catalog:
        problems.append(("indicator", _("Unknown indicator “%(code)s”.") % {"code": indicator[:40]}))
    raw = row["value"]
    if isinstance(raw, datetime | date):
        problems.append(("value", _("value is a date, not a number.")))
    else:
        try:
            value = parse_decimal(raw, field_name="value")
        except ValidationError as exc:
            problems.extend(("value", f"value: {m}") for m in exc.message_dict["value"])
        else:
            if value is None:
                problems.append(("value", _("value is empty.")))
    return problems


def _attach_reports(plan: list[ImportGroup]) -> None:
    """The latest revision of each group's region-year, with its values (two queries)."""
    region_ids = {g.region.pk for g in plan}
    years = {g.year for g in plan}
    latest: dict[tuple[int, int], Report] = {}
    for report in Report.objects.filter(region_id__in=region_ids, year__in=years).order_by("revision"):
        latest[(report.region_id, report.year)] = report
    for group in plan:
        report = latest.get((group.region.pk, group.year))
        if report is not None:
            group.report_id, group.status, group.revision = report.pk, report.status, report.revision


def _stored_values(report_ids) -> dict[int, tuple[dict, dict]]:
    from .models import ReportValue

    stored: dict[int, tuple[dict, dict]] = defaultdict(lambda: ({}, {}))
    for report_id, code, value, note in ReportValue.objects.filter(report_id__in=report_ids).values_list(
        "report_id", "indicator__code", "value", "note"
    ):
        stored[report_id][0][code] = value
        if note:
            stored[report_id][1][code] = note
    return stored


def _may_read_drafts(user, region: Region) -> bool:
    return scoping.can(user, Action.READ_DRAFT_REPORT, region=region)


def _check_states_and_rules(
    plan, catalog, *, user, approve: bool, submit: bool, errors: list[RowError]
) -> None:
    stored = _stored_values([g.report_id for g in plan if g.report_id])
    region_ids = {g.region.pk for g in plan}
    parent_ids = {g.region.parent_id for g in plan if g.region.parent_id}
    parents = {r.pk: r for r in Region.objects.filter(pk__in=parent_ids)}
    previous_years = {g.year - 1 for g in plan}
    in_force: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for region_id, year, code, value in selectors.approved_values(
        region_ids=region_ids, years=previous_years
    ):
        in_force[(region_id, year)][code] = value
    # The parents' values of both years (the parent-relative bounds): the file's, else in force.
    for region_id, year, code, value in selectors.approved_values(
        region_ids=set(parents), years=previous_years | {g.year for g in plan}
    ):
        in_force.setdefault((region_id, year), {}).setdefault(code, value)
    merged_by_key: dict[tuple[int, int], dict] = {}
    group_by_key = {(g.region.pk, g.year): g for g in plan}
    indicator_list = list(catalog.values())
    status_label = dict(ReportStatus.choices)

    for group in plan:
        label = f"{group.region.code} {group.year}"
        old_values, old_notes = stored[group.report_id] if group.report_id else ({}, {})
        values = {**old_values, **group.values}
        notes = {**old_notes, **group.notes}
        merged_by_key[(group.region.pk, group.year)] = values
        changed = any(old_values.get(c) != v for c, v in group.values.items()) or any(
            old_notes.get(c, "") != n for c, n in group.notes.items()
        )
        if group.status in EDITABLE_STATUSES and not _may_read_drafts(user, group.region):
            # A draft is private to its region (roles.md): others neither see nor overwrite it.
            errors.append(
                RowError(
                    group.first_row,
                    "region_code",
                    _(
                        "The report %(report)s is being prepared by its region: only the region's own "
                        "staff can import into it until it is submitted."
                    )
                    % {"report": label},
                )
            )
            continue
        if group.status in (ReportStatus.SUBMITTED, ReportStatus.FORWARDED) and not approve:
            errors.append(
                RowError(
                    group.first_row,
                    "region_code",
                    _(
                        "The report %(report)s is %(status)s: it is under review and can change only after "
                        "it is returned (or by an import with approval)."
                    )
                    % {"report": label, "status": status_label[group.status]},
                )
            )
            continue
        if group.status == ReportStatus.APPROVED:
            if not changed:
                group.unchanged = True
                continue
            if not approve:
                errors.append(
                    RowError(
                        group.first_row,
                        "region_code",
                        _(
                            "The report %(report)s is approved and differs from the file: open a revision "
                            "of it, or import with approval (a provincial official)."
                        )
                        % {"report": label},
                    )
                )
                continue
        if (
            not changed
            and group.report_id
            and not approve
            and not (submit and group.status in EDITABLE_STATUSES)
        ):
            group.unchanged = True
            continue
        previous = _known(group.region.pk, group.year - 1, merged_by_key, in_force)
        parent = parents.get(group.region.parent_id)
        result = validate(
            values,
            notes=notes,
            indicators=indicator_list,
            previous=previous,
            parent=_known(parent.pk, group.year, merged_by_key, in_force) if parent else {},
            parent_previous=_known(parent.pk, group.year - 1, merged_by_key, in_force) if parent else {},
            parent_name=parent.name if parent else "",
        )
        before = group_by_key.get((group.region.pk, group.year - 1))
        for issue in result.errors:
            error = _rule_error(group, before, issue, label, catalog)
            if error is not None:
                errors.append(error)


def _known(region_id: int, year: int, merged_by_key, in_force) -> dict[str, Decimal]:
    """A region-year's values as the import would leave them: the file's merged with the stored
    report's when the file has it, else the values in force."""
    values = merged_by_key.get((region_id, year)) or in_force.get((region_id, year)) or {}
    return {k: v for k, v in values.items() if v is not None}


def _rule_error(
    group: ImportGroup, before: ImportGroup | None, issue, label: str, catalog
) -> RowError | None:
    """A rule's error at the row of its field, naming every row of the file it involves.

    None when the rule needed a value whose row could not be read (that row is reported).
    """
    fields = (issue.field, *issue.involves)
    if group.unreadable.intersection(fields):
        return None
    if issue.previous_year and before is not None and issue.field in before.unreadable:
        return None
    rows = {group.rows[f] for f in fields if f in group.rows}
    if issue.previous_year and before is not None and issue.field in before.rows:
        rows.add(before.rows[issue.field])
    row = group.rows.get(issue.field, group.first_row)
    where = "" if issue.field in group.rows else _(" (not in the file)")
    name = catalog[issue.field].name if issue.field in catalog else issue.field
    message = _("%(report)s %(indicator)s%(where)s: %(message)s") % {
        "report": label,
        "indicator": name,
        "where": where,
        "message": issue.message,
    }
    if len(rows) > 1 or (rows and row not in rows):
        rows.add(row)
        message += _(" (rows %(rows)s)") % {"rows": ", ".join(str(r) for r in sorted(rows))}
    return RowError(row, issue.field, message, rows=tuple(sorted(rows | {row})))


def plan_import_recheck(plan: list[ImportGroup], locked: dict[int, Report]) -> None:
    """Under the row locks: the reports must still be where the checks found them."""
    moved = []
    for group in plan:
        if group.report_id is None:
            continue
        report = locked.get(group.report_id)
        if (
            report is None
            or report.status != group.status
            or Report.objects.filter(
                region_id=group.region.pk, year=group.year, revision__gt=group.revision
            ).exists()
        ):
            moved.append(group)
    if moved:
        raise ImportRejected(
            [
                RowError(
                    g.first_row,
                    "row",
                    _("The report %(r)s changed while importing; try again.") % {"r": g.region.code},
                )
                for g in moved
            ]
        )
