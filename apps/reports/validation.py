"""Plausibility rules over a report's values (issue 4 §2).

The rules are data: RULES below lists every check with its thresholds, so a change of
policy (a tolerance, a range) is a one-line edit reviewed like any other. `validate()`
is a pure function (no ORM): the caller passes the values, notes, the indicator catalog
and the previous year's approved values, and gets back errors (which block submission
and approval) and warnings (shown, never blocking). Drafts may be saved with errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
class Issue:
    field: str  # an indicator code (the field the issue is about)
    code: str  # the rule that raised it
    message: str
    level: str = ERROR
    involves: tuple[str, ...] = ()  # the other fields the rule compared it with (a sum's parts, …)
    previous_year: bool = False  # compared with last year's value of the same field

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
    required: bool
    allow_negative: bool


@dataclass(frozen=True)
class Context:
    values: Mapping[str, Decimal | None]
    notes: Mapping[str, str]
    indicators: Sequence[IndicatorLike]
    previous: Mapping[str, Decimal]  # last year's values of the report in force

    def get(self, code: str) -> Decimal | None:
        return self.values.get(code)

    def has_note(self, code: str) -> bool:
        return bool((self.notes.get(code) or "").strip())


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class RequiredRule:
    """Every indicator the catalog marks required has a value (except those in an either-or group)."""

    exempt: tuple[str, ...] = ()
    code: str = "required"

    def hint(self, indicator: IndicatorLike) -> str | None:
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

    def hint(self, indicator: IndicatorLike) -> str | None:
        if indicator.code not in self.fields:
            return None
        others = ", ".join(f for f in self.fields if f != indicator.code)
        return _("required unless %(others)s is given") % {"others": others}

    def check(self, ctx: Context) -> list[Issue]:
        if any(ctx.get(f) is not None for f in self.fields):
            return []
        names = ", ".join(self.fields)
        message = _("Give at least one of %(names)s.") % {"names": names}
        return [
            Issue(f, self.code, message, involves=tuple(o for o in self.fields if o != f))
            for f in self.fields
        ]


@dataclass(frozen=True)
class NonNegativeRule:
    """Quantities the catalog does not allow to be negative (all energy figures) are ≥ 0."""

    code: str = "non_negative"

    def hint(self, indicator: IndicatorLike) -> str | None:
        return None if indicator.allow_negative else _("≥ 0")

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

    def hint(self, indicator: IndicatorLike) -> str | None:
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
class SumRule:
    """The parts add up to the total within a relative tolerance (of the total)."""

    total: str
    parts: tuple[str, ...]
    tolerance: Decimal
    code: str = "sum"

    def hint(self, indicator: IndicatorLike) -> str | None:
        if indicator.code != self.total:
            return None
        return _("= %(parts)s (within %(tol)s%%)") % {
            "parts": " + ".join(self.parts),
            "tol": _fmt(self.tolerance * 100),
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
                    "parts": " + ".join(self.parts),
                    "sum": _fmt(parts_sum),
                    "tol": _fmt(self.tolerance * 100),
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

    def hint(self, indicator: IndicatorLike) -> str | None:
        if indicator.code != self.field:
            return None
        return _("≤ %(ceiling)s") % {"ceiling": " + ".join(self.ceiling)}

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
                % {"value": _fmt(value), "ceiling": " + ".join(self.ceiling), "limit": _fmt(limit)},
                involves=self.ceiling,
            )
        ]


@dataclass(frozen=True)
class YearOnYearRule:
    """A change beyond ±threshold against last year's approved value needs a written explanation.

    Without a note it is an error; with one, a warning that reviewers see.
    """

    field: str
    threshold: Decimal
    code: str = "year_on_year"

    def hint(self, indicator: IndicatorLike) -> str | None:
        if indicator.code != self.field:
            return None
        return _("explain a change beyond ±%(limit)s%% from last year in the note") % {
            "limit": _fmt(self.threshold * 100)
        }

    def check(self, ctx: Context) -> list[Issue]:
        value, before = ctx.get(self.field), ctx.previous.get(self.field)
        if value is None or before is None or before == 0:
            return []
        change = (value - before) / abs(before)
        if abs(change) <= self.threshold:
            return []
        params = {
            "change": _fmt((change * 100).quantize(Decimal("0.1"))),
            "limit": _fmt(self.threshold * 100),
            "before": _fmt(before),
        }
        if ctx.has_note(self.field):
            message = _("Changed by %(change)s%% from last year's %(before)s (explained in the note).")
            return [Issue(self.field, self.code, message % params, WARNING, previous_year=True)]
        message = _(
            "Changed by %(change)s%% from last year's %(before)s, beyond ±%(limit)s%%: "
            "explain the change in the note."
        )
        return [Issue(self.field, self.code, message % params, previous_year=True)]


FOSSIL = ("energy_coal", "energy_oil", "energy_gas")

RULES = (
    RequiredRule(exempt=("gdp_current", "gdp_index")),
    OneOfRule(("gdp_current", "gdp_index")),
    NonNegativeRule(),
    RangeRule("gdp_index", Decimal(80), Decimal(130)),
    RangeRule("forest_coverage", Decimal(0), Decimal(100)),
    RangeRule("nev_share", Decimal(0), Decimal(100)),
    SumRule("energy_total", (*FOSSIL, "energy_nonfossil"), Decimal("0.01")),
    NotAboveRule("renewable_power", ("energy_nonfossil",)),
    NotAboveRule("feedstock_energy", FOSSIL),
    YearOnYearRule("energy_total", Decimal("0.20")),
    YearOnYearRule("gdp_current", Decimal("0.20")),
)


def validate(
    values: Mapping[str, Decimal | None],
    *,
    indicators: Sequence[IndicatorLike],
    notes: Mapping[str, str] | None = None,
    previous: Mapping[str, Decimal] | None = None,
    rules=RULES,
) -> ValidationResult:
    """Run every rule; errors and warnings in rule order."""
    ctx = Context(values=values, notes=notes or {}, indicators=indicators, previous=previous or {})
    result = ValidationResult()
    for rule in rules:
        for issue in rule.check(ctx):
            (result.errors if issue.is_error else result.warnings).append(issue)
    return result


def hints(indicator: IndicatorLike, rules=RULES) -> list[str]:
    """What the rules ask of one indicator, for form help texts and the Excel template."""
    return [h for rule in rules if (h := rule.hint(indicator))]
