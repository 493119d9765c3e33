"""Plotly figure builders of the dashboards: pure functions from plain data to figure dicts.

No request, no ORM, no I/O: callers pass years → values (floats, percent figures in percent as
stored) and already-translated names, so the same figures serve the region dashboard, the
oversight PDFs (kaleido) and public pages, and tests read them without a browser. Given the
same input a builder returns the same dict.

Conventions every builder keeps, so a figure can always be read without colour:
- observed series: solid lines with markers (a different marker symbol per series);
- required paths: dashed lines; period targets and caps: long-dashed lines, each with a legend
  entry (a target is a trace, not a shape, so it is in the legend and in the data table);
- the colour-blind-safe Okabe–Ito palette.
Every trace carries `meta = {"code", "unit", "precision"}` and the layout `meta = {"chart",
"x_code", "x_label"}`; `figure_table()` turns exactly the traces drawn into the rows of the
chart's data table and downloads. Categorical traces (regions, effects) carry their machine
codes in `customdata`. A builder returns None when there is nothing to draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from apps.monitoring import metrics

Values = Mapping[int, float | None]

# Okabe–Ito (colour-blind safe)
BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, BLACK = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#000000",
)
GREY = "#6b7785"
REQUIRED_DASH = "dash"
TARGET_DASH = "dashdot"
SYMBOLS = ("circle", "square", "diamond", "triangle-up")


@dataclass(frozen=True)
class PeriodTarget:
    """A plan period (years first..last; base year = first − 1) and one target value (or None)."""

    label: str
    first_year: int
    last_year: int
    value: float | None

    @property
    def base_year(self) -> int:
        return self.first_year - 1

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


# ---- building blocks ---------------------------------------------------------------------------


def _meta(code: str, unit: str = "", precision: int | None = None) -> dict:
    if precision is None:
        entry = metrics.catalog().get(code)
        precision = entry.precision if entry else 2
    return {"code": code, "unit": unit, "precision": precision}


def _unit(code: str) -> str:
    entry = metrics.catalog().get(code)
    return entry.unit if entry else ""


def _observed(code: str, values: Values, *, colour: str, symbol: str = "circle", name: str = "") -> dict:
    years = sorted(y for y, v in values.items() if v is not None)
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name or metrics.name(code),
        "x": years,
        "y": [values[y] for y in years],
        "line": {"color": colour, "width": 2.5, "dash": "solid"},
        "marker": {"symbol": symbol, "size": 8, "color": colour},
        "meta": _meta(code, _unit(code)),
    }


def _path(
    code: str, x: Sequence[int | None], y: Sequence[float | None], *, name: str, colour: str, unit: str
) -> dict:
    """A required path: dashed, no markers; None in x and y breaks the line (between periods)."""
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": list(x),
        "y": list(y),
        "connectgaps": False,
        "line": {"color": colour, "width": 2, "dash": REQUIRED_DASH},
        "marker": {
            "symbol": "x-thin-open",
            "size": 7,
            "color": colour,
            "line": {"color": colour, "width": 1.5},
        },
        "meta": _meta(code, unit, metrics.catalog()[code].precision if code in metrics.catalog() else 2),
    }


def _target(
    code: str, period: PeriodTarget, level: float, *, name: str, colour: str, unit: str, precision: int
):
    """A period target or cap: a long-dashed horizontal line over the period's years."""
    years = list(range(period.first_year, period.last_year + 1))
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": years,
        "y": [level] * len(years),
        "line": {"color": colour, "width": 2, "dash": TARGET_DASH},
        "meta": _meta(f"{code}_{period.first_year}_{period.last_year}", unit, precision),
    }


def _year_layout(chart: str, title: str, y_title: str, *, percent: bool = False) -> dict:
    return {
        "meta": {"chart": chart, "x_code": "year", "x_label": _("Year")},
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "xaxis": {"title": {"text": _("Year")}, "dtick": 1, "tickformat": "d"},
        "yaxis": {"title": {"text": y_title}, "ticksuffix": "%" if percent else "", "zeroline": True},
        "hovermode": "x unified",
        "showlegend": True,  # even for one trace: the legend names what the line is
        "legend": {"orientation": "h", "y": -0.25, "x": 0, "yanchor": "top"},
        "margin": {"l": 64, "r": 16, "t": 48, "b": 24},
        "height": 400,
        "separators": ".,",
    }


