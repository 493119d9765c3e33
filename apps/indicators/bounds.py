"""Year-on-year plausibility bounds of an indicator: the arithmetic and how people read them.

Pure functions over anything shaped like an indicator (the model or catalog.IndicatorDef), shared
by the catalog pages and the report validation (apps/reports/validation.py), so the bound a
form's error names is the one the catalog page shows.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Protocol

from django.utils import translation
from django.utils.translation import gettext as _

PERCENT, POINTS = "percent", "points"
_CJK = "\u3400-\u9fff\uff08\uff09\uff0c\uff1a\uff1b\u3001\u3002"  # ideographs, full-width （），：；、。
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")


def cjk_spacing(text: str) -> str:
    """Chinese typography: no space between two Chinese characters (or full-width punctuation);
    the spaces around numbers and Latin text stay ("比上年下降 99.0%，超出 ±5% 的合理范围")."""
    return _SPACE_BETWEEN_CJK.sub("", text)


OWN, PARENT = "own", "parent"


class Bounded(Protocol):
    unit: str
    unit_en: str
    change_measure: str
    change_lower: Decimal | None
    change_upper: Decimal | None
    change_basis: str
    parent_tolerance: Decimal | None


def number(value: Decimal, places: int | None = None) -> str:
    """A number as Chinese statistics print it: thousands separators, no trailing zeros."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
        return f"{value:,.{places}f}"
    value = value.normalize()
    exponent = value.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{value:,.{decimals}f}"


def signed(value: Decimal, places: int | None = None) -> str:
    text = number(abs(value), places)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


def change(measure: str, value: Decimal, before: Decimal) -> Decimal | None:
    """The change from `before` to `value` in the measure (percent of |before|, or the difference)."""
    if measure == POINTS:
        return value - before
    if before == 0:
        return None  # a change from zero has no percentage
    return (value - before) / abs(before) * 100


def _is_index(indicator: Bounded) -> bool:
    return indicator.unit.strip() == "指数" or indicator.unit_en.strip().lower() == "index"


def unit_of_change(indicator: Bounded) -> str:
    """The unit a change is stated in: %, percentage points (shares), points (indices) or the unit."""
    if indicator.change_measure != POINTS:
        return "%"
    if indicator.unit.strip() == "%":
        return _("percentage points")
    if _is_index(indicator):
        return _("points")
    return indicator.unit_en if translation.get_language() == "en" else indicator.unit


def amount(indicator: Bounded, value: Decimal, *, places: int | None = None, sign: bool = False) -> str:
    """'5%', '1 percentage point' style: a size of change with its unit."""
    text = signed(value, places) if sign else number(value, places)
    unit = unit_of_change(indicator)
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def describe_range(indicator: Bounded) -> str:
    """'±5%', '−10 to +20 percentage points', 'at most +20%' — the own bound."""
    lower, upper = indicator.change_lower, indicator.change_upper
    if lower is None and upper is None:
        return ""
    if lower is not None and upper is not None and lower == -upper:
        return "±" + amount(indicator, upper)
    if lower is None:
        return _("at most %(upper)s") % {"upper": amount(indicator, upper, sign=True)}
    if upper is None:
        return _("at least %(lower)s") % {"lower": amount(indicator, lower, sign=True)}
    return _("%(lower)s to %(upper)s") % {
        "lower": signed(lower) + ("%" if indicator.change_measure != POINTS else ""),
        "upper": amount(indicator, upper, sign=True),
    }


def describe_tolerance(indicator: Bounded) -> str:
    """'±10 percentage points' of the parent-relative bound (points of the measure)."""
    if indicator.parent_tolerance is None:
        return ""
    tolerance = indicator.parent_tolerance
    if indicator.change_measure == PERCENT:
        return "±" + number(tolerance) + " " + _("percentage points")
    return "±" + amount(indicator, tolerance)


def describe(indicator: Bounded) -> str:
    """The whole bound in one sentence, for the catalog pages and the report form's hints."""
    return cjk_spacing(_describe(indicator))


def _describe(indicator: Bounded) -> str:
    own = describe_range(indicator)
    if indicator.change_basis == PARENT and indicator.parent_tolerance is not None:
        text = _("change within %(tolerance)s of the parent region's change") % {
            "tolerance": describe_tolerance(indicator)
        }
        if own:
            text += _(" (without the parent's change: %(range)s)") % {"range": own}
        return text
    if own:
        return _("year-on-year change within %(range)s") % {"range": own}
    return ""


def outside(indicator: Bounded, value: Decimal) -> bool:
    """Whether a change (in the measure) lies outside the own bound."""
    lower, upper = indicator.change_lower, indicator.change_upper
    return (lower is not None and value < lower) or (upper is not None and value > upper)
