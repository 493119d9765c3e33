"""The tip statistics as an xlsx (one sheet per breakdown), through the portal's one writer."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.core.exports import filter_text, people_sheet, xlsx_bytes, xlsx_workbook

from .tips import TipStatistics

__all__ = ["statistics_workbook"]


def statistics_workbook(stats: TipStatistics, *, scope_label: str, year: int | None) -> bytes:
    """One sheet per breakdown, each with the title, the filters, the data version and the time."""
    filters = [
        filter_text(_("Scope"), scope_label),
        filter_text(_("Year received"), year or _("All years")),
    ]
    totals = [_("Total: %(total)s; overdue: %(overdue)s") % {"total": stats.total, "overdue": stats.overdue}]
    count = _("Tips")

    def sheet(title, columns, rows):
        return people_sheet(
            _("Tips (举报): counts") + " · " + str(title),
            columns,
            rows,
            filters=filters,
            notes=totals,
            sheet_title=title,
        )

    sheets = [
        sheet(
            _("By status"),
            [_("Status"), _("Code"), count],
            [(label, code, n) for code, label, n in stats.by_status],
        ),
        sheet(
            _("By category"),
            [_("Category"), _("Code"), count],
            [(label, code, n) for code, label, n in stats.by_category],
        ),
        sheet(
            _("By region"),
            [_("Region"), _("Region code"), count],
            [(name, code, n) for code, name, n in stats.by_region],
        ),
        sheet(_("By department"), [_("Region"), _("Department"), count], stats.by_department),
    ]
    return xlsx_bytes(xlsx_workbook(sheets))