def _has(values: Values) -> bool:
    return any(v is not None for v in values.values())


def _gapped(segments: Sequence[Sequence[tuple[int, float | None]]]) -> tuple[list, list]:
    """Join per-period segments into one trace's x/y with a None gap between them."""
    x: list = []
    y: list = []
    for segment in segments:
        if not segment:
            continue
        if x:
            x.append(None)
            y.append(None)
        for year, value in segment:
            x.append(year)
            y.append(value)
    return x, y


# ---- (a) intensity trends with the required path and the period target ----------------------


def required_intensity(
    value: float | None, reduction_cum: float | None, required: float | None
) -> float | None:
    """The intensity the required progress allows in a year: I_b × (1 − Q_k), with the base-year
    intensity recovered as I_t / (1 − R_t) so that it shares the year's price base (methodology §5)."""
    if value is None or reduction_cum is None or required is None or reduction_cum >= 100:
        return None
    return value * (1 - required / 100) / (1 - reduction_cum / 100)


def base_intensity(values: Values, reduction_cum: Values, period: PeriodTarget) -> float | None:
    """I_b of a period from its latest year with both figures (I_t / (1 − R_t))."""
    for year in range(period.last_year, period.first_year - 1, -1):
        value, cum = values.get(year), reduction_cum.get(year)
        if value is not None and cum is not None and cum < 100:
            return value / (1 - cum / 100)
    return None


def intensity_trend(
    prefix: str,
    values: Values,
    reduction_cum: Values,
    progress_required: Values,
    periods: Sequence[PeriodTarget],
) -> dict | None:
    """Energy or CO2 intensity (prefix `energy_intensity` / `co2_intensity`) over the years, with
    the intensity the required progress allows (dashed) and each period's target level (I_b × (1 − T))."""
    if not _has(values):
        return None
    unit = _unit(prefix)
    precision = metrics.info(prefix).precision
    data = [_observed(prefix, values, colour=BLUE)]
    segments = []
    for period in periods:
        segment = []
        base = base_intensity(values, reduction_cum, period)
        if base is not None and any(
            progress_required.get(y) is not None for y in range(period.first_year, period.last_year + 1)
        ):
            segment.append((period.base_year, base))  # the path starts at the base year's intensity
        for year in range(period.first_year, period.last_year + 1):
            level = required_intensity(values.get(year), reduction_cum.get(year), progress_required.get(year))
            if level is not None:
                segment.append((year, level))
        segments.append(segment)
    x, y = _gapped(segments)
    if x:
        data.append(_path(f"{prefix}_required", x, y, name=_("Required path"), colour=ORANGE, unit=unit))
        data[-1]["meta"]["precision"] = precision
    for period in periods:
        base = base_intensity(values, reduction_cum, period)
        if period.value is None or base is None:
            continue
        level = base * (1 - period.value / 100)
        name = _("Period target %(period)s (−%(target)s%%)") % {
            "period": period.label,
            "target": metrics.format_number(period.value, 1),
        }
        data.append(
            _target(
                f"{prefix}_target",
                period,
                level,
                name=name,
                colour=VERMILLION,
                unit=unit,
                precision=precision,
            )
        )
    layout = _year_layout(prefix, metrics.name(prefix), metrics.info(prefix).label)
    layout["annotations"] = [
        {
            "text": _("At constant prices of each period's base year."),
            "xref": "paper",
            "yref": "paper",
            "x": 1,
            "y": 1.02,
            "xanchor": "right",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 11, "color": GREY},
        }
    ]
    return {"data": data, "layout": layout}


# ---- (b) cumulative reduction vs required progress, one period --------------------------------


