"""The engine's stored English texts, for people: rule explanations, missing-figure reasons and
recompute-run reasons translated at display time.

The engine and the recompute triggers store plain English (they are part of the trace and of
the API, and stay as they are); the pages read them through here. Formulas ("Q_k = 1 − (1 − T)^(k/n)")
stay formulas; rule sentences and reasons are matched exactly (rules) or by pattern (reasons)
and rendered with gettext, codes replaced by catalog names. A text nothing matches is shown as
stored, so a new engine text is never hidden — only untranslated (a test lists the engine's rules).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import engine, metrics

#: Every rule sentence the engine writes before a formula, → its translation (msgid = the text).
RULES = {
    # §7 annual warning
    engine._ANNUAL_RULES[engine.RED]: gettext_lazy("red: r_t < 0 (intensity rose)"),
    engine._ANNUAL_RULES[engine.YELLOW]: gettext_lazy("yellow: 0 ≤ r_t < annual requirement a"),
    engine._ANNUAL_RULES[engine.GREEN]: gettext_lazy("green: r_t ≥ annual requirement a"),
    # §7 progress warning
    engine._PROGRESS_RULES[engine.GREEN]: gettext_lazy("green: R_t ≥ Q_k"),
    engine._PROGRESS_RULES[engine.YELLOW]: gettext_lazy("yellow: R_t < Q_k and Q_k − R_t ≤ 0.10 × Q_k"),
    engine._PROGRESS_RULES[engine.RED]: gettext_lazy("red: R_t < Q_k and Q_k − R_t > 0.10 × Q_k"),
    # §8 total energy
    engine._TOTAL_RULES[engine.GREEN]: gettext_lazy("green: X_t = E^T_t − A_k ≤ 0"),
    engine._TOTAL_RULES[engine.YELLOW]: gettext_lazy("yellow: 0 < X_t ≤ 0.10 × (A_k − E^T_b)"),
    engine._TOTAL_RULES[engine.RED]: gettext_lazy("red: X_t > 0.10 × (A_k − E^T_b)"),
    engine._TOTAL_RED_NO_INCREMENT: gettext_lazy("red: X_t > 0 and allowed increment A_k − E^T_b ≤ 0"),
    # non-fossil path
    engine._NF_RULES[engine.GREEN]: gettext_lazy("green: share_t ≥ S_b + (T_NF − S_b) × k/n"),
    engine._NF_RULES[engine.YELLOW]: gettext_lazy(
        "yellow: S_b + (T_NF − S_b) × (k−1)/n ≤ share_t < S_b + (T_NF − S_b) × k/n"
    ),
    engine._NF_RULES[engine.RED]: gettext_lazy("red: share_t < S_b + (T_NF − S_b) × (k−1)/n"),
    # §10 peak outlook
    engine._OUTLOOK_RULES[engine.OUTLOOK_PEAKED]: gettext_lazy("peaked: co2_peaked = 1"),
    engine._OUTLOOK_RULES[engine.OUTLOOK_FALLING]: gettext_lazy(
        "falling: not peaked and (1 + g)(1 − d) ≤ 1 (emissions would peak now)"
    ),
    engine._OUTLOOK_RULES[engine.OUTLOOK_RISING]: gettext_lazy("rising: not peaked and (1 + g)(1 − d) > 1"),
    # §9 grade
    engine._GRADE_RULES["missed"]: gettext_lazy(
        "not_completed: the graded target is missed (k = n: R_n < T; k < n: progress warning red)"
    ),
    engine._GRADE_RULES[engine.GRADE_PENDING]: gettext_lazy("pending_review: no measures score entered"),
    engine._GRADE_RULES[engine.GRADE_EXCEEDED]: gettext_lazy("exceeded: score_total ≥ 95"),
    engine._GRADE_RULES[engine.GRADE_COMPLETED]: gettext_lazy("completed: 80 ≤ score_total < 95"),
    engine._GRADE_RULES[engine.GRADE_BASIC]: gettext_lazy("basically_completed: 60 ≤ score_total < 80"),
    engine._GRADE_RULES[engine.GRADE_FAILED]: gettext_lazy("not_completed: score_total < 60"),
    # formulas that are sentences
    engine.F_PEAK_YEAR: gettext_lazy(
        "peak year = the year of the highest CO2 among t and earlier years with CO2"
    ),
    engine.F_PEAKED: gettext_lazy(
        "peaked = 1 if the peak year ≤ t − 2 and every later year is lower, else 0"
    ),
    engine.F_SCORE_MEASURES: gettext_lazy("score_measures: entered by a provincial reviewer (0–60)"),
    "provisional (k < n)": gettext_lazy("provisional (k < n)"),
}

_SEPARATOR = "; "


_RULE_PATTERN = re.compile(
    "(?:^|(?<=; ))(" + "|".join(re.escape(r) for r in sorted(RULES, key=len, reverse=True)) + ")(?=; |$)"
)


def rule_text(text: str) -> str:
    """A stored formula/rule text for people: each rule sentence in it ("; "-separated parts,
    a rule may itself contain "; ") translated, formulas left as they are."""
    if not text:
        return ""
    return _RULE_PATTERN.sub(lambda m: str(RULES[m.group(1)]), text)


# --- missing-figure reasons --------------------------------------------------------------------------

Names = Mapping[str, str]


def code_names(text: str, names: Names) -> str:
    """Codes in a reason (indicator or metric codes, comma-separated lists) replaced by their names."""
    return re.sub(r"[a-z][a-z0-9_]*[a-z0-9]", lambda m: names.get(m.group(0), m.group(0)), text)


def target_name(code: str) -> str:
    """A plan-period target's name without its unit ("Annual energy intensity reduction")."""
    from apps.targets.models import TargetMetric

    if code not in TargetMetric.values:
        return code
    return re.split(r"\s*[（(]", str(TargetMetric(code).label))[0]


