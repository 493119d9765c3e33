"""Plotly figure builders for plans: pure functions from plain data to a figure dict
(no ORM, no I/O), rendered by the vendored plotly.js and testable without a browser.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

DAY_MS = 24 * 60 * 60 * 1000

# Colour is never the only signal: each bar also carries its status in text, and overdue
# bars get a hatched pattern, a red outline and the word "overdue".
STATUS_COLOURS = {
    "not_started": "#8a96a3",
    "on_track": "#1b7a3a",
    "delayed": "#b26a00",
    "done": "#2f5f98",
}
STATUS_ORDER = ("not_started", "on_track", "delayed", "done")
OVERDUE_COLOUR = "#b3261e"
MAX_LABEL = 28


def _label(title: str) -> str:
    return title if len(title) <= MAX_LABEL else title[: MAX_LABEL - 1] + "…"


def _row_label(row: dict, duplicates: set[str]) -> str:
    label = _label(row["title"])
    return f"{label} (#{row['id']})" if label in duplicates else label


def measure_timeline(rows: list[dict], *, today: date) -> dict:
    """A Gantt-like chart of measures (start → due) with milestones and a "today" line.

    `rows` are dicts with id, title, department, start, due, status, status_label, overdue,
    and milestones (dicts with title, due, done_on, overdue), as `selectors.timeline_rows` gives.
    """
    seen: dict[str, int] = {}
    for row in rows:
        seen[_label(row["title"])] = seen.get(_label(row["title"]), 0) + 1
    duplicates = {label for label, n in seen.items() if n > 1}
    overdue_text = _("overdue")

    data: list[dict] = []
    for status in STATUS_ORDER:
        subset = [r for r in rows if r["status"] == status]
        if not subset:
            continue
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": subset[0]["status_label"],
                "legendgroup": status,
                "y": [_row_label(r, duplicates) for r in subset],
                "base": [r["start"].isoformat() for r in subset],
                "x": [((r["due"] - r["start"]).days + 1) * DAY_MS for r in subset],
                "text": [
                    f"{r['status_label']} · {overdue_text}" if r["overdue"] else r["status_label"]
                    for r in subset
                ],
                "textposition": "inside",
                "insidetextanchor": "start",
                "customdata": [
                    [r["title"], r["department"], r["start"].isoformat(), r["due"].isoformat()]
                    for r in subset
                ],
                "hovertemplate": (
                    "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>"
                    "%{customdata[2]} → %{customdata[3]}<br>%{text}<extra></extra>"
                ),
                "marker": {
                    "color": STATUS_COLOURS[status],
                    "line": {
                        "color": [OVERDUE_COLOUR if r["overdue"] else STATUS_COLOURS[status] for r in subset],
                        "width": [3 if r["overdue"] else 1 for r in subset],
                    },
                    "pattern": {"shape": ["/" if r["overdue"] else "" for r in subset]},
                },
            }
        )

    groups = (
        ("done", _("Milestone done"), "diamond", STATUS_COLOURS["done"]),
        ("pending", _("Milestone pending"), "diamond-open", "#1d2733"),
        ("overdue", _("Milestone overdue"), "x", OVERDUE_COLOUR),
    )
    for key, name, symbol, colour in groups:
        points = []
        for r in rows:
            for m in r["milestones"]:
                state = "done" if m["done_on"] else ("overdue" if m["overdue"] else "pending")
                if state == key:
                    points.append((r, m))
        if not points:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [m["due"].isoformat() for _r, m in points],
                "y": [_row_label(r, duplicates) for r, _m in points],
                "text": [m["title"] for _r, m in points],
                "hovertemplate": f"%{{text}}<br>%{{x}}<br>{name}<extra></extra>",
                "marker": {
                    "symbol": symbol,
                    "size": 11,
                    "color": colour,
                    "line": {"width": 2, "color": colour},
                },
            }
        )

    starts = [r["start"] for r in rows] or [today]
    ends = [r["due"] for r in rows] or [today]
    lo, hi = min([*starts, today]), max([*ends, today])
    pad = timedelta(days=max(15, (hi - lo).days // 30))
    return {
        "data": data,
        "layout": {
            "barmode": "overlay",
            "height": 140 + 34 * max(len(rows), 1),
            "margin": {"l": 10, "r": 10, "t": 30, "b": 40},
            "xaxis": {"type": "date", "range": [(lo - pad).isoformat(), (hi + pad).isoformat()]},
            "yaxis": {"type": "category", "autorange": "reversed", "automargin": True},
            "legend": {"orientation": "h", "y": -0.15},
            "shapes": [
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": today.isoformat(),
                    "x1": today.isoformat(),
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": OVERDUE_COLOUR, "width": 2, "dash": "dot"},
                }
            ],
            "annotations": [
                {
                    "x": today.isoformat(),
                    "xref": "x",
                    "y": 1,
                    "yref": "paper",
                    "yanchor": "bottom",
                    "text": _("Today"),
                    "showarrow": False,
                    "font": {"color": OVERDUE_COLOUR},
                }
            ],
        },
    }
