"""What the summary document says, in the active language, built from its figures only (no
queries): headings, tables of rows of strings, charts as SVG. The HTML template and the DOCX
builder both read this, so the three formats say the same."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.dashboards.figures import LMDI_EFFECTS
from apps.dashboards.region import CHARTS, SHARE_METRICS, Figure, Relatives, build_charts
from apps.monitoring import engine, explain, metrics
from apps.regions.models import Region
from apps.reports.models import SectionArea
from apps.targets.models import PlanPeriod, TargetMetric

from .. import summary_contents as contents
from .svg import figure_svg

#: The engine's rule of each warning by level (the words the rule is stated in, translated by explain).
WARNING_RULES = {
    "energy_intensity_warning_annual": engine._ANNUAL_RULES,
    "energy_intensity_warning_progress": engine._PROGRESS_RULES,
    "co2_intensity_warning_annual": engine._ANNUAL_RULES,
    "co2_intensity_warning_progress": engine._PROGRESS_RULES,
    "energy_total_warning": engine._TOTAL_RULES,
    "nonfossil_share_warning": engine._NF_RULES,
}
#: Charts of the annex (the region dashboard's, without the region's share of the one above).
DOCUMENT_CHARTS = tuple(c for c in CHARTS if c != "parent_share")
ANNEX_METRICS = (
    "energy_intensity_reduction_cum",
    "energy_intensity_progress_required",
    "co2_intensity_reduction_cum",
    "co2_intensity_progress_required",
    "energy_total_assessed",
    "energy_total_allowed",
    "nonfossil_share",
)


_NUMBER = re.compile(r"^[−+\-]?[\d,]+(\.\d+)?%?$|^—$")

#: The printed page's text width (A4 less the GB/T 9704 side margins, 28 + 26 mm) in points, and the
#: font sizes of the document's tables (the template's `.doc-table` and `.doc-wide`).
TEXT_WIDTH_PT = (210 - 28 - 26) / 25.4 * 72
TABLE_FONT_PT, WIDE_TABLE_FONT_PT = 9.0, 7.5
#: Cell padding and borders (2 × 1.5 mm + 0.5 pt) in points, and some room for a bold face and
#: the estimate's error: a column a name just fills would break it.
CELL_PAD_PT = 2 * 1.5 / 25.4 * 72 + 0.5 + 4
#: A header may wrap down to this many ems; a name (a table's first column) or a number never wraps.
HEADER_MIN_EM, TEXT_MIN_EM, NAME_MAX_EM = 4.0, 6.0, 9.0


#: Widths (ems) of the Latin characters of the document font that are not about half an em.
_LATIN_EM = {
    **dict.fromkeys(".,:;!|'`", 0.28),
    **dict.fromkeys("()[]{}-/ ", 0.36),
    **dict.fromkeys("ijlft", 0.3),
    **dict.fromkeys("%@mwMW", 0.9),
}


def _char_em(c: str) -> float:
    if ord(c) >= 0x2000:  # CJK, full-width forms, and the symbols a CJK font draws an em wide (▲ — ≥)
        return 1.0
    if c in _LATIN_EM:
        return _LATIN_EM[c]
    return 0.66 if c.isupper() else 0.56


def text_em(text: str) -> float:
    """The width of a line of `text` in ems of the document font (Noto Sans CJK SC), a little
    generous: CJK characters and symbols one em, Latin letters and digits about half."""
    return sum(_char_em(c) for c in text)


def _unbreakable_em(text: str) -> float:
    """The widest piece of `text` a line cannot break: a run of Latin letters or digits (Chinese
    text breaks between any two characters)."""
    runs = re.split(r"[\s\u2000-\U0010FFFF]+", text)
    return max((text_em(run) for run in runs), default=0.0)


def column_widths(
    headers: list[str], rows: list[list[str]], *, font_pt: float = TABLE_FONT_PT
) -> list[float]:
    """Column widths in percent of the table for the printed document's fixed table layout.

    WeasyPrint's automatic table layout measures the narrowest and widest layout of every cell
    (for Chinese text: a break after every character), most of a summary's layout time; the same
    distribution from the strings' lengths costs nothing: every column first gets its minimum (a
    number or a name unbroken, a header wrapped to four ems, other text to six), the room left
    goes to the columns in proportion to what more they would take."""
    available = TEXT_WIDTH_PT / font_pt
    pad = CELL_PAD_PT / font_pt
    lows, highs = [], []
    for i, header in enumerate(headers):
        cells = [row[i] for row in rows if i < len(row)]
        numeric = bool(cells) and all(_NUMBER.match(c) for c in cells)
        widest = max((text_em(c) for c in cells), default=0.0)
        header_em = text_em(header) * 1.05  # headers are bold
        if numeric or i == 0:
            low = min(widest, NAME_MAX_EM)
        else:
            low = max(min(widest, TEXT_MIN_EM), max((_unbreakable_em(c) for c in cells), default=0.0))
        header_low = max(min(header_em, HEADER_MIN_EM), _unbreakable_em(header) * 1.05)
        lows.append(max(low, header_low) + pad)
        highs.append(max(widest, header_em, low, header_low) + pad)
    if sum(highs) <= available:
        shares = highs
    elif sum(lows) >= available:
        shares = lows
    else:
        room = available - sum(lows)
        extra = sum(h - lo for h, lo in zip(highs, lows, strict=True)) or 1.0
        shares = [lo + room * (h - lo) / extra for h, lo in zip(highs, lows, strict=True)]
    total = sum(shares) or 1.0
    return [round(100 * s / total, 2) for s in shares]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""
    empty: str = ""
    wide: bool = False  # printed in the smaller font of `.doc-wide`

    def widths(self) -> list[float]:
        """Column widths (percent) for the printed document: `column_widths`."""
        return column_widths(
            self.headers, self.rows, font_pt=WIDE_TABLE_FONT_PT if self.wide else TABLE_FONT_PT
        )

    def cells(self) -> list[list[tuple[str, str]]]:
        """Rows of (text, CSS class): numbers are right-aligned ("num": a column is numeric when
        every cell of it is a number or a dash); short columns (a level, a region's name, a date:
        every cell and the header at most SHORT characters) never wrap ("nowrap"), so that a
        narrow column is not broken one character per line."""
        width = len(self.headers)
        numeric = [
            any(row[i] != "—" for row in self.rows) and all(_NUMBER.match(row[i]) for row in self.rows)
            for i in range(width)
        ]
        short = [
            len(self.headers[i]) <= SHORT and all(len(row[i]) <= SHORT for row in self.rows)
            for i in range(width)
        ]
        classes = ["num" if numeric[i] else "nowrap" if short[i] else "" for i in range(width)]
        return [[(cell, classes[i]) for i, cell in enumerate(row)] for row in self.rows]

    def header_cells(self) -> list[tuple[str, str]]:
        """The headers with "nowrap" for short ones (a three-character header stays on one line)."""
        return [(h, "nowrap" if len(h) <= SHORT_HEADER else "") for h in self.headers]


#: Columns whose every cell has at most this many characters are kept on one line.
SHORT = 10
SHORT_HEADER = 4


@dataclass
class Block:
    """One heading with its paragraphs and tables (a sub-section of the document)."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def _label(name: str, unit: str) -> str:
    if not unit:
        return name
    return f"{name}（{unit}）" if _chinese() else f"{name} ({unit})"