def _reason_patterns() -> list[tuple[re.Pattern, Callable[[dict, Names], str]]]:
    def n(value: str, names: Names) -> str:
        return code_names(value, names)

    def t(value: str, names: Names) -> str:
        return target_name(value) if target_name(value) != value else n(value, names)

    return [
        (
            re.compile(r"no input values for (?P<year>\d{4})"),
            lambda g, m: _("no input values for %(year)s") % g,
        ),
        (
            re.compile(r"year is outside every configured period"),
            lambda g, m: _("the year is outside every configured plan period"),
        ),
        (
            re.compile(r"(?P<what>\w+) missing for (?P<year>\d{4}) \(base year of (?P<code>\S+)\)"),
            lambda g, m: (
                _("%(what)s missing for %(year)s (base year of %(code)s)") % {**g, "what": n(g["what"], m)}
            ),
        ),
        (
            re.compile(r"(?P<what>\w+) missing for (?P<year>\d{4}) \((?:needed for D_t)\)"),
            lambda g, m: _("%(what)s missing for %(year)s (needed for D_t)") % {**g, "what": n(g["what"], m)},
        ),
        (
            re.compile(r"(?P<what>\w+) (?:missing|absent) for (?P<year>\d{4}) \(five years t−4…t needed\)"),
            lambda g, m: (
                _("%(what)s missing for %(year)s (five years t−4…t are needed)")
                % {**g, "what": n(g["what"], m)}
            ),
        ),
        (
            re.compile(r"(?P<what>[\w, ]+) missing for (?P<year>\d{4})"),
            lambda g, m: _("%(what)s missing for %(year)s") % {**g, "what": n(g["what"], m)},
        ),
        (
            re.compile(
                r"energy for intensity E\^I = (?P<value>\S+) is not positive for (?P<year>\d{4}): refused"
            ),
            lambda g, m: (
                _("energy for intensity E^I = %(value)s is not positive for %(year)s: not computed") % g
            ),
        ),
        (
            re.compile(
                r"CO2 emissions (?P<value>\S+) are not positive for (?P<year>\d{4}): carbon intensity refused"
            ),
            lambda g, m: (
                _("CO2 emissions %(value)s are not positive for %(year)s: carbon intensity not computed") % g
            ),
        ),
        (
            re.compile(r"(?P<what>\S+) = (?P<value>\S+) for (?P<year>\d{4}) is not positive: LMDI refused"),
            lambda g, m: _("%(what)s = %(value)s is not positive for %(year)s: no LMDI decomposition") % g,
        ),
        (
            re.compile(r"(?P<what>\w+) (?P<value>\S+) for (?P<year>\d{4}) is not positive: refused"),
            lambda g, m: (
                _("%(what)s %(value)s for %(year)s is not positive: not computed")
                % {**g, "what": n(g["what"], m)}
            ),
        ),
        (
            re.compile(r"(?P<what>\w+) (?P<value>\S+) is not positive for (?P<year>\d{4}): refused"),
            lambda g, m: (
                _("%(what)s %(value)s for %(year)s is not positive: not computed")
                % {**g, "what": n(g["what"], m)}
            ),
        ),
        (
            re.compile(r"factor set (?P<code>\S+) has no grid emission factor"),
            lambda g, m: _("factor set %(code)s has no grid emission factor") % g,
        ),
        (
            re.compile(r"required progress Q_k is 0 for (?P<period>\S+): completion undefined"),
            lambda g, m: _("the required progress Q_k is 0 for %(period)s: completion undefined") % g,
        ),
        (
            re.compile(r"(?:(?P<what>\w+) )?target is 0 % for (?P<period>\S+): target share undefined"),
            lambda g, m: _("the target is 0 %% for %(period)s: target share undefined") % g,
        ),
        (
            re.compile(
                r"(?P<what>\w+) target (?P<value>\S+) % for (?P<period>\S+) is not below 100 %: refused"
            ),
            lambda g, m: (
                _("the %(what)s target %(value)s %% for %(period)s is not below 100 %%: not used")
                % {**g, "what": n(g["what"], m)}
            ),
        ),
        (
            re.compile(r"no (?P<what>\w+) target for (?P<period>\S+)"),
            lambda g, m: _("no %(what)s target for %(period)s") % {**g, "what": t(g["what"], m)},
        ),
        (
            re.compile(r"no measures score entered for (?P<year>\d{4})"),
            lambda g, m: _("no measures score entered for %(year)s") % g,
        ),
        (
            re.compile(r"measures score (?P<value>\S+) for (?P<year>\d{4}) is outside 0–60: refused"),
            lambda g, m: _("measures score %(value)s for %(year)s is outside 0–60: not used") % g,
        ),
        (
            re.compile(r"co2_emissions absent: (?P<why>.+)"),
            lambda g, m: _("CO2 emissions absent: %(why)s") % {"why": missing_reason(g["why"], m)},
        ),
        (
            re.compile(r"not peaked and (?P<why>.+)"),
            lambda g, m: _("not peaked, and %(why)s") % {"why": missing_reason(g["why"], m)},
        ),
    ]


