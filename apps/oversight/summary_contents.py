"""What a summary's frozen figures say, for the documents and pages: the registry of pluggable
sections, and pure helpers over the figures dict of `summaries.gather()` (no queries).

Sections: each app may add tables to the summary's problems (存在的问题) or progress part with a
module `apps/<app>/summary_sections.py` exporting `SECTIONS` (a list of `SummarySection`), found
like `nav.py`; code inside the oversight app may also call `register_section()`. A section's rows
are stored in the figures when an edition is issued, so an issued edition keeps them even if the
section is later removed (it is then rendered with its stored keys as headers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from apps.accounts.app_modules import portal_app_modules
from apps.monitoring import metrics
from apps.monitoring import years as figure_years
from apps.plans.models import MeasureStatus


@dataclass(frozen=True)
class SummarySection:
    """A table of the summary: `gather(region, year, on)` returns rows (dicts keyed by the column
    keys; plain JSON values) of what the region-year's subtree has open.

    `part`: "problems" (存在的问题) or "progress" (工作进展和成效). `columns`: (key, translatable
    header); `empty`: what is said when there is nothing to list; `order`: position in its part."""

    key: str
    title: str | Promise
    columns: tuple[tuple[str, str | Promise], ...]
    gather: Callable[..., list[dict]]
    part: str = "problems"
    empty: str | Promise = ""  # default: "None."
    order: int = 100


_REGISTERED: dict[str, SummarySection] = {}
PARTS = ("problems", "progress")


def register_section(section: SummarySection) -> SummarySection:
    """Add a section to every summary gathered from now on (the same key replaces it)."""
    if section.part not in PARTS:
        raise ValueError(f"section {section.key}: unknown part {section.part!r}")
    _REGISTERED[section.key] = section
    return section


def registered_sections() -> list[SummarySection]:
    """Every section: those of `apps/<app>/summary_sections.py` and the registered ones, in order."""
    found: dict[str, SummarySection] = {}
    for _config, module in portal_app_modules("summary_sections"):
        for section in getattr(module, "SECTIONS", ()):
            found[section.key] = section
    found.update(_REGISTERED)
    return sorted(found.values(), key=lambda s: (s.order, s.key))


REPORT_STATES = {"late": gettext_lazy("Submitted late"), "not_submitted": gettext_lazy("Not submitted")}


def cell_text(key: str, value) -> str:
    """A section cell for people: statuses and states named, numbers rounded."""
    if value is None or value == "":
        return "—"
    if key == "status" and value in MeasureStatus.values:
        return str(MeasureStatus(value).label)
    if key == "state" and value in REPORT_STATES:
        return str(REPORT_STATES[value])
    if isinstance(value, float):
        return metrics.format_number(value, 2)
    return str(value)


def version_text(figures: dict) -> str:
    """The data version of a summary's figures as every page states it (DESIGN.md)."""
    v = figures["data_version"]
    finished = datetime.fromisoformat(v["finished_at"]) if v.get("finished_at") else None
    return str(figure_years.DataVersion(v.get("run_id"), finished, v.get("spec") or ""))


def title_of(figures: dict) -> str:
    """The document's title as issued (Chinese: the document the standing committee files)."""
    return f"{figures['region']['name']}{figures['year']}年碳达峰工作情况监督摘要"


def issuing_body(figures: dict) -> str:
    return f"{figures['region']['name']}人民政府"


#: The year's progress figures the 基本情况 table states, in order.
PROGRESS_METRICS = tuple(
    f"{prefix}_{figure}"
    for prefix in ("energy_intensity", "co2_intensity")
    for figure in ("reduction_yoy", "reduction_cum", "progress_required", "completion", "target_share")
)

#: Warnings that put a sub-region "behind target" (red progress or total warnings first).
BEHIND_WARNINGS = (
    "energy_intensity_warning_progress",
    "co2_intensity_warning_progress",
    "energy_total_warning",
)


def behind_target(figures: dict) -> list[dict]:
    """Sub-regions behind target, named with their figures: red progress or total warnings first,
    then yellow ones, each with the warnings that put it there."""
    found = []
    for child in figures["children"]:
        levels = {m: (child["figures"].get(m) or [None, ""])[1] for m in BEHIND_WARNINGS}
        reds = [m for m, lv in levels.items() if lv == "red"]
        yellows = [m for m, lv in levels.items() if lv == "yellow"]
        if reds or yellows:
            found.append({**child, "reds": reds, "yellows": yellows})
    found.sort(key=lambda c: (-len(c["reds"]), -len(c["yellows"]), c["code"]))
    return found


# ---- comparing editions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureChange:
    """One figure that differs between two editions: its path in the figures, old and new value."""

    path: str
    old: object
    new: object
    periods: dict = field(default_factory=dict, compare=False, repr=False)  # id → the period's dict

    @property
    def label(self) -> str:
        """The path for people: metric, target and section codes named, list positions dropped,
        a target's plan period by its name (the figures key targets by the period's id)."""
        parts = self.path.replace("[", ".").replace("]", "").split(".")
        names = []
        for i, part in enumerate(parts):
            if i and parts[i - 1] == "targets" and part in self.periods:
                names.append(period_name(self.periods[part]))
            else:
                names.append(_part_name(part))
        return " · ".join(n for n in names if n)

    @property
    def old_text(self) -> str:
        return _value_text(self.old)

    @property
    def new_text(self) -> str:
        return _value_text(self.new)


def _part_name(part: str) -> str:
    from apps.targets.models import TargetMetric

    names = {
        "next_steps": gettext_lazy("The government's next steps"),
        "data_version": gettext_lazy("Data version"),
        "run_id": "#",
        "finished_at": gettext_lazy("finished at"),
        "year_figures": "",
        "figures": "",
        "0": "",
        "1": gettext_lazy("level"),
        "level": gettext_lazy("level"),
        "value": "",
        "targets": gettext_lazy("Targets"),
        "children": "",
        "warnings": "",
        "series": "",
        "sections": "",
        "planner": gettext_lazy("Next steps"),
        "report": gettext_lazy("Annual report"),
        "measures": gettext_lazy("Measures"),
        "grade": metrics.name("grade"),
    }
    if part in names:
        return str(names[part])
    if part in metrics.catalog():
        return metrics.name(part)
    if part in TargetMetric.values:
        return str(TargetMetric(part).label)
    sections = {s.key: s.title for s in registered_sections()}
    if part in sections:
        return str(sections[part])
    return part


def _value_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, str) and value in metrics.TEXT_LABELS:
        return metrics.text_label(value)
    return str(value)


def _flatten(data, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        for i, value in enumerate(data):
            key = (
                value.get("name") or value.get("metric") or value.get("department") or value.get("code") or i
            )
            out.update(_flatten(value, f"{prefix}[{key}]"))
    else:
        out[prefix] = data
    return out


def period_name(period: dict) -> str:
    """A plan period of the figures by its name in the reader's language, e.g. "“十四五”时期 (2021-2025)"."""
    name = period.get("name_en") if translation.get_language() == "en" else period.get("name")
    code = period.get("code") or ""
    return f"{name} ({code})" if name and code else str(name or code)


def figures_diff(old: dict, new: dict) -> list[FigureChange]:
    """What changed between two editions' figures, leaf by leaf (the data version included)."""
    a, b = _flatten(old), _flatten(new)
    periods = {str(p["id"]): p for f in (old, new) for p in (f.get("periods") or []) if "id" in p}
    return [
        FigureChange(k, a.get(k), b.get(k), periods) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)
    ]


def local_date(value: date | None) -> str:
    return value.isoformat() if value else ""