def _value(code: str, pair) -> str:
    if not pair:
        return "—"
    value, level = pair
    return metrics.display(code, value, level)


def _level(level: str) -> str:
    if not level:
        return _("not computed")
    return f"{metrics.LEVEL_ICONS.get(level, '')} {metrics.text_label(level)}".strip()


def _target_rows(figures: dict) -> list[list[str]]:
    period = figures.get("period")
    if not period:
        return []
    own = figures["targets"].get(str(period["id"]), {})
    rows = []
    for metric in (
        TargetMetric.ENERGY_INTENSITY_REDUCTION,
        TargetMetric.CO2_INTENSITY_REDUCTION,
        TargetMetric.ENERGY_TOTAL_CAP,
        TargetMetric.NONFOSSIL_SHARE,
    ):
        value = own.get(metric)
        rows.append(
            [str(TargetMetric(metric).label), metrics.format_number(value, 2) if value is not None else "—"]
        )
    return rows


def _basic(figures: dict) -> list[Block]:
    year = figures["year"]
    fy = figures["year_figures"]
    period = figures.get("period")
    blocks: list[Block] = []
    period_name = ""
    if period:
        name = period["name"] if _chinese() else period["name_en"]
        period_name = f"{name} ({period['code']})"
    targets = Block(
        _("Targets of the period"),
        [_("Plan period: %(period)s.") % {"period": period_name}]
        if period
        else [_("The year is in no plan period.")],
        [Table([_("Target"), _("Value")], _target_rows(figures), empty=_("No target is set."))],
    )
    blocks.append(targets)
    headline_rows = [[metrics.info(m).label, _value(m, fy.get(m))] for m in contents.PROGRESS_METRICS]
    blocks.append(
        Block(
            _("Progress in %(year)s") % {"year": year},
            [],
            [Table([_("Figure"), _("Value")], headline_rows)],
        )
    )
    warning_rows = []
    for w in figures["warnings"]:
        rule = WARNING_RULES[w["metric"]].get(w["level"], "")
        warning_rows.append(
            [metrics.name(w["metric"]), _level(w["level"]), explain.rule_text(rule) if rule else "—"]
        )
    blocks.append(
        Block(
            _("The six warnings"),
            [_("Each warning with its level and the rule that gave it (methodology §7, §8).")],
            [Table([_("Warning"), _("Level"), _("Rule")], warning_rows)],
        )
    )
    grade = figures["grade"]
    grade_text = metrics.text_label(grade["level"]) if grade["level"] else _("not computed")
    if grade["level"] and grade["provisional"]:
        grade_text = _("%(grade)s (provisional: the period has not ended)") % {"grade": grade_text}
    score = fy.get("score_total")
    paragraphs = [
        _("Grade (methodology §9): %(grade)s; total score %(score)s.")
        % {"grade": grade_text, "score": _value("score_total", score)},
        _("Total energy use %(assessed)s against %(allowed)s allowed by now (10⁴ tce); warning: %(level)s.")
        % {
            "assessed": _value("energy_total_assessed", fy.get("energy_total_assessed")),
            "allowed": _value("energy_total_allowed", fy.get("energy_total_allowed")),
            "level": _level((fy.get("energy_total_warning") or [None, ""])[1]),
        },
        _("Non-fossil share %(share)s against %(required)s required on its path; warning: %(level)s.")
        % {
            "share": _value("nonfossil_share", fy.get("nonfossil_share")),
            "required": _value("nonfossil_share_required", fy.get("nonfossil_share_required")),
            "level": _level((fy.get("nonfossil_share_warning") or [None, ""])[1]),
        },
    ]
    outlook = (fy.get("co2_peak_outlook") or [None, ""])[1]
    paragraphs.append(
        _(
            "Carbon peak outlook (§10): %(outlook)s; highest CO₂ so far in %(peak)s; "
            "average CO₂ intensity decline %(d)s against %(dstar)s needed."
        )
        % {
            "outlook": metrics.text_label(outlook) if outlook else _("not computed"),
            "peak": _value("co2_peak_year", fy.get("co2_peak_year")),
            "d": _value("co2_intensity_reduction_avg", fy.get("co2_intensity_reduction_avg")),
            "dstar": _value("co2_intensity_decline_required", fy.get("co2_intensity_decline_required")),
        }
    )
    for suffix, text in (
        (
            "",
            _(
                "Emission change on the previous year (LMDI, §11, 10⁴ t CO₂): "
                "activity %(a)s, energy intensity %(i)s, carbon factor %(c)s."
            ),
        ),
        (
            "_cum",
            _(
                "Emission change on the base year (LMDI, §11, 10⁴ t CO₂): "
                "activity %(a)s, energy intensity %(i)s, carbon factor %(c)s."
            ),
        ),
    ):
        effects = {e: fy.get(f"lmdi_{e}{suffix}") for e in LMDI_EFFECTS}
        if all(effects.values()):
            paragraphs.append(
                text
                % {
                    "a": f"{effects['activity'][0]:+,.2f}",
                    "i": f"{effects['intensity'][0]:+,.2f}",
                    "c": f"{effects['carbon_factor'][0]:+,.2f}",
                }
            )
    blocks.append(Block(_("Grade, total energy, non-fossil path, peak outlook and causes"), paragraphs))
    return blocks


