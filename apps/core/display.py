"""How text and numbers read on pages, in the active language: the one place for it.

Chinese text takes full-width punctuation (a label's colon "状态：", a list's "、", parentheses
"（上级）"), English its ASCII marks with the usual spaces; numbers are rounded to the precision
the catalog gives and grouped in thousands with commas in both languages (35,395.52; 3,221.84),
as the statistics bureau's tables and the dashboards print them (a year is not a figure: it is
printed as it is, never through here). Templates reach these through the
`display` tags (a template builtin); views and services call them directly. Machine output
(the API, CSV) does not: it keeps full precision and plain ASCII.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_noop, pgettext

# Django's forms end every label with gettext(":"); its own Chinese catalog keeps the ASCII
# colon, ours gives the full-width one (the project's catalog comes first).
gettext_noop(":")

GROUP_FROM = Decimal(1_000)


def colon() -> str:
    """What separates a label from its value: "：" in Chinese, ": " in English."""
    return pgettext("label separator", ": ")


def with_colon(label) -> str:
    return f"{label}{colon()}"


def list_separator() -> str:
    """Between the items of a list in running text: "、" in Chinese, ", " in English."""
    return pgettext("list separator", ", ")


def join_list(items: Iterable) -> str:
    return list_separator().join(str(item) for item in items)


def parenthesized(text) -> str:
    """An aside after a word: "（上级）" in Chinese, " (parent)" in English."""
    return pgettext("aside in parentheses", " (%(text)s)") % {"text": text}


def sentence_end() -> str:
    """The full stop after a sentence that a template puts together: "。" or "."."""
    return pgettext("full stop", ".")


def format_number(value, precision: int | None = None) -> str:
    """A number for people: rounded to `precision` decimals (None: as stored, trailing zeros
    dropped), thousands grouped; "—" when there is none."""
    if value is None or value == "":
        return "—"
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if precision is None:
        number = number.normalize()
        if number == number.to_integral():
            number = number.quantize(Decimal(1))
        digits = max(0, -number.as_tuple().exponent)
    else:
        digits = max(0, precision)
        number = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    grouped = "," if abs(number) >= GROUP_FROM else ""
    text = f"{number:{grouped}.{digits}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # rounded to zero: no minus sign
    return text


def sentence_separator() -> str:
    """Between sentences or clauses written one after another: "；" in Chinese, "; " in English."""
    return pgettext("sentence separator", "; ")