_PATTERNS: list | None = None


def missing_reason(text: str, names: Names | None = None) -> str:
    """Why a figure is missing, in the active language, with codes named (unknown texts as stored)."""
    global _PATTERNS
    if _PATTERNS is None:
        _PATTERNS = _reason_patterns()
    names = names or {}
    parts = []
    for part in (text or "").split(_SEPARATOR):
        for pattern, render in _PATTERNS:
            found = pattern.fullmatch(part.strip())
            if found:
                parts.append(render({k: v or "" for k, v in found.groupdict().items()}, names))
                break
        else:
            parts.append(part)
    return _SEPARATOR.join(parts)


# --- recompute-run reasons ---------------------------------------------------------------------------

_RUN_EXACT = {
    "demo data seeded": gettext_lazy("demo data seeded"),
    "started by hand": gettext_lazy("started by hand"),
    "nightly full recompute": gettext_lazy("nightly full recompute"),
    "manage.py recompute": gettext_lazy("started from the command line"),
    "reports": gettext_lazy("reports"),
}


def _run_patterns() -> list[tuple[re.Pattern, Callable[[dict], str]]]:
    return [
        (
            re.compile(r"report (?P<id>\d+ )?approved \((?P<year>\d{4})\)"),
            lambda g: (
                _("report %(id)s approved (%(year)s)") % {"id": g["id"].strip(), "year": g["year"]}
                if g["id"]
                else _("a report approved (%(year)s)") % g
            ),
        ),
        (
            re.compile(r"(?P<what>.+) approved \((?P<n>\d+) region\(s\)\)"),
            lambda g: _("%(what)s approved (%(n)s regions)") % {**g, "what": run_reason(g["what"])},
        ),
        (
            re.compile(r"import (?P<file>.+)"),
            lambda g: _("import %(file)s") % g,
        ),
        (
            re.compile(r"targets changed \((?P<period>[^,]*), (?P<n>\d+) regions\)"),
            lambda g: _("targets changed (%(period)s, %(n)s regions)") % g,
        ),
        (
            re.compile(r"targets changed \((?P<period>[^)]*)\)"),
            lambda g: _("targets changed (%(period)s)") % g,
        ),
        (
            re.compile(r"measures score (?P<year>\d{4}) entered"),
            lambda g: _("measures score %(year)s entered") % g,
        ),
        (
            re.compile(r"measures score (?P<year>\d{4}) removed"),
            lambda g: _("measures score %(year)s removed") % g,
        ),
        (
            re.compile(r"(?P<kind>[\w ]+) changed \((?P<id>[^)]*)\)"),
            lambda g: _("catalog changed: %(kind)s (%(id)s)") % g,
        ),
    ]


