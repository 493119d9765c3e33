"""Reading and checking values files (exchange.md "Values"): CSV (UTF-8, optional BOM) or the
first sheet of an xlsx workbook, columns `region_code,year,indicator,value[,note]`.

Files are read as a stream with caps on bytes, unpacked size and rows, so a huge or hostile
file costs bounded memory and ends in one clear file-level error. Rows are numbered as a
spreadsheet shows them (header = row 1). Nothing here writes; services.values_import does.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.scoping import Action
from apps.regions.models import Region
from apps.regions.selectors import by_codes

from . import selectors
from .models import EDITABLE_STATUSES, Report, ReportStatus
from .services import FIRST_YEAR, ImportRejected, RowError, indicators, parse_decimal
from .validation import validate

MAX_BYTES = getattr(settings, "REPORTS_IMPORT_MAX_BYTES", 16 * 1024 * 1024)
MAX_ROWS = getattr(settings, "REPORTS_IMPORT_MAX_ROWS", 200_000)
MAX_UNPACKED_BYTES = getattr(settings, "REPORTS_IMPORT_MAX_UNPACKED_BYTES", 256 * 1024 * 1024)
MAX_ERRORS = 500  # beyond this the file is clearly the wrong one; say how many more

REQUIRED_COLUMNS = ("region_code", "year", "indicator", "value")
OPTIONAL_COLUMNS = ("note",)
# Columns our own exports add for people; accepted and ignored on import.
INFORMATIONAL_COLUMNS = ("region_name", "indicator_name", "unit", "revision", "status")


@dataclass
class Row:
    row: int
    region_code: str
    year: object
    indicator: str
    value: object
    note: str


def _reject(message: str, row: int | None = None):
    raise ImportRejected([RowError(row, message)])


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(cells, where: str) -> dict[str, int]:
    names = [_cell_text(c).lower() for c in cells]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        _reject(
            _("%(where)s does not have the columns %(columns)s (header row: %(found)s).")
            % {
                "where": where,
                "columns": ",".join(REQUIRED_COLUMNS),
                "found": ",".join(n[:20] for n in names[:8] if n) or _("empty"),
            },
            1,
        )
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS) | set(INFORMATIONAL_COLUMNS)
    unknown = [n for n in names if n and n not in known]
    if unknown:
        _reject(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown[:10])}, 1)
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        _reject(_("Columns appear twice: %(columns)s.") % {"columns": ", ".join(duplicated)}, 1)
    return {n: i for i, n in enumerate(names) if n}


def _rows_from(records, where: str) -> list[Row]:
    """Records (lists of cells, header first) → Rows; skips blank lines; caps the row count."""
    iterator = iter(records)
    try:
        header_cells = next(iterator)
    except StopIteration:
        _reject(_("The file is empty."))
    columns = _header(header_cells, where)
    width = max(columns.values()) + 1
    rows: list[Row] = []
    errors: list[RowError] = []
    for number, cells in enumerate(iterator, start=2):
        cells = list(cells)
        if not any(_cell_text(c) for c in cells):
            continue
        if number - 1 > MAX_ROWS:
            _reject(_("The file has more than %(n)d rows; split it.") % {"n": MAX_ROWS})
        if len(cells) > width and any(_cell_text(c) for c in cells[width:]):
            errors.append(RowError(number, _("More cells than columns in the header.")))
            continue
        cells = cells + [None] * (width - len(cells))
        note_index = columns.get("note")
        rows.append(
            Row(
                row=number,
                region_code=_cell_text(cells[columns["region_code"]]),
                year=cells[columns["year"]],
                indicator=_cell_text(cells[columns["indicator"]]),
                value=cells[columns["value"]],
                note=_cell_text(cells[note_index]) if note_index is not None else "",
            )
        )
    if errors:
        raise ImportRejected(errors)
    if not rows:
        _reject(_("The file has no data rows."))
    return rows


def _text_lines(binary, limit: int):
    """Decode a binary stream as UTF-8 (BOM accepted) line by line, at most `limit` bytes."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    buffer, total, line_no = "", 0, 1
    while True:
        chunk = binary.read(64 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            _reject(_("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)})
        try:
            buffer += decoder.decode(chunk)
        except UnicodeDecodeError:
            _reject(_("The file is not UTF-8 text (near line %(n)d). Save it as CSV UTF-8.") % {"n": line_no})
        *lines, buffer = buffer.split("\n")
        for line in lines:
            line_no += 1
            yield line + "\n"
    try:
        buffer += decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        _reject(_("The file is not UTF-8 text (near line %(n)d). Save it as CSV UTF-8.") % {"n": line_no})
    if buffer:
        yield buffer


def _read_csv(binary) -> list[Row]:
    reader = csv.reader(_text_lines(binary, MAX_BYTES), strict=True)

    def records():
        while True:
            try:
                yield next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                _reject(_("Malformed CSV near line %(n)d: %(error)s.") % {"n": reader.line_num, "error": exc})

    return _rows_from(records(), _("The CSV file"))


def _read_xlsx(binary) -> list[Row]:
    from openpyxl import load_workbook

    data = binary.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        _reject(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    buffer = io.BytesIO(data)
    try:
        with zipfile.ZipFile(buffer) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        _reject(_("The file is not a readable xlsx workbook."))
    if "xl/workbook.xml" not in names:
        _reject(_("The file is not a readable xlsx workbook."))
    if unpacked > MAX_UNPACKED_BYTES:
        _reject(_("The workbook is too large when unpacked."))
    buffer.seek(0)
    try:
        workbook = load_workbook(buffer, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on broken files
        _reject(_("The file is not a readable xlsx workbook."))
    try:
        if not workbook.worksheets:
            _reject(_("The workbook has no sheets."))
        sheet = workbook.worksheets[0]
        others = [ws.title for ws in workbook.worksheets[1:]]
        where = _("The first sheet “%(name)s”") % {"name": sheet.title}
        if others:
            where += _(" (the values must be on the first sheet; other sheets: %(others)s)") % {
                "others": ", ".join(others[:5])
            }
        try:
            return _rows_from(sheet.iter_rows(values_only=True), where)
        except ImportRejected:
            raise
        except Exception:
            _reject(_("The file is not a readable xlsx workbook."))
    finally:
        workbook.close()


def read_values_file(file, filename: str) -> list[Row]:
    """Rows of a values file; the format is told by the content (xlsx is a zip), not the name."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        _reject(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if hasattr(file, "seek"):
        file.seek(0)
    head = file.read(4)
    file.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(file)
    if (filename or "").lower().endswith((".xlsx", ".xls", ".xlsm")):
        _reject(_("The file is not a readable xlsx workbook (save it as .xlsx or CSV UTF-8)."))
    return _read_csv(file)


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
    text = _cell_text(raw)
    return int(text) if text.isdigit() and len(text) == 4 else None


def plan_import(*, user, rows: list[Row], approve: bool, submit: bool) -> list[ImportGroup]:
    """Check every row and every affected report; ImportRejected lists all problems."""
    errors: list[RowError] = []
    catalog = {i.code: i for i in indicators()}
    regions = by_codes({r.region_code for r in rows if r.region_code})
    last_year = timezone.localdate().year
    permitted: dict[int, bool] = {}
    groups: dict[tuple[int, int], ImportGroup] = {}
    seen: dict[tuple[int, int, str], int] = {}

    for row in rows:
        row_errors: list[str] = []
        region = regions.get(row.region_code)
        if not row.region_code:
            row_errors.append(_("region_code is empty."))
        elif region is None:
            row_errors.append(_("Unknown region code “%(code)s”.") % {"code": row.region_code[:20]})
        year = _year(row.year)
        if year is None:
            row_errors.append(_("year “%(year)s” is not a year.") % {"year": _cell_text(row.year)[:20]})
        elif not FIRST_YEAR <= year <= last_year:
            row_errors.append(_("year must be between %(a)d and %(b)d.") % {"a": FIRST_YEAR, "b": last_year})
        if row.indicator not in catalog:
            row_errors.append(_("Unknown indicator “%(code)s”.") % {"code": row.indicator[:40]})
        value = None
        if isinstance(row.value, datetime | date):
            row_errors.append(_("value is a date, not a number."))
        else:
            try:
                value = parse_decimal(row.value, field_name="value")
            except ValidationError as exc:
                row_errors.extend(f"value: {m}" for m in exc.message_dict["value"])
            else:
                if value is None:
                    row_errors.append(_("value is empty."))
        if region is not None:
            if region.pk not in permitted:
                permitted[region.pk] = scoping.can(user, Action.IMPORT_VALUES, region=region) and (
                    not approve or scoping.can(user, Action.IMPORT_APPROVE, region=region)
                )
            if not permitted[region.pk]:
                row_errors.append(
                    _("You may not import values for %(name)s (%(code)s).")
                    % {"name": region.name, "code": region.code}
                )
        if region is not None and year is not None and row.indicator in catalog:
            key = (region.pk, year, row.indicator)
            if key in seen:
                row_errors.append(_("Duplicate of row %(row)d.") % {"row": seen[key]})
            else:
                seen[key] = row.row
        if row_errors:
            errors.extend(RowError(row.row, m) for m in row_errors)
            continue
        group = groups.setdefault((region.pk, year), ImportGroup(region=region, year=year))
        group.rows[row.indicator] = row.row
        group.values[row.indicator] = value
        if row.note:
            group.notes[row.indicator] = row.note
        if len(errors) > MAX_ERRORS:
            break
    if errors:
        _raise_capped(errors)

    plan = sorted(groups.values(), key=lambda g: (g.region.path, g.year))
    _attach_reports(plan)
    _check_states_and_rules(plan, catalog, user=user, approve=approve, submit=submit, errors=errors)
    if errors:
        _raise_capped(sorted(errors, key=lambda e: e.row or 0))
    return plan


def _raise_capped(errors: list[RowError]):
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        errors = [*errors[:MAX_ERRORS], RowError(None, _("… and %(n)d more errors.") % {"n": more})]
    raise ImportRejected(errors)


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
    previous_years = {g.year - 1 for g in plan}
    in_force: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for region_id, year, code, value in selectors.approved_values(
        region_ids=region_ids, years=previous_years
    ):
        in_force[(region_id, year)][code] = value
    merged_by_key: dict[tuple[int, int], dict] = {}
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
        previous = (
            merged_by_key.get((group.region.pk, group.year - 1))
            or in_force[(group.region.pk, group.year - 1)]
        )
        previous = {k: v for k, v in previous.items() if v is not None}
        result = validate(values, notes=notes, indicators=indicator_list, previous=previous)
        for issue in result.errors:
            row = group.rows.get(issue.field, group.first_row)
            where = "" if issue.field in group.rows else _(" (not in the file)")
            errors.append(RowError(row, f"{label} {issue.field}{where}: {issue.message}"))


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
                    _("The report %(r)s changed while importing; try again.") % {"r": g.region.code},
                )
                for g in moved
            ]
        )