def progress(
    period: PeriodTarget,
    energy_cum: Values,
    energy_required: Values,
    co2_cum: Values,
    co2_required: Values,
    energy_target: float | None,
    co2_target: float | None,
) -> dict | None:
    """Cumulative intensity reductions of one period against the progress they require (%).

    The base year is drawn at 0 % for both (R_b = Q_0 = 0 by definition, methodology §5), so a
    period's first year already shows as a line from the origin."""
    years = range(period.base_year, period.last_year + 1)

    def within(values: Values) -> dict[int, float | None]:
        found = {y: values.get(y) for y in years if y != period.base_year}
        if _has(found):
            found[period.base_year] = 0.0
        return found

    energy, co2 = within(energy_cum), within(co2_cum)
    if not (_has(energy) or _has(co2)):
        return None
    data = []
    for code, observed, required, target, colour, symbol in (
        ("energy_intensity_reduction_cum", energy, within(energy_required), energy_target, BLUE, "circle"),
        ("co2_intensity_reduction_cum", co2, within(co2_required), co2_target, GREEN, "square"),
    ):
        if _has(observed):
            data.append(_observed(code, observed, colour=colour, symbol=symbol))
        req_code = code.replace("reduction_cum", "progress_required")
        req_years = [y for y in years if required.get(y) is not None]
        if req_years:
            data.append(
                _path(
                    req_code,
                    req_years,
                    [required[y] for y in req_years],
                    name=metrics.name(req_code),
                    colour=ORANGE if colour == BLUE else PURPLE,
                    unit="%",
                )
            )
        if target is not None:
            target_code = code.replace("reduction_cum", "reduction_target")
            name = (
                _("Energy intensity target %(period)s")
                if code.startswith("energy")
                else _("CO₂ intensity target %(period)s")
            ) % {"period": period.label}
            data.append(
                _target(
                    target_code,
                    period,
                    target,
                    name=name,
                    colour=VERMILLION if colour == BLUE else BLACK,
                    unit="%",
                    precision=2,
                )
            )
    layout = _year_layout(
        "progress",
        _("Cumulative reduction against required progress, %(period)s") % {"period": period.label},
        _("Reduction since the base year (%)"),
        percent=True,
    )
    return {"data": data, "layout": layout}


# ---- (a)/(c) total energy vs allowance and cap --------------------------------------------------


def energy_total(assessed: Values, allowed: Values, periods: Sequence[PeriodTarget]) -> dict | None:
    """Assessed total energy against the year's allowance (dashed path) and each period's cap."""
    if not _has(assessed):
        return None
    code = "energy_total_assessed"
    unit = _unit(code)
    precision = metrics.info(code).precision
    data = [_observed(code, assessed, colour=BLUE)]
    segments = [
        [(y, allowed[y]) for y in range(p.first_year, p.last_year + 1) if allowed.get(y) is not None]
        for p in periods
    ]
    covered = {y for p in periods for y in range(p.first_year, p.last_year + 1)}
    extra = [(y, v) for y, v in sorted(allowed.items()) if v is not None and y not in covered]
    x, y = _gapped([*segments, extra])
    if x:
        data.append(
            _path(
                "energy_total_allowed",
                x,
                y,
                name=metrics.name("energy_total_allowed"),
                colour=ORANGE,
                unit=unit,
            )
        )
    for period in periods:
        if period.value is None:
            continue
        name = _("Period cap %(period)s") % {"period": period.label}
        data.append(
            _target(
                "energy_total_cap",
                period,
                period.value,
                name=name,
                colour=VERMILLION,
                unit=unit,
                precision=precision,
            )
        )
    layout = _year_layout(
        "energy_total", _("Total energy use against its allowance"), metrics.info(code).label
    )
    return {"data": data, "layout": layout}


# ---- (d) non-fossil share vs its path and target ------------------------------------------------


def nonfossil(share: Values, required: Values, periods: Sequence[PeriodTarget]) -> dict | None:
    """The non-fossil share against the required path (dashed) and each period's end target."""
    if not _has(share):
        return None
    data = [_observed("nonfossil_share", share, colour=GREEN, symbol="diamond")]
    segments = [
        [(y, required[y]) for y in range(p.first_year, p.last_year + 1) if required.get(y) is not None]
        for p in periods
    ]
    x, y = _gapped(segments)
    if x:
        data.append(
            _path(
                "nonfossil_share_required",
                x,
                y,
                name=metrics.name("nonfossil_share_required"),
                colour=ORANGE,
                unit="%",
            )
        )
    for period in periods:
        if period.value is None:
            continue
        name = _("Non-fossil target %(period)s") % {"period": period.label}
        data.append(
            _target(
                "nonfossil_share_target",
                period,
                period.value,
                name=name,
                colour=VERMILLION,
                unit="%",
                precision=2,
            )
        )
    layout = _year_layout(
        "nonfossil", metrics.name("nonfossil_share"), metrics.info("nonfossil_share").label, percent=True
    )
    return {"data": data, "layout": layout}


