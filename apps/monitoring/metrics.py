"""The metric catalog: what every stored figure is called, in which unit, shown how.

Kept as data (`data/metric_catalog.csv`: code, names zh/en, units zh/en, display precision,
kind) so that pages, exports and API labels read one table. Full precision stays in the
database, the API and the machine-readable CSV; `display()` is for people only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.core import display as core_display

from . import engine

CATALOG_FILE = Path(__file__).parent / "data" / "metric_catalog.csv"
KINDS = frozenset({"number", "percent", "ratio", "warning", "year", "flag", "outlook", "score", "grade"})

#: Short, translated names of the text figures; the icon keeps a level readable without colour.
TEXT_LABELS = {
    engine.RED: _("Red"),
    engine.YELLOW: _("Yellow"),
    engine.GREEN: _("Green"),
    engine.GRADE_EXCEEDED: _("Exceeded"),
    engine.GRADE_COMPLETED: _("Completed"),
    engine.GRADE_BASIC: _("Basically completed"),
    engine.GRADE_FAILED: _("Not completed"),
    engine.GRADE_PENDING: _("Pending review"),
    engine.OUTLOOK_PEAKED: _("Peaked"),
    engine.OUTLOOK_FALLING: _("Falling (would peak now)"),
    engine.OUTLOOK_RISING: _("Rising"),
}
LEVEL_ICONS = {engine.RED: "●", engine.YELLOW: "▲", engine.GREEN: "✓"}
#: Severity order of warning levels (worst first), for sorting and counting.
LEVEL_ORDER = (engine.RED, engine.YELLOW, engine.GREEN)
#: The six warnings of the barometer (issue 10), in the order officials read them.
WARNING_METRICS = (
    "energy_intensity_warning_annual",
    "energy_intensity_warning_progress",
    "co2_intensity_warning_annual",
    "co2_intensity_warning_progress",
    "energy_total_warning",
    "nonfossil_share_warning",
)


@dataclass(frozen=True)
class MetricInfo:
    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    precision: int
    kind: str

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_zh if _chinese() else self.name_en

    @property
    def unit(self) -> str:
        return self.unit_zh if _chinese() else self.unit_en

    @property
    def label(self) -> str:
        """Name with its unit, for table headers and chart axes."""
        return (
            f"{self.name}（{self.unit}）"
            if self.unit and _chinese()
            else (f"{self.name} ({self.unit})" if self.unit else self.name)
        )

    @property
    def is_text(self) -> bool:
        return self.kind in ("warning", "outlook", "grade")


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


@cache
def catalog() -> dict[str, MetricInfo]:
    """Every metric of the catalog file, in file order (read once per process)."""
    with CATALOG_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found: dict[str, MetricInfo] = {}
    for row in rows:
        info = MetricInfo(
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            unit_zh=row["unit_zh"],
            unit_en=row["unit_en"],
            precision=int(row["precision"]),
            kind=row["kind"],
        )
        if info.kind not in KINDS:
            raise ValueError(f"{CATALOG_FILE.name}: metric {info.code}: unknown kind {info.kind!r}")
        found[info.code] = info
    return found


def info(code: str) -> MetricInfo:
    """The catalog entry of a metric; KeyError for a code the catalog does not know."""
    return catalog()[code]


def name(code: str) -> str:
    entry = catalog().get(code)
    return entry.name if entry else code


def text_label(level: str) -> str:
    """A text figure (warning level, grade, outlook) in the active language."""
    return str(TEXT_LABELS.get(level, level))


def format_number(value: float | Decimal | None, precision: int) -> str:
    """A number rounded for display with thousands separators (the one rule: apps.core.display)."""
    return core_display.format_number(value, precision)


def display(code: str, value: float | Decimal | None, level: str = "") -> str:
    """A stored figure for people: rounded per the catalog, text figures translated, unit-free.

    Percent figures get a % sign; a year shows as a plain year; the peaked flag as yes/no.
    """
    if level:
        return text_label(level)
    if value is None:
        return "—"
    entry = catalog().get(code)
    if entry is None:
        return format(Decimal(str(value)).normalize(), "f")
    if entry.kind == "year":
        return str(int(value))
    if entry.kind == "flag":
        return str(_("yes") if float(value) >= 0.5 else _("no"))
    text = format_number(value, entry.precision)
    return f"{text}%" if entry.kind == "percent" else text
