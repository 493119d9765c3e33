"""The rules that make a region or a department a candidate for 通报 / 约谈 (issue 13): pure
functions over plain figures, so each branch is tested alone. `candidates.py` reads the stored
figures, calls these and stores what they find.

Every rule returns `Finding`s: the rule's code, the metric it looked at, the figures it used
(plain numbers and levels, shown on the candidate and copied into a notice) and whether it is
only shown (a provisional 未完成 before the period's last year is not a candidate).
Thresholds come from the `Threshold` table (`Thresholds`), never from constants here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

RED = "red"
NOT_COMPLETED = "not_completed"


class Rule(enum.StrEnum):
    PROGRESS_RED = "progress_red"  # the graded metric's progress warning is red in t
    TOTAL_RED = "total_red"  # the total-energy warning is red in t
    RED_TWICE = "red_twice"  # the same one of those warnings red in t−1 and t
    FINAL_NOT_COMPLETED = "final_not_completed"  # §9 grade 未完成 at k = n
    PROVISIONAL_NOT_COMPLETED = "provisional_not_completed"  # 未完成 at k < n: shown only
    MEASURES_OVERDUE = "measures_overdue"  # a department's measures overdue beyond the threshold
    CAMPAIGN_INTENSITY = "campaign_intensity"  # 运动式减碳: yoy reduction above a multiple of the requirement
    CAMPAIGN_ENERGY_FALL = "campaign_energy_fall"  # 运动式减碳: energy_total falls while gdp_index is high


@dataclass(frozen=True)
class Thresholds:
    """The thresholds in force (`Threshold` rows, editable by an administrator)."""

    overdue_days: int = 90
    campaign_multiple: float = 2.0
    campaign_gdp_index: float = 105.0


@dataclass(frozen=True)
class Finding:
    rule: Rule
    metric: str = ""
    figures: dict = field(default_factory=dict)
    informational: bool = False  # shown beside the candidates, not one of them


@dataclass(frozen=True)
class RegionYear:
    """What the rules read of one region-year (stored figures and reported values).

    Levels are "red" / "yellow" / "green" or "" (no figure); numbers None when absent.
    `graded` is the period's graded metric prefix (§9: energy_intensity or co2_intensity);
    percentages are in percent (14.5, not 0.145), as stored.
    """

    year: int
    k: int | None = None
    n: int | None = None
    graded: str = "energy_intensity"
    progress_level: str = ""
    progress_level_prev: str = ""
    total_level: str = ""
    total_level_prev: str = ""
    grade: str = ""
    cum_reduction_pct: float | None = None
    target_pct: float | None = None
    total_assessed: float | None = None
    total_allowed: float | None = None
    yoy_reduction_pct: float | None = None  # energy_intensity_reduction_yoy
    annual_requirement_pct: float | None = None  # §5: the annual target, or 1 − (1 − T)^(1/n)
    energy_total: float | None = None  # as reported
    energy_total_prev: float | None = None
    gdp_index: float | None = None


def red_warnings(f: RegionYear) -> list[Finding]:
    """The graded metric's progress warning red, or the total-energy warning red, in year t."""
    found = []
    if f.progress_level == RED:
        found.append(
            Finding(
                Rule.PROGRESS_RED,
                f"{f.graded}_warning_progress",
                {"level": RED, "R_t_pct": f.cum_reduction_pct, "k": f.k, "n": f.n, "T_pct": f.target_pct},
            )
        )
    if f.total_level == RED:
        found.append(
            Finding(
                Rule.TOTAL_RED,
                "energy_total_warning",
                {"level": RED, "assessed": f.total_assessed, "allowed": f.total_allowed},
            )
        )
    return found


