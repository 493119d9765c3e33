"""The completeness grid and the reminder log as xlsx workbooks (the UI and the API serve the same files)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from .selectors import Cell, CellState, Grid


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
    """The grid as an xlsx workbook: the grid with per-year counts, and the deadlines."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    fills = {
        CellState.APPROVED: "C8E6C9",
        CellState.SUBMITTED: "BBDEFB",
        CellState.RETURNED: "FFE0B2",
        CellState.DRAFT: "FFF9C4",
        CellState.NOT_STARTED: "EEEEEE",
        CellState.NOT_SUBMITTED: "EEEEEE",
    }
    wb = Workbook()
    ws = wb.active
    ws.title = _("Completeness")[:31]
    bold = Font(bold=True)
    header = [_("Code"), _("Region"), _("Level"), *[str(c.year) for c in grid.columns]]
    ws.append(header)
    ws.append(["", _("Deadline"), "", *[c.due_date.isoformat() if c.due_date else "—" for c in grid.columns]])
    for cell in ws[1] + ws[2]:
        cell.font = bold
    for row in grid.rows:
        ws.append(
            [
                row.region.code,
                row.region.name,
                str(row.region.get_level_display()),
                *[cell_text(c) for c in row.cells],
            ]
        )
        for i, c in enumerate(row.cells):
            ws.cell(row=ws.max_row, column=4 + i).fill = PatternFill("solid", fgColor=fills[c.state])
    ws.append([])
    for key, label in [
        *[(s.value, s.label) for s in CellState],
        ("late", _("Late")),
        ("overdue", _("Overdue")),
    ]:
        ws.append(["", str(label), "", *[c.counts[key] for c in grid.columns]])
        ws.cell(row=ws.max_row, column=2).font = bold
    ws.freeze_panes = "D3"
    ws.column_dimensions["B"].width = 22
    for i in range(len(grid.columns)):
        ws.column_dimensions[get_column_letter(4 + i)].width = 24

    info = wb.create_sheet(_("Deadlines")[:31])
    info.append([_("Report year"), _("Due date"), _("Note")])
    for cell in info[1]:
        cell.font = bold
    for col in grid.columns:
        info.append([col.year, col.due_date, col.deadline.note if col.deadline else ""])
    info.append([])
    info.append([_("Generated on"), grid.today])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def reminder_workbook(logs) -> bytes:
    """The reminder log (an iterable of ReminderLog with their region) as an xlsx workbook."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("Reminders")[:31]
    ws.append(
        [
            _("Sent at"),
            _("Region code"),
            _("Region"),
            _("Report year"),
            _("Kind"),
            _("Due date"),
            _("Recipients"),
            _("Staff without an e-mail address"),
        ]
    )
    for log in logs:
        ws.append(
            [
                timezone.localtime(log.sent_at).replace(tzinfo=None),
                log.region.code,
                log.region.name,
                log.year,
                str(log.get_kind_display()),
                log.due_date,
                ", ".join(log.recipients),
                ", ".join(log.skipped),
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