def _progress(figures: dict) -> list[Block]:
    report = figures.get("report")
    blocks: list[Block] = []
    if report:
        intro = _("From the approved annual report (revision %(revision)s, approved %(date)s).") % {
            "revision": report["revision"],
            "date": report["approved_at"] or "—",
        }
        narrative = Block(_("Work by task area"), [intro])
        for area, label in SectionArea.choices:
            text = report["sections"].get(area)
            if text:
                narrative.paragraphs.append(f"{label}：{text}" if _chinese() else f"{label}: {text}")
        blocks.append(narrative)
    else:
        blocks.append(Block(_("Work by task area"), [_("No approved annual report for the year.")]))
    rows = [
        [
            m["department"],
            str(m["total"]),
            str(m.get("done", 0)),
            str(m.get("on_track", 0)),
            str(m.get("delayed", 0)),
            str(m.get("not_started", 0)),
            str(m.get("overdue", 0)),
        ]
        for m in figures["measures"]
    ]
    blocks.append(
        Block(
            _("Sector plans: measures by department"),
            [],
            [
                Table(
                    [
                        _("Responsible department"),
                        _("Measures"),
                        _("Done"),
                        _("On track"),
                        _("Delayed"),
                        _("Not started"),
                        _("Overdue"),
                    ],
                    rows,
                    empty=_("The region has no sector plan measures."),
                )
            ],
        )
    )
    blocks.extend(_sections(figures, "progress"))
    return blocks