# ---- (e) carbon peak outlook --------------------------------------------------------------------


def peak_so_far(co2: Values, up_to: int | None = None) -> tuple[int, float] | None:
    """The year and value of the highest CO2 up to `up_to` (the earliest year on a tie), as §10."""
    best: tuple[int, float] | None = None
    for year in sorted(co2):
        value = co2[year]
        if value is None or (up_to is not None and year > up_to):
            continue
        if best is None or value > best[1]:
            best = (year, value)
    return best


def co2_peak(co2: Values, *, year: int | None = None, outlook: str = "") -> dict | None:
    """Observed CO2 with its peak so far marked (a star) and the outlook of `year` as a note."""
    shown = {y: v for y, v in co2.items() if year is None or y <= year}
    if not _has(shown):
        return None
    data = [_observed("co2_emissions", shown, colour=BLUE)]
    peak = peak_so_far(shown)
    if peak is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": _("Peak so far (%(year)s)") % {"year": peak[0]},
                "x": [peak[0]],
                "y": [peak[1]],
                "text": [_("peak")],
                "textposition": "top center",
                "marker": {
                    "symbol": "star",
                    "size": 16,
                    "color": VERMILLION,
                    "line": {"color": BLACK, "width": 1},
                },
                "meta": _meta(
                    "co2_peak_value", _unit("co2_emissions"), metrics.info("co2_emissions").precision
                ),
            }
        )
    layout = _year_layout(
        "co2_peak", _("CO₂ emissions and the peak so far"), metrics.info("co2_emissions").label
    )
    if outlook:
        layout["annotations"] = [
            {
                "text": _("Outlook %(year)s: %(outlook)s") % {"year": year, "outlook": outlook},
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1.02,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12},
            }
        ]
        layout["title"]["pad"] = {"b": 16}
    return {"data": data, "layout": layout}


def intensity_decline(d: Values, d_required: Values) -> dict | None:
    """The average CO2-intensity decline d against the decline d* that stops emissions growing."""
    if not (_has(d) or _has(d_required)):
        return None
    data = []
    if _has(d):
        data.append(_observed("co2_intensity_reduction_avg", d, colour=BLUE))
    years = sorted(y for y, v in d_required.items() if v is not None)
    if years:
        data.append(
            _path(
                "co2_intensity_decline_required",
                years,
                [d_required[y] for y in years],
                name=metrics.name("co2_intensity_decline_required"),
                colour=VERMILLION,
                unit="%",
            )
        )
    layout = _year_layout(
        "co2_decline",
        _("Average CO₂ intensity decline d against the decline d* needed"),
        _("% per year"),
        percent=True,
    )
    return {"data": data, "layout": layout}


# ---- (f) LMDI waterfall -------------------------------------------------------------------------


LMDI_EFFECTS = ("activity", "intensity", "carbon_factor")


def lmdi_waterfall(
    effects: Mapping[str, float | None], total: float | None, *, title: str, cumulative: bool
) -> dict | None:
    """The emission change split into activity, energy-intensity and carbon-factor effects
    (10^4 t CO2), ending in the total change; effects keyed by `activity`/`intensity`/`carbon_factor`."""
    if any(effects.get(e) is None for e in LMDI_EFFECTS):
        return None
    suffix = "_cum" if cumulative else ""
    codes = [f"lmdi_{e}{suffix}" for e in LMDI_EFFECTS]
    values = [effects[e] for e in LMDI_EFFECTS]
    if total is None:
        total = sum(values)
    total_code = "co2_change_cum" if cumulative else "co2_change"
    labels = [metrics.name(c).split(" (")[0].split("（")[0] for c in codes] + [_("Total change")]
    unit = _unit("co2_emissions")
    trace = {
        "type": "waterfall",
        "orientation": "v",
        "name": _("Change in CO₂ emissions"),
        "measure": ["relative"] * 3 + ["total"],
        "x": labels,
        "y": [*values, total],
        "customdata": [*codes, total_code],
        "text": [f"{v:+,.1f}" for v in [*values, total]],
        "textposition": "outside",
        "cliponaxis": False,
        "increasing": {"marker": {"color": VERMILLION, "pattern": {"shape": "/"}}},
        "decreasing": {"marker": {"color": BLUE}},
        "totals": {"marker": {"color": GREY}},
        "connector": {"line": {"color": GREY, "dash": "dot"}},
        "meta": _meta("co2_change", unit, 2),
    }
    chart = "lmdi_cum" if cumulative else "lmdi"
    layout = {
        "meta": {"chart": chart, "x_code": "effect", "x_label": _("Effect")},
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "yaxis": {"title": {"text": metrics.info("co2_emissions").label}, "zeroline": True},
        "xaxis": {"automargin": True},
        "showlegend": False,
        "margin": {"l": 64, "r": 16, "t": 48, "b": 48},
        "height": 380,
        "separators": ".,",
    }
    return {"data": [trace], "layout": layout}


