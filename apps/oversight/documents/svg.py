"""Server-drawn SVG of the dashboards' Plotly figure dicts (`apps.dashboards.figures`), for the
summary's PDF and DOCX-free HTML: the same traces, legend names, dashes and markers, drawn without
a browser.

Why not kaleido: on this machine kaleido 1.5 with Debian's Chromium took 6.7 s for the first chart
(browser start and plotly.js load) and 0.5–0.9 s for each further one, so a city summary with nine
charts could not be generated in 3 s; these SVGs take milliseconds and are byte-stable. Only what
the builders use is drawn: scatter (lines, markers, text), grouped bars and waterfalls.
"""

from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT = 640, 330
LEFT, RIGHT, TOP = 64, 16, 14
FONT = "Noto Sans CJK SC, Noto Sans, sans-serif"
DASHES = {"solid": "", "dash": "7 4", "dashdot": "9 3 2 3", "dot": "2 3", "longdash": "12 4"}
LEGEND_ROW = 18


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _fmt(value: float, step: float, suffix: str = "") -> str:
    digits = 0 if step >= 1 else min(4, max(0, -math.floor(math.log10(step)) + (1 if step * 10 % 10 else 0)))
    return f"{value:,.{digits}f}{suffix}"


def _t(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, size: int = 10, anchor: str = "middle") -> str:
    return f'<text x="{_t(x)}" y="{_t(y)}" font-size="{size}" text-anchor="{anchor}">{escape(text)}</text>'


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return f'<rect x="{_t(x)}" y="{_t(y)}" width="{_t(width)}" height="{_t(height)}" fill="{fill}"/>'


def _marker(symbol: str, x: float, y: float, colour: str, size: float) -> str:
    r = max(size / 2.4, 2.5)
    if symbol.startswith("square"):
        return _rect(x - r, y - r, 2 * r, 2 * r, colour)
    if symbol.startswith("diamond"):
        d = r * 1.3
        pts = f"{_t(x)},{_t(y - d)} {_t(x + d)},{_t(y)} {_t(x)},{_t(y + d)} {_t(x - d)},{_t(y)}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    if symbol.startswith("triangle"):
        pts = f"{_t(x)},{_t(y - r * 1.3)} {_t(x + r * 1.2)},{_t(y + r)} {_t(x - r * 1.2)},{_t(y + r)}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    if symbol.startswith("star"):
        pts = []
        for i in range(10):
            radius = r * 1.6 if i % 2 == 0 else r * 0.7
            angle = math.pi / 2 + i * math.pi / 5
            pts.append(f"{_t(x + radius * math.cos(angle))},{_t(y - radius * math.sin(angle))}")
        return f'<polygon points="{" ".join(pts)}" fill="{colour}" stroke="#000" stroke-width="0.8"/>'
    if symbol.startswith("x"):
        return (
            f'<path d="M{_t(x - r)},{_t(y - r)}L{_t(x + r)},{_t(y + r)}'
            f'M{_t(x - r)},{_t(y + r)}L{_t(x + r)},{_t(y - r)}" '
            f'stroke="{colour}" stroke-width="1.5"/>'
        )
    return f'<circle cx="{_t(x)}" cy="{_t(y)}" r="{_t(r)}" fill="{colour}"/>'


def _legend(entries: list[tuple[str, str, str, bool]], top: float) -> tuple[list[str], float]:
    """Legend rows under the plot: (name, colour, dash, is_bar) entries, wrapped to the width."""
    out: list[str] = []
    x, y = LEFT, top
    for name, colour, dash, is_bar in entries:
        width = 34 + 12 * len(name) * (1.0 if any(ord(c) > 0x2E80 for c in name) else 0.55)
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, y = LEFT, y + LEGEND_ROW
        if is_bar:
            out.append(f'<rect x="{_t(x)}" y="{_t(y - 9)}" width="18" height="10" fill="{colour}"/>')
        else:
            dash_attr = f' stroke-dasharray="{DASHES.get(dash, "")}"' if DASHES.get(dash) else ""
            out.append(
                f'<line x1="{_t(x)}" y1="{_t(y - 4)}" x2="{_t(x + 22)}" y2="{_t(y - 4)}" stroke="{colour}" '
                f'stroke-width="2.5"{dash_attr}/>'
            )
        out.append(f'<text x="{_t(x + 26)}" y="{_t(y)}" font-size="11">{escape(name)}</text>')
        x += width
    return out, y + LEGEND_ROW