def _sections(figures: dict, part: str) -> list[Block]:
    known = {s.key: s for s in contents.registered_sections()}
    blocks = []
    for key, rows in figures.get("sections", {}).items():
        section = known.get(key)
        if section is not None and section.part != part:
            continue
        if section is None and part != "problems":
            continue
        columns = section.columns if section else [(k, k) for k in (rows[0] if rows else {})]
        table = Table(
            [str(label) for _key, label in columns],
            [[contents.cell_text(k, row.get(k)) for k, _label in columns] for row in rows],
            empty=str(section.empty) if section and section.empty else _("None."),
        )
        blocks.append(
            (section.order if section else 999, Block(str(section.title) if section else key, [], [table]))
        )
    return [b for _order, b in sorted(blocks, key=lambda x: x[0])]


def _problems(figures: dict) -> list[Block]:
    behind = contents.behind_target(figures)
    rows = []
    for child in behind:
        warned = [f"{metrics.name(m)} {_level('red')}" for m in child["reds"]]
        warned += [f"{metrics.name(m)} {_level('yellow')}" for m in child["yellows"]]
        f = child["figures"]
        rows.append(
            [
                child["name"],
                "；".join(warned) if _chinese() else "; ".join(warned),
                _value("energy_intensity_reduction_cum", f.get("energy_intensity_reduction_cum")),
                _value("energy_intensity_progress_required", f.get("energy_intensity_progress_required")),
                _value("energy_total_assessed", f.get("energy_total_assessed")),
                _value("energy_total_allowed", f.get("energy_total_allowed")),
            ]
        )
    blocks = [
        Block(
            _("Regions below behind target"),
            [],
            [
                Table(
                    [
                        _("Region"),
                        _("Warnings"),
                        metrics.info("energy_intensity_reduction_cum").label,
                        metrics.info("energy_intensity_progress_required").label,
                        metrics.info("energy_total_assessed").label,
                        metrics.info("energy_total_allowed").label,
                    ],
                    rows,
                    empty=_("No region below is behind target."),
                )
            ],
        )
    ]
    blocks.extend(_sections(figures, "problems"))
    return blocks