# ---- (g) shares: the region in its parent, its children in it -------------------------------


@dataclass(frozen=True)
class ShareRow:
    """One bar group: a region (code, name) and its shares in percent (None: not computable)."""

    code: str
    name: str
    energy: float | None
    co2: float | None


def share_bars(rows: Sequence[ShareRow], *, chart: str, title: str, x_label: str) -> dict | None:
    """Grouped bars of energy-use and CO2 shares (%) per region; hatching tells the two apart."""
    rows = [r for r in rows if r.energy is not None or r.co2 is not None]
    if not rows:
        return None
    data = []
    for code, attr, colour, pattern in (
        ("energy_share", "energy", BLUE, ""),
        ("co2_share", "co2", ORANGE, "/"),
    ):
        name = _("Share of energy use") if attr == "energy" else _("Share of CO₂ emissions")
        data.append(
            {
                "type": "bar",
                "name": name,
                "x": [r.name for r in rows],
                "y": [getattr(r, attr) for r in rows],
                "customdata": [r.code for r in rows],
                "marker": {"color": colour, "pattern": {"shape": pattern}},
                "texttemplate": "%{y:.1f}%",
                "textposition": "outside",
                "cliponaxis": False,
                "meta": _meta(code, "%", 2),
            }
        )
    layout = {
        "meta": {"chart": chart, "x_code": "part_region_code", "x_label": x_label},
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "barmode": "group",
        "showlegend": True,
        "yaxis": {"title": {"text": _("Share (%)")}, "ticksuffix": "%", "rangemode": "tozero"},
        "xaxis": {"automargin": True, "tickangle": -30 if len(rows) > 6 else 0},
        "legend": {"orientation": "h", "y": -0.3, "x": 0, "yanchor": "top"},
        "margin": {"l": 64, "r": 16, "t": 48, "b": 24},
        "height": 400,
        "separators": ".,",
    }
    return {"data": data, "layout": layout}


def share(part: float | None, whole: float | None) -> float | None:
    """`part` as a percentage of `whole` (None when either is missing or the whole is not positive)."""
    if part is None or whole is None or whole <= 0:
        return None
    return part / whole * 100


# ---- the data table of a figure -------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    code: str
    name: str
    unit: str
    precision: int


@dataclass(frozen=True)
class FigureTable:
    """Exactly what a figure draws: one row per x (year, region or effect), one column per trace."""

    x_code: str
    x_label: str
    columns: list[Column]
    rows: list[tuple[str | int, str, list[float | None]]]  # (x code, x label, values per column)


def figure_table(figure: dict) -> FigureTable:
    """The rows of a figure's traces (x values with None gaps skipped), in first-seen x order."""
    meta = figure["layout"].get("meta", {})
    columns: list[Column] = []
    order: list = []
    labels: dict = {}
    cells: dict = {}
    for index, trace in enumerate(figure["data"]):
        info = trace.get("meta", {})
        columns.append(
            Column(
                info.get("code", ""),
                str(trace.get("name", "")),
                info.get("unit", ""),
                info.get("precision", 2),
            )
        )
        keys = trace.get("customdata") or trace["x"]
        for key, label, value in zip(keys, trace["x"], trace["y"], strict=True):
            if key is None:
                continue
            if key not in labels:
                order.append(key)
                labels[key] = label
            cells[(key, index)] = value
    rows = [(key, str(labels[key]), [cells.get((key, i)) for i in range(len(columns))]) for key in order]
    if meta.get("x_code") == "year":
        rows.sort(key=lambda r: r[0])
    return FigureTable(meta.get("x_code", "x"), meta.get("x_label", ""), columns, rows)
