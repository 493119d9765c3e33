"""Plain-language explanations of a warning, written from the frozen inputs of its trace.

"能耗强度比上年上升 1.2%，而年度目标要求下降 3.0%，因此为红色预警" — one sentence per warning,
in the active language, from the inputs the engine recorded (methodology §7, §8, §10): the
annual warnings from r_t and a, the progress warnings from R_t and Q_k, the total-energy warning
from E^T_t and A_k, the non-fossil warning from the share and the required path.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.monitoring import metrics

LEVEL_WORDS = {
    "red": lambda: _("a red warning"),
    "yellow": lambda: _("a yellow warning"),
    "green": lambda: _("green (no warning)"),
}


def _pct(value) -> str:
    return f"{abs(float(value)):.1f}%"


def _num(value) -> str:
    return f"{float(value):,.1f}"


def _intensity_name(metric: str) -> str:
    return _("Energy intensity") if metric.startswith("energy_intensity") else _("CO₂ intensity")


def sentence(metric: str, level: str, inputs: dict) -> str:
    """The explanation of one warning (empty when the inputs are not those of a known rule)."""
    if level not in LEVEL_WORDS:
        return ""
    verdict = LEVEL_WORDS[level]()
    try:
        if metric.endswith("_warning_annual"):
            r, a = float(inputs["r_t_pct"]), float(inputs["a_pct"])
            values = {"what": _intensity_name(metric), "r": _pct(r), "a": _pct(a), "verdict": verdict}
            if r < 0:
                return (
                    _(
                        "%(what)s rose %(r)s on the year before, while the annual target requires a fall of %(a)s, so it is %(verdict)s."  # noqa: E501
                    )
                    % values
                )
            if r < a:
                return (
                    _(
                        "%(what)s fell %(r)s on the year before, less than the %(a)s fall the annual target requires, so it is %(verdict)s."  # noqa: E501
                    )
                    % values
                )
            return (
                _(
                    "%(what)s fell %(r)s on the year before, at least the %(a)s fall the annual target requires, so it is %(verdict)s."  # noqa: E501
                )
                % values
            )
        if metric.endswith("_warning_progress"):
            values = {
                "what": _intensity_name(metric),
                "r": _pct(inputs["R_t_pct"]),
                "q": _pct(inputs["Q_k_pct"]),
                "k": int(float(inputs["k"])),
                "n": int(float(inputs["n"])),
                "verdict": verdict,
            }
            verb = _("fell") if float(inputs["R_t_pct"]) >= 0 else _("rose")
            values["verb"] = verb
            return (
                _(
                    "In year %(k)s of %(n)s of the plan period, %(what)s has %(verb)s %(r)s in all since the base year, while the path to the period target requires a fall of %(q)s by now, so it is %(verdict)s."  # noqa: E501
                )
                % values
            )
        if metric == "energy_total_warning":
            used, allowed = float(inputs["E_T_t"]), float(inputs["A_k"])
            unit = metrics.info("energy_total_assessed").unit
            values = {
                "used": f"{_num(used)} {unit}",
                "allowed": f"{_num(allowed)} {unit}",
                "verdict": verdict,
            }
            if used > allowed:
                values["over"] = f"{_num(used - allowed)} {unit}"
                return (
                    _(
                        "Total energy use was %(used)s, %(over)s over the %(allowed)s allowed this year on the way to the period cap, so it is %(verdict)s."  # noqa: E501
                    )
                    % values
                )
            return (
                _(
                    "Total energy use was %(used)s, within the %(allowed)s allowed this year on the way to the period cap, so it is %(verdict)s."  # noqa: E501
                )
                % values
            )
        if metric == "nonfossil_share_warning":
            values = {
                "share": _pct(inputs["share_pct"]),
                "required": _pct(inputs["required_pct"]),
                "verdict": verdict,
            }
            if float(inputs["share_pct"]) >= float(inputs["required_pct"]):
                return (
                    _(
                        "Non-fossil energy was %(share)s of energy use, at least the %(required)s the path to the period target requires, so it is %(verdict)s."  # noqa: E501
                    )
                    % values
                )
            return (
                _(
                    "Non-fossil energy was %(share)s of energy use, below the %(required)s the path to the period target requires, so it is %(verdict)s."  # noqa: E501
                )
                % values
            )
    except (KeyError, TypeError, ValueError):
        return ""
    return ""
