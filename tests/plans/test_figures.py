"""The measure timeline figure builder: a pure function from plain rows to a Plotly dict."""

import json
from datetime import date

import pytest
from django.utils import translation

from apps.plans.figures import DAY_MS, OVERDUE_COLOUR, measure_timeline

TODAY = date(2026, 6, 1)


def row(id, title, start, due, status, overdue=False, milestones=()):
    return {
        "id": id,
        "title": title,
        "department": "南昌市工业和信息化局",
        "start": start,
        "due": due,
        "status": status,
        "status_label": status.replace("_", " ").capitalize(),
        "overdue": overdue,
        "milestones": list(milestones),
    }


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_one_bar_trace_per_status_from_start_to_due_inclusive():
    fig = measure_timeline(
        [
            row(1, "Retrofit", date(2026, 1, 1), date(2026, 1, 10), "on_track"),
            row(2, "Survey", date(2025, 1, 1), date(2025, 12, 31), "done"),
            row(3, "Storage", date(2026, 2, 1), date(2026, 5, 1), "on_track", overdue=True),
        ],
        today=TODAY,
    )
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    assert [t["name"] for t in bars] == ["On track", "Done"]  # fixed status order, absent ones left out
    on_track = bars[0]
    assert on_track["orientation"] == "h"
    assert on_track["y"] == ["Retrofit", "Storage"]
    assert on_track["base"] == ["2026-01-01", "2026-02-01"]
    assert on_track["x"][0] == 10 * DAY_MS
    assert fig["layout"]["xaxis"]["type"] == "date"
    json.dumps(fig)  # plain JSON for json_script


def test_overdue_bars_are_marked_by_text_pattern_and_outline_not_colour_alone():
    fig = measure_timeline(
        [
            row(1, "On time", date(2026, 1, 1), date(2026, 9, 1), "delayed"),
            row(2, "Late", date(2026, 1, 1), date(2026, 5, 1), "delayed", overdue=True),
        ],
        today=TODAY,
    )
    bar = fig["data"][0]
    assert bar["text"] == ["Delayed", "Delayed · overdue"]
    assert bar["marker"]["pattern"]["shape"] == ["", "/"]
    assert bar["marker"]["line"]["color"][1] == OVERDUE_COLOUR
    assert bar["marker"]["line"]["width"] == [1, 3]


def test_milestones_are_markers_grouped_by_state():
    fig = measure_timeline(
        [
            row(
                1,
                "Retrofit",
                date(2026, 1, 1),
                date(2026, 12, 31),
                "on_track",
                milestones=[
                    {
                        "title": "Design",
                        "due": date(2026, 2, 1),
                        "done_on": date(2026, 2, 3),
                        "overdue": False,
                    },
                    {"title": "Tender", "due": date(2026, 4, 1), "done_on": None, "overdue": True},
                    {"title": "Build", "due": date(2026, 9, 1), "done_on": None, "overdue": False},
                ],
            )
        ],
        today=TODAY,
    )
    markers = {t["name"]: t for t in fig["data"] if t["type"] == "scatter"}
    assert set(markers) == {"Milestone done", "Milestone pending", "Milestone overdue"}
    assert markers["Milestone overdue"]["x"] == ["2026-04-01"]
    assert markers["Milestone overdue"]["text"] == ["Tender"]
    assert markers["Milestone overdue"]["marker"]["symbol"] == "x"
    assert markers["Milestone done"]["y"] == ["Retrofit"]


def test_today_line_and_range_cover_all_dates():
    fig = measure_timeline([row(1, "Early", date(2024, 1, 1), date(2024, 3, 1), "done")], today=TODAY)
    (line,) = fig["layout"]["shapes"]
    assert line["x0"] == line["x1"] == "2026-06-01"
    lo, hi = fig["layout"]["xaxis"]["range"]
    assert lo < "2024-01-01" and hi > "2026-06-01"
    assert fig["layout"]["annotations"][0]["text"] == "Today"


def test_duplicate_and_long_titles_stay_distinct_rows():
    long = "建设以新能源为主体的新型电力系统并推进抽水蓄能电站和新型储能项目"
    fig = measure_timeline(
        [
            row(7, long, date(2026, 1, 1), date(2026, 3, 1), "on_track"),
            row(8, long + "（二期）", date(2026, 1, 1), date(2026, 3, 1), "on_track"),
        ],
        today=TODAY,
    )
    labels = fig["data"][0]["y"]
    assert len(set(labels)) == 2
    assert all(len(label) < 40 for label in labels)
    assert fig["data"][0]["customdata"][0][0] == long  # the full title is in the hover


def test_no_measures_gives_an_empty_chart_with_today():
    fig = measure_timeline([], today=TODAY)
    assert fig["data"] == []
    assert fig["layout"]["shapes"][0]["x0"] == "2026-06-01"
