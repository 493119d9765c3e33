"""The figure builders: target lines drawn and labelled, values right, empty data handled,
colour never the only signal, and the data table equal to what is drawn."""

import json

import pytest
from django.utils import translation

from apps.dashboards import figures
from apps.dashboards.figures import PeriodTarget, ShareRow

P13 = PeriodTarget("2016–2020", 2016, 2020, 15.0)
P14 = PeriodTarget("2021–2025", 2021, 2025, 14.0)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def traces(fig, dash=None):
    return [t for t in fig["data"] if dash is None or t.get("line", {}).get("dash") == dash]


def by_code(fig, prefix):
    return [t for t in fig["data"] if t["meta"]["code"].startswith(prefix)]


def intensity_fixture():
    values = {2020: 0.50, 2021: 0.49, 2022: 0.47}
    cum = {2021: 2.0, 2022: 6.0}
    required = {2021: 2.97, 2022: 5.86}
    return values, cum, required


def test_intensity_trend_draws_the_required_path_and_the_period_target_as_dashed_legend_entries():
    values, cum, required = intensity_fixture()
    fig = figures.intensity_trend("energy_intensity", values, cum, required, [P13, P14])
    observed, path, target = fig["data"]
    assert observed["y"] == [0.50, 0.49, 0.47]
    assert path["line"]["dash"] == figures.REQUIRED_DASH and path.get("showlegend", True)
    assert target["line"]["dash"] == figures.TARGET_DASH and target.get("showlegend", True)
    base = 0.47 / (1 - 0.06)  # I_b recovered from the latest year of the period
    assert path["x"][0] == 2020 and path["y"][0] == pytest.approx(base)
    assert path["y"][1] == pytest.approx(0.49 * (1 - 0.0297) / (1 - 0.02))
    assert path["y"][2] == pytest.approx(base * (1 - 0.0586))
    assert target["x"] == [2021, 2022, 2023, 2024, 2025]
    assert target["y"] == [pytest.approx(base * (1 - 0.14))] * 5
    assert "2021–2025" in target["name"] and "14.0" in target["name"]


def test_a_period_without_a_target_or_figures_draws_no_target_line():
    values, cum, required = intensity_fixture()
    fig = figures.intensity_trend(
        "co2_intensity", values, cum, required, [P13, PeriodTarget("2021–2025", 2021, 2025, None)]
    )
    assert not by_code(fig, "co2_intensity_target")  # 13th period: no figures, 14th: no target


def test_empty_data_gives_no_figure():
    assert figures.intensity_trend("energy_intensity", {}, {}, {}, [P14]) is None
    assert figures.intensity_trend("energy_intensity", {2021: None}, {}, {}, [P14]) is None
    assert figures.energy_total({}, {2021: 5.0}, [P14]) is None
    assert figures.nonfossil({}, {}, [P14]) is None
    assert figures.co2_peak({}) is None
    assert figures.intensity_decline({}, {}) is None
    assert figures.progress(P14, {}, {2021: 3.0}, {}, {}, 14.0, 18.0) is None
    assert (
        figures.lmdi_waterfall(
            {"activity": 1.0, "intensity": None, "carbon_factor": 2.0}, 3.0, title="t", cumulative=False
        )
        is None
    )
    assert (
        figures.share_bars(
            [ShareRow("360100", "南昌市", None, None)], chart="children", title="t", x_label="x"
        )
        is None
    )


def test_progress_starts_at_zero_in_the_base_year_and_draws_both_targets():
    fig = figures.progress(
        P14, {2021: 2.0, 2022: 4.5}, {2021: 2.97, 2022: 5.86}, {2021: 3.0}, {2021: 3.89}, 14.0, 18.0
    )
    energy = by_code(fig, "energy_intensity_reduction_cum")[0]
    assert energy["x"] == [2020, 2021, 2022] and energy["y"] == [0.0, 2.0, 4.5]
    required = by_code(fig, "energy_intensity_progress_required")[0]
    assert required["line"]["dash"] == figures.REQUIRED_DASH and required["y"] == [0.0, 2.97, 5.86]
    targets = traces(fig, figures.TARGET_DASH)
    assert sorted(t["y"][0] for t in targets) == [14.0, 18.0]
    assert fig["layout"]["yaxis"]["ticksuffix"] == "%"


def test_total_energy_shows_the_allowance_path_and_the_period_cap():
    no_cap = PeriodTarget("2016–2020", 2016, 2020, None)
    fig = figures.energy_total(
        {2021: 510.0, 2022: 530.0},
        {2021: 506.0, 2022: 512.0},
        [no_cap, PeriodTarget("2021–2025", 2021, 2025, 560.0)],
    )
    allowed = by_code(fig, "energy_total_allowed")[0]
    assert allowed["x"] == [2021, 2022] and allowed["y"] == [506.0, 512.0]
    (cap,) = by_code(fig, "energy_total_cap")
    assert cap["y"] == [560.0] * 5 and cap["line"]["dash"] == figures.TARGET_DASH


