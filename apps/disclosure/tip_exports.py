"""The tip statistics as an xlsx (one sheet per breakdown), through the portal's one writer."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exports import XLSX_CONTENT_TYPE, Sheet, xlsx_bytes, xlsx_workbook

from .tips import TipStatistics

__all__ = ["XLSX_CONTENT_TYPE", "statistics_workbook"]


def statistics_workbook(stats: TipStatistics, *, scope_label: str, year: int | None) -> bytes:
    preamble = [
        [_("Tips (举报): counts")],
        [_("Scope"), scope_label],
        [_("Year received"), year or _("All years")],
        [_("Generated"), timezone.localtime()],
        [_("Total"), stats.total, _("Overdue"), stats.overdue],
        [],
    ]
    count = _("Tips")
    sheets = [
        Sheet(
            _("By status"),
            [_("Status"), _("Code"), count],
            [(label, code, n) for code, label, n in stats.by_status],
            preamble=preamble,
        ),
        Sheet(
            _("By category"),
            [_("Category"), _("Code"), count],
            [(label, code, n) for code, label, n in stats.by_category],
            preamble=preamble,
        ),
        Sheet(
            _("By region"),
            [_("Region"), _("Code"), count],
            [(name, code, n) for code, name, n in stats.by_region],
            preamble=preamble,
        ),
        Sheet(
            _("By department"), [_("Region"), _("Department"), count], stats.by_department, preamble=preamble
        ),
    ]
    return xlsx_bytes(xlsx_workbook(sheets))