def _next(figures: dict) -> list[Block]:
    p = figures["planner"]
    paragraphs = []
    if p["reason"]:
        paragraphs.append(p["reason"])
    else:
        paragraphs.append(
            _(
                "Plan period %(period)s: year %(k)s of %(n)s assessed (%(year)s); "
                "the remaining years are %(years)s."
            )
            % {
                "period": p["period"],
                "k": p["k"],
                "n": p["n"],
                "year": p["latest_year"],
                "years": "、".join(str(y) for y in p["remaining_years"])
                if _chinese()
                else ", ".join(str(y) for y in p["remaining_years"]) or "—",
            }
        )
    rows = []
    for need in p["intensities"]:
        name = metrics.name(need["metric"])
        if need["required"] is None:
            rows.append(
                [
                    name,
                    metrics.format_number(need["target"], 2) if need["target"] is not None else "—",
                    "—",
                    need["reason"] or "—",
                ]
            )
        else:
            required = need["required"]
            text = (
                _("%(value)s %% a year") % {"value": metrics.format_number(required, 2)}
                if required > 0
                else _("met: may rise by %(value)s %% a year")
                % {"value": metrics.format_number(-required, 2)}
            )
            rows.append(
                [
                    name,
                    metrics.format_number(need["target"], 2),
                    metrics.format_number(need["achieved"], 2),
                    text,
                ]
            )
    table = Table(
        [_("Intensity"), _("Target reduction (%)"), _("Achieved (%)"), _("Annual reduction still needed")],
        rows,
        empty=_("Nothing to plan."),
    )
    if p["energy_budget"] is not None:
        budget = p["energy_budget"]
        paragraphs.append(
            (
                _("Energy budget left in the period: %(value)s (10⁴ tce) under the cap of %(cap)s.")
                if budget >= 0
                else _("Total energy is already %(value)s (10⁴ tce) over the cap of %(cap)s.")
            )
            % {
                "value": metrics.format_number(abs(budget), 2),
                "cap": metrics.format_number(p["energy_cap"], 2),
            }
        )
    elif p["energy_reason"]:
        paragraphs.append(p["energy_reason"])
    blocks = [Block(_("What the remaining years must achieve"), paragraphs, [table])]
    own = (figures.get("next_steps") or "").strip()
    blocks.append(
        Block(
            _("The government's next steps"),
            [line for line in own.splitlines() if line.strip()] or [_("(Not written yet.)")],
        )
    )
    return blocks


def _annex_table(figures: dict) -> Table:
    headers = (
        [_("Region")]
        + [metrics.info(m).label for m in ANNEX_METRICS]
        + [_("Warnings (red / yellow)"), metrics.name("grade")]
    )
    rows = []
    for child in [{"name": figures["region"]["name"], "figures": _own(figures)}, *figures["children"]]:
        f = child["figures"]
        levels = [(f.get(m) or [None, ""])[1] for m in metrics.WARNING_METRICS]
        rows.append(
            [child["name"]]
            + [_value(m, f.get(m)) for m in ANNEX_METRICS]
            + [f"{levels.count('red')} / {levels.count('yellow')}", _value("grade", f.get("grade"))]
        )
    return Table(
        headers,
        rows,
        caption=_("The region and the regions below, %(year)s") % {"year": figures["year"]},
        wide=True,
    )


