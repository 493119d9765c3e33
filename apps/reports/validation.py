"""Plausibility rules over a report's values (issue 4 §2, issue 15 item 4).

The rules are data in two places: RULES below lists every check with its thresholds (a
tolerance, a range: a one-line edit reviewed like any other), and the indicator catalog holds
each indicator's year-on-year bounds (apps/indicators: editable by whoever edits the catalog,
history-tracked), which `ChangeBoundRule` reads. `validate()` is a pure function (no ORM): the
caller passes the values, notes, the indicator catalog, the previous year's approved values and
the parent region's, and gets back errors (which block submission and approval) and warnings
(shown, never blocking). A value beyond its bounds is an error without an explanation in its
note and a warning with one; the reviewer sees every such flag (`ValidationResult.flags`).
Drafts may be saved with errors. Messages name indicators by their catalog name in the active
language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from apps.indicators import bounds

ERROR = "error"
WARNING = "warning"
FIRST_YEAR = 2005  # methodology: 2005–2060; reports describe a past or the current year
MAX_INTEGER_DIGITS = 14  # ReportValue.value: 20 digits, 6 after the point
MAX_DECIMAL_PLACES = 6


def parse_decimal(raw, *, field_name: str) -> Decimal | None:
    """A user-typed number → Decimal within the stored precision; '' → None.

    Numbers use '.' as the decimal point and no thousands separator (exchange.md).
    """
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, bool):
        raise ValidationError({field_name: _("Enter a number.")})
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        text = str(raw).strip()
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                {field_name: _("“%(value)s” is not a number.") % {"value": text[:40]}}
            ) from None
    if not value.is_finite():
        raise ValidationError({field_name: _("Enter a finite number.")})
    if value.as_tuple().exponent < -MAX_DECIMAL_PLACES:
        value = value.normalize()  # 1.5000000 is fine, 1.0000001 is not
        if value.as_tuple().exponent < -MAX_DECIMAL_PLACES:
            raise ValidationError(
                {
                    field_name: _("Use at most %(n)d digits after the decimal point.")
                    % {"n": MAX_DECIMAL_PLACES}
                }
            )
    if abs(value) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise ValidationError({field_name: _("The number is too large.")})
    return value


@dataclass(frozen=True)
class Flag:
    """What the reviewer needs to judge a value beyond its plausibility bounds."""

    value: Decimal
    previous: Decimal | None  # last year's value (None for checks that do not use it)
    change: str  # the change as people read it, e.g. "−99.0%"
    bound: str  # the bound it is outside, e.g. "±5%"
    note: str  # the explanation given ('' when none yet)


@dataclass(frozen=True)
class Issue:
    field: str  # an indicator code (the field the issue is about)
    code: str  # the rule that raised it
    message: str
    level: str = ERROR
    involves: tuple[str, ...] = ()  # the other fields the rule compared it with (a sum's parts, …)
    previous_year: bool = False  # compared with last year's value of the same field
    flag: Flag | None = None  # set by the rules that an explanation in the note can clear
    indicator_name: str = ""  # the field's catalog name in the active language (set by validate())

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


@dataclass
class ValidationResult:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def flags(self) -> list[Issue]:
        """Values beyond their plausibility bounds, explained (warnings) or not (errors)."""
        return [i for i in [*self.errors, *self.warnings] if i.flag is not None]

    def by_field(self) -> dict[str, list[Issue]]:
        result: dict[str, list[Issue]] = {}
        for issue in [*self.errors, *self.warnings]:
            result.setdefault(issue.field, []).append(issue)
        return result

    def as_error_dict(self) -> dict[str, list[str]]:
        """Errors in the shape of ValidationError(dict): field → messages."""
        result: dict[str, list[str]] = {}
        for issue in self.errors:
            result.setdefault(issue.field, []).append(issue.message)
        return result


class IndicatorLike(Protocol):
    code: str
    name: str  # in the active language
    unit: str
    unit_en: str
    required: bool
    allow_negative: bool
    change_measure: str
    change_lower: Decimal | None
    change_upper: Decimal | None
    change_basis: str
    parent_tolerance: Decimal | None


@dataclass(frozen=True)
class Context:
    values: Mapping[str, Decimal | None]
    notes: Mapping[str, str]
    indicators: Sequence[IndicatorLike]
    previous: Mapping[str, Decimal]  # last year's values of the report in force
    parent: Mapping[str, Decimal] = field(default_factory=dict)  # the parent region's, this year
    parent_previous: Mapping[str, Decimal] = field(default_factory=dict)  # … and last year
    parent_name: str = ""

    def get(self, code: str) -> Decimal | None:
        return self.values.get(code)

    def has_note(self, code: str) -> bool:
        return bool((self.notes.get(code) or "").strip())

    def note(self, code: str) -> str:
        return (self.notes.get(code) or "").strip()

    def name(self, code: str) -> str:
        for ind in self.indicators:
            if ind.code == code:
                return ind.name
        return code

    def names(self, codes: Sequence[str], joiner: str = "list") -> str:
        return join([self.name(c) for c in codes], joiner)

    def indicator(self, code: str) -> IndicatorLike | None:
        return next((i for i in self.indicators if i.code == code), None)


def _chinese() -> bool:
    return (translation.get_language() or "zh-hans").lower().startswith("zh")


def join(names: Sequence[str], joiner: str = "list") -> str:
    """Names in a list ("、" in Chinese, ", " in English) or a sum (" + ")."""
    if joiner == "sum":
        return " + ".join(names)
    return ("、" if _chinese() else ", ").join(names)


def _fmt(value: Decimal) -> str:
    """A number in a message: thousands separators, no trailing zeros (1,309; 12.5)."""
    return bounds.number(value)


def _pct(value: Decimal) -> str:
    return bounds.number(value * 100)


@dataclass(frozen=True)
class RequiredRule:
    """Every indicator the catalog marks required has a value (except those in an either-or group)."""

    exempt: tuple[str, ...] = ()
    code: str = "required"

    def hint(self, indicator: IndicatorLike, ctx: Context | None = None) -> str | None:
        return _("required") if indicator.required and indicator.code not in self.exempt else None

    def check(self, ctx: Context) -> list[Issue]:
        return [
            Issue(ind.code, self.code, _("A value is required."))
            for ind in ctx.indicators
            if ind.required and ind.code not in self.exempt and ctx.get(ind.code) is None
        ]


@dataclass(frozen=True)
class OneOfRule:
    """At least one of a group is given, e.g. GDP at current prices (base year) or the real index.

    Methodology §3 needs `gdp_current` only in a period's base year and `gdp_index` in the
    other years, so a report carries one or both.
    """

    fields: tuple[str, ...]
    code: str = "one_of"

    def hint(self, indicator: IndicatorLike, ctx: Context | None = None) -> str | None:
        if indicator.code not in self.fields:
            return None
        others = ctx.names([f for f in self.fields if f != indicator.code])
        return _("required unless %(others)s is given") % {"others": others}

    def check(self, ctx: Context) -> list[Issue]:
        if any(ctx.get(f) is not None for f in self.fields):
            return []
        message = _("Give at least one of %(names)s.") % {"names": ctx.names(self.fields)}
        return [
            Issue(f, self.code, message, involves=tuple(o for o in self.fields if o != f))
            for f in self.fields
        ]


@dataclass(frozen=True)
class NonNegativeRule:
    """Quantities the catalog does not allow to be negative (all energy figures) are ≥ 0."""

    code: str = "non_negative"

    def hint(self, indicator: IndicatorLike, ctx: Context | None = None) -> str | None:
        if indicator.allow_negative or getattr(indicator, "is_share", False):
            return None  # a share's hint says 0–100%
        return _("≥ 0")

    def check(self, ctx: Context) -> list[Issue]:
        issues = []
        for ind in ctx.indicators:
            value = ctx.get(ind.code)
            if not ind.allow_negative and value is not None and value < 0:
                issues.append(Issue(ind.code, self.code, _("The value must not be negative.")))
        return issues


@dataclass(frozen=True)
class RangeRule:
    """A value lies within [minimum, maximum]."""

    field: str
    minimum: Decimal
    maximum: Decimal
    code: str = "range"

    def hint(self, indicator: IndicatorLike, ctx: Context | None = None) -> str | None:
        if indicator.code != self.field:
            return None
        return _("between %(min)s and %(max)s") % {"min": _fmt(self.minimum), "max": _fmt(self.maximum)}

    def check(self, ctx: Context) -> list[Issue]:
        value = ctx.get(self.field)
        if value is None:
            return []
        if value < self.minimum or value > self.maximum:
            return [
                Issue(
                    self.field,
                    self.code,
                    _("The value must be between %(min)s and %(max)s.")
                    % {"min": _fmt(self.minimum), "max": _fmt(self.maximum)},
                )
            ]
        return []


@dataclass(frozen=True)
class ShareRule:
    """Every share of a whole (an indicator whose catalog unit is %) lies within 0–100 %.

    Derived from the catalog, so a share indicator added later is checked without a code change.
    """

    code: str = "share"

    def hint(self, indicator: IndicatorLike, ctx: Context | None = None) -> str | None:
        return _("0–100%") if indicator.is_share else None

    def check(self, ctx: Context) -> list[Issue]:
        issues = []
        for ind in ctx.indicators:
            value = ctx.get(ind.code)
            if ind.is_share and value is not None and not Decimal(0) <= value <= Decimal(100):
                issues.append(
                    Issue(
                        ind.code,
                        self.code,
                        _("%(name)s is a percentage: it must be between 0 and 100 (given %(value)s).")
                        % {"name": ind.name, "value": _fmt(value)},
                    )
                )
        return issues


@dataclass(frozen=True)
class SumRule:
    """The parts add up to the total within a relative tolerance (of the total)."""

    total: str
    parts: tuple[str, ...]
    tolerance: Decimal
    code: str = "sum"

    def hint(self, indicator: IndicatorLike, ctx: Context | None = None) -> str | None:
        if indicator.code != self.total:
            return None
        return _("= %(parts)s (within %(tol)s%%)") % {
            "parts": ctx.names(self.parts, "sum"),
            "tol": _pct(self.tolerance),
        }

    def check(self, ctx: Context) -> list[Issue]:
        total = ctx.get(self.total)
        parts = [ctx.get(p) for p in self.parts]
        if total is None or any(p is None for p in parts):
            return []  # missing values are the required rule's business
        parts_sum = sum(parts, Decimal(0))
        if abs(parts_sum - total) <= abs(total) * self.tolerance:
            return []
        return [
            Issue(
                self.total,
                self.code,
                _("%(parts)s add up to %(sum)s, more than %(tol)s%% away from the total %(total)s.")
                % {
                    "parts": ctx.names(self.parts, "sum"),
                    "sum": _fmt(parts_sum),
                    "tol": _pct(self.tolerance),
                    "total": _fmt(total),
                },
                involves=self.parts,
            )
        ]


@dataclass(frozen=True)
class NotAboveRule:
    """A value does not exceed the sum of others (e.g. renewable power ≤ non-fossil energy)."""

    field: str
    ceiling: tuple[str, ...]
    code: str = "not_above"

    def hint(self, indicator: IndicatorLike, ctx: Context | None = None) -> str | None:
        if indicator.code != self.field:
            return None
        return _("≤ %(ceiling)s") % {"ceiling": ctx.names(self.ceiling, "sum")}

    def check(self, ctx: Context) -> list[Issue]:
        value = ctx.get(self.field)
        ceiling = [ctx.get(c) for c in self.ceiling]
        if value is None or any(c is None for c in ceiling):
            return []
        limit = sum(ceiling, Decimal(0))
        if value <= limit:
            return []
        return [
            Issue(
                self.field,
                self.code,
                _("The value %(value)s exceeds %(ceiling)s (%(limit)s).")
                % {"value": _fmt(value), "ceiling": ctx.names(self.ceiling, "sum"), "limit": _fmt(limit)},
                involves=self.ceiling,
            )
        ]


def _moved(indicator: IndicatorLike, change: Decimal) -> str:
    """'down 99.0%' / 'up 3.2 percentage points' from last year."""
    size = bounds.amount(indicator, abs(change), places=1)
    if indicator.change_measure == bounds.POINTS:
        if change < 0:
            return _("%(size)s lower than last year") % {"size": size}
        return _("%(size)s higher than last year") % {"size": size}
    if change < 0:
        return _("down %(size)s from last year") % {"size": size}
    return _("up %(size)s from last year") % {"size": size}


def _explained(ctx: Context, field_name: str, code: str, text: str, flag: Flag, **kwargs) -> Issue:
    """An issue that an explanation in the note clears: an error without one, a warning with one."""
    text = text[:1].upper() + text[1:]
    explained = any(ctx.has_note(f) for f in (field_name, *kwargs.get("note_fields", ())))
    kwargs.pop("note_fields", None)
    if explained:
        message = _("%(problem)s (explained in the note).") % {"problem": text}
        return Issue(field_name, code, message, WARNING, flag=flag, **kwargs)
    message = _("%(problem)s: explain it in the note.") % {"problem": text}
    return Issue(field_name, code, message, flag=flag, **kwargs)


@dataclass(frozen=True)
class ChangeBoundRule:
    """Year-on-year change within the bounds the catalog sets for each indicator (issue 15).

    Bound kind "own": the change (percent of last year's value, or the difference in the unit)
    within [lower, upper]. Bound kind "parent": the change differs from the parent region's change
    (same measure) by at most the tolerance; when the parent's change cannot be computed (no
    parent, or it lacks this or last year's approved value) the own bounds apply instead. No
    previous value (or a percentage change from zero): nothing to compare, no flag.
    """

    code: str = "year_on_year"

    def hint(self, indicator: IndicatorLike, ctx: Context | None = None) -> str | None:
        text = bounds.describe(indicator)
        if not text:
            return None
        return _("%(bounds)s, else explain it in the note") % {"bounds": text}

    def check(self, ctx: Context) -> list[Issue]:
        issues = []
        for ind in ctx.indicators:
            issue = self._check_one(ctx, ind)
            if issue is not None:
                issues.append(issue)
        return issues

    def _check_one(self, ctx: Context, ind: IndicatorLike) -> Issue | None:
        value, before = ctx.get(ind.code), ctx.previous.get(ind.code)
        if value is None or before is None:
            return None
        change = bounds.change(ind.change_measure, value, before)
        if change is None:
            return None
        moved = _moved(ind, change)
        parent_change = None
        if ind.change_basis == bounds.PARENT and ind.parent_tolerance is not None:
            p_now, p_before = ctx.parent.get(ind.code), ctx.parent_previous.get(ind.code)
            if p_now is not None and p_before is not None:
                parent_change = bounds.change(ind.change_measure, p_now, p_before)
        if parent_change is not None:
            gap = change - parent_change
            if abs(gap) <= ind.parent_tolerance:
                return None
            bound = bounds.describe_tolerance(ind)
            if ind.change_measure == bounds.PERCENT:
                points = bounds.number(abs(gap), 1) + " " + _("percentage points")
            else:
                points = bounds.amount(ind, abs(gap), places=1)
            params = {
                "moved": moved,
                "parent": ctx.parent_name or _("the parent region"),
                "parent_change": bounds.amount(ind, parent_change, places=1, sign=True),
                "gap": points,
                "bound": bound,
                "before": _fmt(before),
            }
            if gap > 0:
                text = _(
                    "%(moved)s, %(gap)s more than %(parent)s (%(parent_change)s), beyond the "
                    "tolerance of %(bound)s (last year %(before)s)"
                )
            else:
                text = _(
                    "%(moved)s, %(gap)s less than %(parent)s (%(parent_change)s), beyond the "
                    "tolerance of %(bound)s (last year %(before)s)"
                )
            flag = Flag(
                value, before, bounds.amount(ind, change, places=1, sign=True), bound, ctx.note(ind.code)
            )
            return _explained(ctx, ind.code, self.code, text % params, flag, previous_year=True)
        if not bounds.outside(ind, change):
            return None
        bound = bounds.describe_range(ind)
        text = _("%(moved)s, beyond the plausible range of %(bound)s (last year %(before)s)") % {
            "moved": moved,
            "bound": bound,
            "before": _fmt(before),
        }
        flag = Flag(value, before, bounds.amount(ind, change, places=1, sign=True), bound, ctx.note(ind.code))
        return _explained(ctx, ind.code, self.code, text, flag, previous_year=True)


@dataclass(frozen=True)
class OppositeMovesRule:
    """Two indicators that move together do not move apart: e.g. forest stock and forest coverage.

    Flagged when one rises by more than its threshold while the other falls by more than its
    own (each measured as the catalog measures its change); the flag sits on the first field,
    names the second, and a note on either explains it.
    """

    field: str
    other: str
    threshold: Decimal  # of `field`'s change, in its measure
    other_threshold: Decimal  # of `other`'s change, in its measure
    code: str = "moves_together"

    def hint(self, indicator: IndicatorLike, ctx: Context | None = None) -> str | None:
        if indicator.code != self.field:
            return None
        return _("moves with %(other)s") % {"other": ctx.name(self.other)}

    def check(self, ctx: Context) -> list[Issue]:
        a, b = ctx.indicator(self.field), ctx.indicator(self.other)
        if a is None or b is None:
            return []
        changes = []
        for ind in (a, b):
            value, before = ctx.get(ind.code), ctx.previous.get(ind.code)
            if value is None or before is None:
                return []
            change = bounds.change(ind.change_measure, value, before)
            if change is None:
                return []
            changes.append(change)
        ca, cb = changes
        apart = (ca > self.threshold and cb < -self.other_threshold) or (
            ca < -self.threshold and cb > self.other_threshold
        )
        if not apart:
            return []
        text = _(
            "%(name)s %(moved)s while %(other)s %(other_moved)s, although they normally move together"
        ) % {
            "name": a.name,
            "moved": _moved(a, ca),
            "other": b.name,
            "other_moved": _moved(b, cb),
        }
        bound = _("%(name)s and %(other)s in opposite directions by more than %(a)s and %(b)s") % {
            "name": a.name,
            "a": bounds.amount(a, self.threshold),
            "other": b.name,
            "b": bounds.amount(b, self.other_threshold),
        }
        flag = Flag(
            ctx.get(a.code),
            ctx.previous.get(a.code),
            bounds.amount(a, ca, places=1, sign=True) + " / " + bounds.amount(b, cb, places=1, sign=True),
            bound,
            ctx.note(a.code) or ctx.note(b.code),
        )
        return [
            _explained(
                ctx,
                a.code,
                self.code,
                text,
                flag,
                involves=(b.code,),
                previous_year=True,
                note_fields=(b.code,),
            )
        ]


@dataclass(frozen=True)
class PriceChangeRule:
    """GDP at current prices and the real index agree: the implied price change (deflator) is plausible.

    Nominal growth ÷ real growth − 1 outside [lower, upper] is a mismatch between the two GDP
    figures (or a price shock to explain).
    """

    nominal: str
    index: str
    lower: Decimal
    upper: Decimal
    code: str = "price_change"

    def hint(self, indicator: IndicatorLike, ctx: Context | None = None) -> str | None:
        return None

    def check(self, ctx: Context) -> list[Issue]:
        value, before, index = ctx.get(self.nominal), ctx.previous.get(self.nominal), ctx.get(self.index)
        if value is None or not before or not index:
            return []
        implied = ((value / before) / (index / 100) - 1) * 100
        if self.lower <= implied <= self.upper:
            return []
        bound = _("%(lower)s%% to +%(upper)s%%") % {
            "lower": bounds.signed(self.lower),
            "upper": _fmt(self.upper),
        }
        text = _(
            "%(nominal)s and %(index)s imply a price change of %(implied)s%%, outside %(bound)s "
            "(last year %(before)s)"
        ) % {
            "nominal": ctx.name(self.nominal),
            "index": ctx.name(self.index),
            "implied": bounds.signed(implied, 1),
            "bound": bound,
            "before": _fmt(before),
        }
        flag = Flag(value, before, bounds.signed(implied, 1) + "%", bound, ctx.note(self.nominal))
        return [
            _explained(
                ctx,
                self.nominal,
                self.code,
                text,
                flag,
                involves=(self.index,),
                previous_year=True,
                note_fields=(self.index,),
            )
        ]


FOSSIL = ("energy_coal", "energy_oil", "energy_gas")

RULES = (
    RequiredRule(exempt=("gdp_current", "gdp_index")),
    OneOfRule(("gdp_current", "gdp_index")),
    NonNegativeRule(),
    RangeRule("gdp_index", Decimal(80), Decimal(130)),
    ShareRule(),
    SumRule("energy_total", (*FOSSIL, "energy_nonfossil"), Decimal("0.01")),
    NotAboveRule("renewable_power", ("energy_nonfossil",)),
    NotAboveRule("feedstock_energy", FOSSIL),
    ChangeBoundRule(),
    # Forest stock −/+ more than 2 % while coverage +/− more than half a point: one of them is wrong.
    OppositeMovesRule("forest_stock", "forest_coverage", Decimal(2), Decimal("0.5")),
    # The GDP deflator implied by current-price GDP and the real index: −10 % … +15 %.
    PriceChangeRule("gdp_current", "gdp_index", Decimal(-10), Decimal(15)),
)


def validate(
    values: Mapping[str, Decimal | None],
    *,
    indicators: Sequence[IndicatorLike],
    notes: Mapping[str, str] | None = None,
    previous: Mapping[str, Decimal] | None = None,
    parent: Mapping[str, Decimal] | None = None,
    parent_previous: Mapping[str, Decimal] | None = None,
    parent_name: str = "",
    rules=RULES,
) -> ValidationResult:
    """Run every rule; errors and warnings in rule order."""
    ctx = Context(
        values=values,
        notes=notes or {},
        indicators=indicators,
        previous=previous or {},
        parent=parent or {},
        parent_previous=parent_previous or {},
        parent_name=parent_name,
    )
    result = ValidationResult()
    for rule in rules:
        for issue in rule.check(ctx):
            issue = replace(
                issue, message=bounds.cjk_spacing(issue.message), indicator_name=ctx.name(issue.field)
            )
            if issue.flag is not None:
                flag = issue.flag
                issue = replace(
                    issue,
                    flag=replace(
                        flag, change=bounds.cjk_spacing(flag.change), bound=bounds.cjk_spacing(flag.bound)
                    ),
                )
            (result.errors if issue.is_error else result.warnings).append(issue)
    return result


def hints(
    indicator: IndicatorLike, rules=RULES, *, indicators: Sequence[IndicatorLike] | None = None
) -> list[str]:
    """What the rules ask of one indicator, for form help texts and the Excel template.

    `indicators`: the catalog, to name the other indicators a rule involves (default: just this one).
    """
    ctx = Context(values={}, notes={}, indicators=indicators or [indicator], previous={})
    return [bounds.cjk_spacing(h) for rule in rules if (h := rule.hint(indicator, ctx))]


def hint_text(indicator: IndicatorLike, indicators: Sequence[IndicatorLike], rules=RULES) -> str:
    """The hints of one indicator as one line ("；" between them in Chinese, "; " in English)."""
    return ("；" if _chinese() else "; ").join(hints(indicator, rules, indicators=indicators))