_RUN_PATTERNS: list | None = None


def run_reason(text: str) -> str:
    """A recompute run's stored reason in the active language (unknown reasons as stored)."""
    global _RUN_PATTERNS
    if _RUN_PATTERNS is None:
        _RUN_PATTERNS = _run_patterns()
    text = (text or "").strip()
    if text in _RUN_EXACT:
        return str(_RUN_EXACT[text])
    for pattern, render in _RUN_PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return render({k: v or "" for k, v in found.groupdict().items()})
    return text


# --- inputs ------------------------------------------------------------------------------------------


# Text inputs the engine writes into a trace (where a figure's requirement came from).
_INPUT_TEXTS = {
    "geometric average of the five-year target": gettext_lazy("geometric average of the five-year target"),
}
_ANNUAL_TARGET_SOURCE = re.compile(r"annual target (?P<code>\w+) for (?P<year>\d{4})")


def format_input(value) -> str:
    """A trace input for people: numbers rounded to at most 4 decimals, thousands separated;
    the engine's text inputs translated (target codes named)."""
    if isinstance(value, str) and value in metrics.TEXT_LABELS:
        return metrics.text_label(value)
    if isinstance(value, str) and value in _INPUT_TEXTS:
        return str(_INPUT_TEXTS[value])
    if isinstance(value, str) and value in metrics.catalog():  # e.g. which target is graded
        return metrics.name(value)
    if isinstance(value, str) and (found := _ANNUAL_TARGET_SOURCE.fullmatch(value)):
        return _("annual target “%(name)s” for %(year)s") % {
            "name": target_name(found["code"]),
            "year": found["year"],
        }
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, int):
        return str(value) if 1900 <= value <= 2100 else f"{value:,}"
    if isinstance(value, float | Decimal):
        number = float(value)
        if number.is_integer() and 1900 <= number <= 2100:
            return str(int(number))
        digits = 2 if abs(number) >= 100 else 4
        text = f"{number:,.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


# Trace inputs that are words, not symbols or codes: named for people.
_INPUT_LABELS = {
    "from": gettext_lazy("from (year)"),
    "to": gettext_lazy("to (year)"),
    "graded": gettext_lazy("graded target"),
    "a_source": gettext_lazy("where a comes from"),
}


def input_rows(inputs: Mapping, indicator_labels: Names) -> list[dict]:
    """A figure's inputs as rows: label (indicator or metric name with unit, else the symbol),
    the code, the rounded value and the full value (for a tooltip)."""
    rows = []
    for key, value in inputs.items():
        if key in indicator_labels:
            label = indicator_labels[key]
        elif key in metrics.catalog():
            label = metrics.info(key).label
        elif key in _INPUT_LABELS:
            label = str(_INPUT_LABELS[key])
        else:
            label = key
        rows.append(
            {
                "label": label,
                "code": key,
                "shown": format_input(value),
                "full": str(value),
                "named": label != key,
            }
        )
    return rows