def _own(figures: dict) -> dict:
    fy = dict(figures["year_figures"])
    return fy


def charts(figures: dict) -> list[dict]:
    """The region dashboard's charts rebuilt from the frozen series with the same builders, as SVG."""
    series = {
        metric: {int(y): Figure(v, lv) for y, (v, lv) in by_year.items()}
        for metric, by_year in figures["series"].items()
    }
    periods = [
        PlanPeriod(
            pk=p["id"],
            code=p["code"],
            name=p["name"],
            name_en=p["name_en"],
            base_year=p["base_year"],
            length=p["length"],
        )
        for p in figures["periods"]
    ]
    targets = {int(k): v for k, v in figures["targets"].items()}
    r = figures["region"]
    parent = figures.get("parent")
    region = Region(
        pk=r["id"],
        code=r["code"],
        name=r["name"],
        level=r["level"],
        parent_id=parent["id"] if parent else None,
    )
    kin_regions = [
        Region(pk=c["id"], code=c["code"], name=c["name"], level=c.get("level", ""), parent_id=r["id"])
        for c in figures["children"]
    ]
    kin_figures = {
        c["id"]: {
            m: pair[0] for m, pair in c["figures"].items() if m in SHARE_METRICS and pair[0] is not None
        }
        for c in [*figures["children"], *([parent] if parent else [])]
    }
    kin_figures[r["id"]] = {
        m: figures["year_figures"][m][0]
        for m in SHARE_METRICS
        if m in figures["year_figures"] and figures["year_figures"][m][0] is not None
    }
    parent_region = Region(pk=parent["id"], code=parent["code"], name=parent["name"]) if parent else None
    built = build_charts(
        series,
        region=region,
        year=figures["year"],
        periods=periods,
        targets=targets,
        kin=Relatives(parent_region, kin_regions, kin_figures),
    )
    out = []
    for code in DOCUMENT_CHARTS:
        chart = built.get(code)
        if chart is None or chart.figure is None:
            continue
        svg = figure_svg(chart.figure)
        if svg:
            # `src`: the same SVG as an image for the PDF. WeasyPrint parses an image's SVG with the
            # XML parser and gives its nodes no HTML styles; inline, each of a chart's hundreds of
            # nodes went through the HTML5 parser and the HTML cascade (a fifth of the layout time).
            src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
            out.append({"code": code, "title": chart.title, "svg": svg, "src": src})
    return out


def document_context(figures: dict, *, number: int | None = None, issued_at: datetime | None = None) -> dict:
    """Everything the document shows, in the active language."""
    when = timezone.localtime(issued_at) if issued_at else None
    return {
        "figures": figures,
        "title": contents.title_of(figures)
        if _chinese()
        else _("Oversight summary of %(region)s, %(year)s")
        % {
            "region": figures["region"]["name"],
            "year": figures["year"],
        },
        "issuing_body": contents.issuing_body(figures)
        if _chinese()
        else _("People's Government of %(region)s") % {"region": figures["region"]["name"]},
        "number": number,
        "issued_on": when.strftime("%Y-%m-%d") if when else "",
        "generated_at": when.strftime("%Y-%m-%d %H:%M") if when else "",
        "data_version": contents.version_text(figures),
        "parts": [
            (_("1. Overview"), _basic(figures)),
            (_("2. Progress and results"), _progress(figures)),
            (_("3. Problems"), _problems(figures)),
            (_("4. Next steps"), _next(figures)),
        ],
        "annex_title": _("5. Annex: tables and charts"),
        "annex_table": _annex_table(figures),
        "charts": charts(figures),
        "draft": number is None,
        "lang": "zh-Hans" if _chinese() else "en",
    }