def test_nonfossil_share_against_its_path_and_target():
    fig = figures.nonfossil(
        {2020: 18.0, 2021: 19.0}, {2021: 19.4}, [PeriodTarget("2021–2025", 2021, 2025, 22.0)]
    )
    assert by_code(fig, "nonfossil_share_required")[0]["y"] == [19.4]
    assert by_code(fig, "nonfossil_share_target")[0]["y"][0] == 22.0


def test_the_peak_so_far_is_marked_and_the_outlook_written():
    co2 = {2019: 100.0, 2020: 110.0, 2021: 108.0, 2022: 109.0, 2023: 120.0}
    fig = figures.co2_peak(co2, year=2022, outlook="Rising")
    line, peak = fig["data"]
    assert line["x"] == [2019, 2020, 2021, 2022]  # nothing after the dashboard's year
    assert (peak["x"], peak["y"]) == ([2020], [110.0])
    assert peak["marker"]["symbol"] == "star" and "2020" in peak["name"]
    assert "Rising" in fig["layout"]["annotations"][0]["text"]
    assert figures.peak_so_far({2020: 5.0, 2021: 5.0}) == (2020, 5.0)  # the earliest on a tie


def test_intensity_decline_compares_d_with_d_star():
    fig = figures.intensity_decline({2024: 3.1}, {2024: 4.8})
    d, d_star = fig["data"]
    assert d["meta"]["code"] == "co2_intensity_reduction_avg" and d["y"] == [3.1]
    assert d_star["line"]["dash"] == figures.REQUIRED_DASH and d_star["y"] == [4.8]


def test_the_lmdi_waterfall_ends_in_the_total_change():
    effects = {"activity": 73.2, "intensity": 11.3, "carbon_factor": -43.3}
    fig = figures.lmdi_waterfall(effects, 41.2, title="2020→2021", cumulative=False)
    (trace,) = fig["data"]
    assert trace["type"] == "waterfall"
    assert trace["measure"] == ["relative", "relative", "relative", "total"]
    assert trace["y"] == [73.2, 11.3, -43.3, 41.2]
    assert trace["customdata"] == ["lmdi_activity", "lmdi_intensity", "lmdi_carbon_factor", "co2_change"]
    assert trace["text"][2].startswith("-") and trace["text"][0].startswith("+")  # sign, not colour only
    cum = figures.lmdi_waterfall(effects, None, title="t", cumulative=True)
    assert cum["data"][0]["customdata"][0] == "lmdi_activity_cum"
    assert cum["data"][0]["y"][3] == pytest.approx(41.2)  # without CO2 of both years: the effects' sum


def test_share_bars_carry_region_codes_and_patterns():
    fig = figures.share_bars(
        [ShareRow("360102", "东湖区", 14.7, 14.4), ShareRow("360103", "西湖区", None, None)],
        chart="children",
        title="t",
        x_label="Region",
    )
    energy, co2 = fig["data"]
    assert energy["customdata"] == ["360102"] and energy["y"] == [14.7]  # a region without figures: no bar
    assert energy["marker"]["pattern"]["shape"] != co2["marker"]["pattern"]["shape"]
    assert figures.share(25.0, 100.0) == 25.0 and figures.share(1.0, 0.0) is None


def test_observed_series_have_markers_and_paths_dashes():
    values, cum, required = intensity_fixture()
    fig = figures.intensity_trend("energy_intensity", values, cum, required, [P14])
    observed = fig["data"][0]
    assert "markers" in observed["mode"] and observed["line"]["dash"] == "solid"
    assert {t["line"]["dash"] for t in fig["data"][1:]} <= {figures.REQUIRED_DASH, figures.TARGET_DASH}


def test_builders_are_deterministic():
    values, cum, required = intensity_fixture()
    first = figures.intensity_trend("energy_intensity", values, cum, required, [P13, P14])
    again = figures.intensity_trend(
        "energy_intensity", dict(reversed(values.items())), cum, required, [P13, P14]
    )
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)


def test_the_data_table_holds_exactly_the_traces_drawn():
    fig = figures.intensity_trend("energy_intensity", *intensity_fixture(), [P13, P14])
    table = figures.figure_table(fig)
    assert [c.code for c in table.columns] == [t["meta"]["code"] for t in fig["data"]]
    assert table.x_code == "year"
    drawn = {
        (x, i)
        for i, t in enumerate(fig["data"])
        for x, y in zip(t["x"], t["y"], strict=True)
        if x is not None
    }
    tabled = {(key, i) for key, _label, cells in table.rows for i, v in enumerate(cells) if v is not None}
    assert drawn == tabled
    assert [r[0] for r in table.rows] == sorted(r[0] for r in table.rows)


def test_the_data_table_skips_the_gaps_between_periods():
    fig = figures.nonfossil(
        {2019: 10.0, 2020: 11.0, 2021: 12.0},
        {2019: 10.5, 2020: 11.0, 2021: 12.5},
        [PeriodTarget("2016–2020", 2016, 2020, 11.0), PeriodTarget("2021–2025", 2021, 2025, 15.0)],
    )
    path = by_code(fig, "nonfossil_share_required")[0]
    assert None in path["x"]  # the line breaks between the periods
    assert None not in [r[0] for r in figures.figure_table(fig).rows]