def figure_svg(figure: dict) -> str:
    """One Plotly figure dict as a standalone SVG document (text in the CJK font)."""
    data = figure.get("data") or []
    layout = figure.get("layout") or {}
    is_waterfall = any(t.get("type") == "waterfall" for t in data)
    is_bar = any(t.get("type") == "bar" for t in data)
    categorical = is_waterfall or is_bar
    suffix = (layout.get("yaxis") or {}).get("ticksuffix", "")

    # x positions
    if categorical:
        categories: list = []
        for trace in data:
            for x in trace.get("x", []):
                if x not in categories:
                    categories.append(x)
    else:
        years = sorted({x for t in data for x in t.get("x", []) if x is not None})
        categories = years

    # y range
    values: list[float] = [0.0] if categorical else []
    for trace in data:
        if trace.get("type") == "waterfall":
            running = 0.0
            for measure, y in zip(trace.get("measure", []), trace.get("y", []), strict=False):
                if y is None:
                    continue
                running = y if measure == "total" else running + y
                values.append(running)
        else:
            values.extend(y for y in trace.get("y", []) if y is not None)
    if not values or not categories:
        return ""
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - (pad if low < 0 or not categorical else 0), high + pad
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step

    legend_entries = [
        (
            str(t.get("name", "")),
            (t.get("line") or {}).get("color") or (t.get("marker") or {}).get("color") or "#333",
            (t.get("line") or {}).get("dash", "solid"),
            t.get("type") == "bar",
        )
        for t in data
        if layout.get("showlegend", True) and t.get("type") != "waterfall" and t.get("name")
    ]
    plot_bottom = (
        HEIGHT - 50 - (LEGEND_ROW * max(1, math.ceil(len(legend_entries) / 2)) if legend_entries else 0)
    )
    plot_w, plot_h = WIDTH - LEFT - RIGHT, plot_bottom - TOP

    def sy(v: float) -> float:
        return plot_bottom - (v - low) / (high - low) * plot_h

    n = len(categories)
    if categorical:
        band = plot_w / n

        def sx(x) -> float:
            return LEFT + band * (categories.index(x) + 0.5)
    else:
        first, last = categories[0], categories[-1]
        span = max(last - first, 1)

        def sx(x) -> float:
            return LEFT + 14 + (x - first) / span * (plot_w - 28)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="{FONT}" role="img">'
    ]
    # grid and y ticks
    tick = low
    while tick <= high + step / 1000:
        y = sy(tick)
        colour = "#888" if abs(tick) < step / 1000 else "#e3e6ea"
        out.append(
            f'<line x1="{LEFT}" y1="{_t(y)}" x2="{WIDTH - RIGHT}" y2="{_t(y)}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        out.append(_text(LEFT - 6, y + 4, _fmt(tick, step, suffix), anchor="end"))
        tick += step
    # x ticks
    label_every = max(1, math.ceil(n / 12))
    for i, x in enumerate(categories):
        if i % label_every:
            continue
        text = str(x)
        if categorical:
            wide = any(ord(c) > 0x2E80 for c in text)
            room = max(4, int(plot_w / n / (10.5 if wide else 6)))
            if len(text) > room:
                text = text[: room - 1] + "…"
        out.append(_text(sx(x), plot_bottom + 16, text))
    y_title = ((layout.get("yaxis") or {}).get("title") or {}).get("text", "")
    if y_title:
        out.append(
            f'<text x="12" y="{_t(TOP + plot_h / 2)}" font-size="10" text-anchor="middle" '
            f'transform="rotate(-90 12 {_t(TOP + plot_h / 2)})">{escape(str(y_title))}</text>'
        )

    bars = [t for t in data if t.get("type") == "bar"]
    for trace in data:
        kind = trace.get("type", "scatter")
        if kind == "waterfall":
            out.extend(_waterfall(trace, sx, sy, plot_w / n))
        elif kind == "bar":
            out.extend(_bars(trace, bars.index(trace), len(bars), sx, sy, plot_w / n))
        else:
            out.extend(_scatter(trace, sx, sy))
    legend, _bottom = _legend(legend_entries, plot_bottom + 38)
    out.extend(legend)
    out.append("</svg>")
    return "".join(out)


def _scatter(trace: dict, sx, sy) -> list[str]:
    out: list[str] = []
    mode = trace.get("mode", "lines+markers")
    line = trace.get("line") or {}
    marker = trace.get("marker") or {}
    colour = line.get("color") or marker.get("color") or "#333"
    points = list(zip(trace.get("x", []), trace.get("y", []), strict=False))
    if "lines" in mode:
        segment: list[str] = []
        segments = []
        for x, y in points:
            if x is None or y is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{_t(sx(x))},{_t(sy(y))}")
        if segment:
            segments.append(segment)
        dash = DASHES.get(line.get("dash", "solid"), "")
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for seg in segments:
            out.append(
                f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" '
                f'stroke-width="{line.get("width", 2)}"{dash_attr}/>'
            )
    if "markers" in mode:
        for x, y in points:
            if x is not None and y is not None:
                out.append(
                    _marker(
                        marker.get("symbol", "circle"),
                        sx(x),
                        sy(y),
                        marker.get("color", colour),
                        marker.get("size", 7),
                    )
                )
    if "text" in mode:
        for (x, y), text in zip(points, trace.get("text", []), strict=False):
            if x is not None and y is not None:
                out.append(_text(sx(x), sy(y) - 12, str(text)))
    return out


def _bars(trace: dict, index: int, count: int, sx, sy, band: float) -> list[str]:
    out = []
    colour = (trace.get("marker") or {}).get("color", "#333")
    width = band * 0.8 / count
    for x, y in zip(trace.get("x", []), trace.get("y", []), strict=False):
        if y is None:
            continue
        left = sx(x) - band * 0.4 + index * width
        top, bottom = sorted((sy(y), sy(0)))
        out.append(_rect(left, top, width - 1, max(bottom - top, 0.5), colour))
        out.append(_text(left + width / 2, top - 3, f"{y:.1f}%", size=9))
    return out


def _waterfall(trace: dict, sx, sy, band: float) -> list[str]:
    out = []
    colours = {
        "increasing": ((trace.get("increasing") or {}).get("marker") or {}).get("color", "#D55E00"),
        "decreasing": ((trace.get("decreasing") or {}).get("marker") or {}).get("color", "#0072B2"),
        "totals": ((trace.get("totals") or {}).get("marker") or {}).get("color", "#6b7785"),
    }
    running = 0.0
    texts = trace.get("text") or []
    for i, (x, measure, y) in enumerate(zip(trace["x"], trace["measure"], trace["y"], strict=False)):
        if y is None:
            continue
        if measure == "total":
            start, end, colour = 0.0, y, colours["totals"]
            running = y
        else:
            start, end = running, running + y
            colour = colours["increasing"] if y >= 0 else colours["decreasing"]
            running = end
        top, bottom = sorted((sy(start), sy(end)))
        left = sx(x) - band * 0.3
        out.append(_rect(left, top, band * 0.6, max(bottom - top, 0.5), colour))
        label = texts[i] if i < len(texts) else f"{y:+,.1f}"
        out.append(_text(sx(x), top - 4, str(label)))
    return out