def red_twice(f: RegionYear) -> list[Finding]:
    """The same warning (progress of the graded metric, or total energy) red in t−1 and in t."""
    found = []
    if f.progress_level == RED and f.progress_level_prev == RED:
        found.append(
            Finding(
                Rule.RED_TWICE,
                f"{f.graded}_warning_progress",
                {"years": [f.year - 1, f.year], "level": RED},
            )
        )
    if f.total_level == RED and f.total_level_prev == RED:
        found.append(
            Finding(Rule.RED_TWICE, "energy_total_warning", {"years": [f.year - 1, f.year], "level": RED})
        )
    return found


def final_grade(f: RegionYear) -> list[Finding]:
    """§9 grade 未完成: a candidate at k = n; before the period's last year only shown."""
    if f.grade != NOT_COMPLETED or f.k is None or f.n is None:
        return []
    figures = {"grade": f.grade, "k": f.k, "n": f.n, "R_t_pct": f.cum_reduction_pct, "T_pct": f.target_pct}
    if f.k == f.n:
        return [Finding(Rule.FINAL_NOT_COMPLETED, "grade", figures)]
    return [Finding(Rule.PROVISIONAL_NOT_COMPLETED, "grade", figures, informational=True)]


def campaign_intensity(f: RegionYear, thresholds: Thresholds) -> list[Finding]:
    """运动式减碳: the energy-intensity reduction on the previous year above `campaign_multiple`
    times the annual requirement (§5)."""
    if f.yoy_reduction_pct is None or f.annual_requirement_pct is None or f.annual_requirement_pct <= 0:
        return []
    limit = thresholds.campaign_multiple * f.annual_requirement_pct
    if f.yoy_reduction_pct <= limit:
        return []
    return [
        Finding(
            Rule.CAMPAIGN_INTENSITY,
            "energy_intensity_reduction_yoy",
            {
                "r_t_pct": f.yoy_reduction_pct,
                "a_pct": f.annual_requirement_pct,
                "multiple": thresholds.campaign_multiple,
                "limit_pct": limit,
            },
        )
    ]


def campaign_energy_fall(f: RegionYear, thresholds: Thresholds) -> list[Finding]:
    """运动式减碳 (or bad data): `energy_total` as reported falls on the previous year while
    `gdp_index` is above `campaign_gdp_index`."""
    if f.energy_total is None or f.energy_total_prev is None or f.gdp_index is None:
        return []
    if not (f.energy_total < f.energy_total_prev and f.gdp_index > thresholds.campaign_gdp_index):
        return []
    return [
        Finding(
            Rule.CAMPAIGN_ENERGY_FALL,
            "energy_total",
            {
                "energy_total": f.energy_total,
                "energy_total_prev": f.energy_total_prev,
                "gdp_index": f.gdp_index,
                "gdp_index_limit": thresholds.campaign_gdp_index,
            },
        )
    ]


def region_findings(f: RegionYear, thresholds: Thresholds) -> list[Finding]:
    """Every rule over one region-year."""
    return [
        *red_warnings(f),
        *red_twice(f),
        *final_grade(f),
        *campaign_intensity(f, thresholds),
        *campaign_energy_fall(f, thresholds),
    ]


@dataclass(frozen=True)
class OverdueMeasure:
    measure_id: int
    title: str
    due_date: date
    status: str


def measures_overdue(
    measures: Iterable[OverdueMeasure], today: date, thresholds: Thresholds
) -> list[Finding]:
    """A department whose measures (not done) are more than `overdue_days` past their due date.

    `measures` are one department's; one finding lists every measure beyond the threshold."""
    late = [m for m in measures if m.status != "done" and (today - m.due_date).days > thresholds.overdue_days]
    if not late:
        return []
    return [
        Finding(
            Rule.MEASURES_OVERDUE,
            "measures",
            {
                "overdue_days": thresholds.overdue_days,
                "measures": [
                    {
                        "id": m.measure_id,
                        "title": m.title,
                        "due_date": m.due_date.isoformat(),
                        "days_overdue": (today - m.due_date).days,
                    }
                    for m in sorted(late, key=lambda m: (m.due_date, m.measure_id))
                ],
            },
        )
    ]
