"""The completeness grid and the reminder log as xlsx workbooks (the UI and the API serve the same files).

Written through `apps.core.exports` like every download, so text cells are formula-escaped.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.core.exports import (
    filter_text,
    labelled_filter_texts,
    people_sheet,
    people_xlsx,
    xlsx_bytes,
    xlsx_workbook,
)
from apps.regions.models import Region, RegionLevel

from .models import ReminderKind
from .selectors import Cell, CellState, Grid

FILLS = {
    CellState.APPROVED: "C8E6C9",
    CellState.SUBMITTED: "BBDEFB",
    CellState.RETURNED: "FFE0B2",
    CellState.DRAFT: "FFF9C4",
    CellState.NOT_STARTED: "EEEEEE",
    CellState.NOT_SUBMITTED: "EEEEEE",
}


def cell_text(cell: Cell) -> str:
    """A cell as text: its state and, where they apply, late/overdue and the correction."""
    parts = [cell.label]
    if cell.submitted_on:
        parts.append(cell.submitted_on.isoformat())
    if cell.late:
        parts.append(_("late"))
    if cell.overdue:
        parts.append(_("overdue"))
    if cell.correction_state:
        parts.append(_("correction: %(state)s") % {"state": cell.correction_state.label})
    return " · ".join(parts)


def grid_filter_texts(grid: Grid) -> list[str]:
    """The grid's filters as people read them (the city by name, the level by its label)."""
    f = grid.filters
    texts = [filter_text(_("Report years"), f"{f.year_from}–{f.year_to}")]
    if f.city:
        city = Region.objects.filter(code=f.city).only("name").first()
        texts.append(filter_text(_("City"), f"{city.name}（{f.city}）" if city else f.city))
    if f.level:
        texts.append(filter_text(_("Level"), dict(RegionLevel.choices).get(f.level, f.level)))
    return texts


def grid_workbook(grid: Grid) -> bytes:
    """The grid as an xlsx workbook: the grid with per-year counts, and the deadlines.

    The state of each cell is written as text and also shown by its fill (never colour alone).
    """
    from openpyxl.styles import Font, PatternFill

    years = len(grid.columns)
    due = [c.due_date.isoformat() if c.due_date else "—" for c in grid.columns]
    deadlines = ["", _("Deadline"), "", *due]
    regions = [
        [row.region.code, row.region.name, str(row.region.get_level_display()), *map(cell_text, row.cells)]
        for row in grid.rows
    ]
    counts = [
        ["", str(label), "", *[c.counts[key] for c in grid.columns]]
        for key, label in [
            *[(s.value, s.label) for s in CellState],
            ("late", _("Late")),
            ("overdue", _("Overdue")),
        ]
    ]
    filters = grid_filter_texts(grid)
    grid_sheet = people_sheet(
        _("Report completeness"),
        [_("Code"), _("Region"), _("Level"), *[str(c.year) for c in grid.columns]],
        [deadlines, *regions, [], *counts],
        filters=filters,
        sheet_title=_("Completeness"),
        widths=[10, 22, 10, *[24] * years],
    )
    header_row = len(grid_sheet.preamble) + 1
    grid_sheet.freeze = f"D{header_row + 1}"  # the header and the region columns stay in view
    info_rows = [[c.year, c.due_date, c.deadline.note if c.deadline else ""] for c in grid.columns]
    info_sheet = people_sheet(
        _("Reporting deadlines"),
        [_("Report year"), _("Due date"), _("Note")],
        info_rows,
        filters=filters,
        sheet_title=_("Deadlines"),
    )
    workbook = xlsx_workbook([grid_sheet, info_sheet])
    sheet = workbook.worksheets[0]
    bold = Font(bold=True)
    for cell in sheet[header_row + 1]:
        cell.font = bold
    first_region = header_row + 2
    for offset, row in enumerate(grid.rows):
        for i, c in enumerate(row.cells):
            sheet.cell(row=first_region + offset, column=4 + i).fill = PatternFill(
                "solid", fgColor=FILLS[c.state]
            )
    first_count = first_region + len(regions) + 1
    for number in range(first_count, first_count + len(counts)):
        sheet.cell(row=number, column=2).font = bold
    return xlsx_bytes(workbook)


def reminder_filter_texts(params) -> list[str]:
    """The reminder log's filters (`year`, `region`, `kind`) as people read them."""
    values = {key: (params.get(key) or "").strip() for key in ("year", "region", "kind")}
    region = Region.objects.filter(code=values["region"]).only("name").first() if values["region"] else None
    return labelled_filter_texts(
        values,
        {"year": _("Report year"), "region": _("Region"), "kind": _("Kind")},
        {
            "region": {region.code: f"{region.name}（{region.code}）"} if region else {},
            "kind": dict(ReminderKind.choices),
        },
    )


def reminder_workbook(logs, *, filters: list[str] = ()) -> bytes:
    """The reminder log (an iterable of ReminderLog with their region) as an xlsx workbook."""
    rows = (
        [
            log.sent_at,
            log.region.name,
            log.region.code,
            log.year,
            str(log.get_kind_display()),
            log.due_date,
            ", ".join(log.recipients),
            ", ".join(log.skipped),
        ]
        for log in logs
    )
    columns = [
        _("Sent at"),
        _("Region"),
        _("Region code"),
        _("Report year"),
        _("Kind"),
        _("Due date"),
        _("Recipients"),
        _("Staff without an e-mail address"),
    ]
    return people_xlsx(_("Reminder log"), columns, rows, filters=filters, sheet_title=_("Reminders"))
