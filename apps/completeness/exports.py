"""The completeness grid and the reminder log as xlsx workbooks (the UI and the API serve the same files).

Written through `apps.core.exports` like every download, so text cells are formula-escaped.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exports import Sheet, xlsx_bytes, xlsx_workbook

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
    grid_sheet = Sheet(
        title=_("Completeness"),
        columns=[_("Code"), _("Region"), _("Level"), *[str(c.year) for c in grid.columns]],
        rows=[deadlines, *regions, [], *counts],
        widths=[10, 22, 10, *[24] * years],
        freeze="D3",
    )
    info_rows = [[c.year, c.due_date, c.deadline.note if c.deadline else ""] for c in grid.columns]
    info_sheet = Sheet(
        title=_("Deadlines"),
        columns=[_("Report year"), _("Due date"), _("Note")],
        rows=[*info_rows, [], [_("Generated on"), grid.today]],
    )
    workbook = xlsx_workbook([grid_sheet, info_sheet])
    sheet = workbook.worksheets[0]
    bold = Font(bold=True)
    for cell in sheet[2]:
        cell.font = bold
    for offset, row in enumerate(grid.rows):
        for i, c in enumerate(row.cells):
            sheet.cell(row=3 + offset, column=4 + i).fill = PatternFill("solid", fgColor=FILLS[c.state])
    first_count = 3 + len(regions) + 1
    for number in range(first_count, first_count + len(counts)):
        sheet.cell(row=number, column=2).font = bold
    return xlsx_bytes(workbook)


def reminder_workbook(logs) -> bytes:
    """The reminder log (an iterable of ReminderLog with their region) as an xlsx workbook."""
    rows = (
        [
            timezone.localtime(log.sent_at),
            log.region.code,
            log.region.name,
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
        _("Region code"),
        _("Region"),
        _("Report year"),
        _("Kind"),
        _("Due date"),
        _("Recipients"),
        _("Staff without an e-mail address"),
    ]
    return xlsx_bytes(xlsx_workbook([Sheet(title=_("Reminders"), columns=columns, rows=rows)]))
