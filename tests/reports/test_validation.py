"""Every validation rule, error and warning branches (validation.validate is a pure function)."""

from decimal import Decimal

import pytest

from apps.indicators.catalog import INDICATORS
from apps.reports.validation import RULES, RangeRule, hints, validate
from tests.factories import GOOD_VALUES

D = Decimal


def run(values=None, notes=None, previous=None, **changes):
    data = dict(GOOD_VALUES if values is None else values)
    data.update(changes)
    return validate(data, indicators=INDICATORS, notes=notes or {}, previous=previous or {})


def codes(issues):
    return {(i.field, i.code) for i in issues}


def test_consistent_complete_values_have_no_errors_or_warnings():
    result = run()
    assert result.ok and not result.errors and not result.warnings


def test_missing_required_indicator_is_an_error_naming_it():
    result = run(energy_coal=None)
    assert ("energy_coal", "required") in codes(result.errors)
    assert not result.ok


def test_optional_indicators_may_be_missing():
    result = run(forest_coverage=None, nev_share=None, forest_stock=None)
    assert result.ok


def test_gdp_needs_current_price_gdp_or_the_index_but_not_both():
    assert run(gdp_index=None).ok  # a base year: GDP at current prices only
    assert run(gdp_current=None).ok  # later years: the real index only
    result = run(gdp_current=None, gdp_index=None)
    assert {("gdp_current", "one_of"), ("gdp_index", "one_of")} <= codes(result.errors)


@pytest.mark.parametrize("code", ["energy_coal", "renewable_power", "feedstock_energy", "forest_stock"])
def test_negative_values_are_refused_where_the_catalog_forbids_them(code):
    result = run(**{code: D("-1")})
    assert (code, "non_negative") in codes(result.errors)


def test_net_electricity_inflow_may_be_negative():
    assert run(electricity_net_import=D("-5")).ok


@pytest.mark.parametrize(
    "value, ok", [(D("80"), True), (D("130"), True), (D("79.9"), False), (D("130.01"), False)]
)
def test_gdp_index_between_80_and_130(value, ok):
    result = run(gdp_index=value)
    assert result.ok is ok
    if not ok:
        assert ("gdp_index", "range") in codes(result.errors)


def test_every_share_of_the_catalog_lies_within_0_and_100():
    shares = [i.code for i in INDICATORS if i.unit == "%"]
    assert set(shares) == {"forest_coverage", "nev_share"}  # derived from the unit, not a list
    for code in shares:
        assert (code, "share") in codes(run(**{code: D("101")}).errors)
        assert (code, "share") in codes(run(**{code: D("-0.1")}).errors)
    assert run(forest_coverage=D("63.1"), nev_share=D("100")).ok


def test_a_share_indicator_added_to_the_catalog_is_checked_without_a_code_change():
    from dataclasses import replace

    catalog = [*INDICATORS, replace(INDICATORS[-1], code="ev_charging_share", name_en="Charging share")]
    result = validate(dict(GOOD_VALUES, ev_charging_share=D("120")), indicators=catalog)
    assert ("ev_charging_share", "share") in codes(result.errors)
    assert "Charging share" in result.errors[0].message


def test_fuels_add_up_to_the_total_within_one_percent():
    assert run(energy_total=D("504.9")).ok  # sum 500 is within 1 % of 504.9
    assert run(energy_total=D("495.1")).ok
    result = run(energy_total=D("506"))
    assert ("energy_total", "sum") in codes(result.errors)
    message = result.errors[0].message
    assert (
        "Coal consumption + Oil consumption + Natural gas consumption + Non-fossil energy consumption"
        in message
    )
    assert "energy_coal" not in message  # names, not codes


def test_sum_rule_waits_for_all_parts():
    result = run(energy_gas=None, energy_total=D("900"))
    assert ("energy_total", "sum") not in codes(result.errors)
    assert ("energy_gas", "required") in codes(result.errors)


def test_renewable_power_not_above_non_fossil_energy():
    assert run(renewable_power=D("80")).ok
    assert ("renewable_power", "not_above") in codes(run(renewable_power=D("80.5")).errors)


def test_feedstock_not_above_fossil_energy():
    assert run(feedstock_energy=D("420")).ok  # coal + oil + gas = 420
    assert ("feedstock_energy", "not_above") in codes(run(feedstock_energy=D("421")).errors)


@pytest.mark.parametrize("code", ["energy_total", "gdp_current"])
def test_year_on_year_change_beyond_20_percent_needs_a_note(code):
    previous = {code: GOOD_VALUES[code] / D("1.25")}  # +25 %
    unexplained = run(previous=previous)
    assert (code, "year_on_year") in codes(unexplained.errors)
    explained = run(previous=previous, notes={code: "A new refinery started production."})
    assert explained.ok
    assert (code, "year_on_year") in codes(explained.warnings)


def test_year_on_year_falls_count_too_and_small_changes_pass():
    assert ("energy_total", "year_on_year") in codes(
        run(previous={"energy_total": D("700")}).errors
    )  # −28.6 %
    assert run(previous={"energy_total": D("420")}).ok  # +19 %


def test_blank_note_does_not_explain():
    result = run(previous={"energy_total": D("300")}, notes={"energy_total": "   "})
    assert ("energy_total", "year_on_year") in codes(result.errors)


def test_thresholds_are_data_in_the_rules_table():
    rule = next(r for r in RULES if isinstance(r, RangeRule) and r.field == "gdp_index")
    assert (rule.minimum, rule.maximum) == (D(80), D(130))
    stricter = tuple(RangeRule("gdp_index", D(90), D(110)) if r is rule else r for r in RULES)
    assert not validate(dict(GOOD_VALUES, gdp_index=D("85")), indicators=INDICATORS, rules=stricter).ok


def test_hints_are_derived_from_the_rules():
    by_code = {i.code: i for i in INDICATORS}
    assert any("80" in h and "130" in h for h in hints(by_code["gdp_index"]))
    total_hints = hints(by_code["energy_total"], indicators=INDICATORS)
    assert any("Coal consumption + Oil consumption" in h for h in total_hints)
    assert not any("energy_coal" in h for h in total_hints)
    assert not any("≥ 0" in h for h in hints(by_code["electricity_net_import"]))


def test_error_dict_names_the_fields():
    errors = run(energy_coal=None, gdp_index=D("200")).as_error_dict()
    assert set(errors) >= {"energy_coal", "gdp_index"}


# --- names in the active language, Chinese typography --------------------------------------------


def test_hints_and_messages_read_with_chinese_names_and_full_width_punctuation_in_chinese():
    from django.utils import translation

    by_code = {i.code: i for i in INDICATORS}
    with translation.override("zh-hans"):
        hint = "；".join(hints(by_code["feedstock_energy"], indicators=INDICATORS))
        assert "≤ 煤炭消费量 + 石油消费量 + 天然气消费量" in hint
        assert "energy_coal" not in hint
        gdp_hint = hints(by_code["gdp_current"], indicators=INDICATORS)
        assert any("地区生产总值指数（上年=100）" in h for h in gdp_hint)
        result = run(previous={"forest_stock": D("1309")}, forest_stock=D("12.5"))
        [issue] = [i for i in result.errors if i.code == "year_on_year"]
        assert issue.message == "比上年下降 99.0%，超出 ±5% 的合理范围（上年 1,309）：请在说明中解释。"
        assert issue.indicator_name == "森林蓄积量"
        one_of = run(gdp_current=None, gdp_index=None).errors[0].message
        assert "地区生产总值（现价）、地区生产总值指数（上年=100）" in one_of and one_of.endswith("。")


# --- year-on-year bounds from the catalog (issue 15) ---------------------------------------------


def test_forest_stock_falling_99_percent_is_blocked_without_a_note_and_a_warning_with_one():
    previous = {"forest_stock": D("1309")}
    blocked = run(previous=previous, forest_stock=D("12.5"))
    assert ("forest_stock", "year_on_year") in codes(blocked.errors)
    [issue] = [i for i in blocked.errors if i.field == "forest_stock"]
    assert "99.0%" in issue.message and "±5%" in issue.message and "1,309" in issue.message
    assert issue.flag.change == "−99.0%" and issue.flag.bound == "±5%" and issue.flag.note == ""
    explained = run(
        previous=previous, forest_stock=D("12.5"), notes={"forest_stock": "Survey unit changed to 10^4 m³."}
    )
    assert explained.ok
    [flag] = explained.flags
    assert flag.level == "warning" and flag.flag.note == "Survey unit changed to 10^4 m³."
    assert (flag.flag.value, flag.flag.previous) == (D("12.5"), D("1309"))


@pytest.mark.parametrize(
    "code, before, now, flagged",
    [
        ("forest_stock", "1000", "1050", False),  # +5 %: the bound itself
        ("forest_stock", "1000", "1051", True),
        ("forest_stock", "1000", "949", True),
        ("energy_coal", "300", "231", False),  # −23 %
        ("energy_coal", "300", "200", True),  # −33 %
        ("forest_coverage", "60", "60.9", False),  # points, not percent
        ("forest_coverage", "60", "61.2", True),
        ("nev_share", "20", "39", False),  # −10 … +20 points
        ("nev_share", "20", "8", True),
        ("electricity_net_import", "30", "-10", False),  # a balance around zero: no default bound
    ],
)
def test_each_indicator_has_its_own_bounds_in_its_own_measure(code, before, now, flagged):
    result = run(previous={code: D(before)}, **{code: D(now)})
    assert ((code, "year_on_year") in codes(result.errors)) is flagged


def test_no_previous_value_or_a_change_from_zero_is_not_flagged():
    assert run(forest_stock=D("12.5")).ok
    assert run(previous={"energy_gas": D("0")}).ok


def test_bounds_are_the_catalog_data_not_code():
    from dataclasses import replace

    catalog = [
        replace(i, change_lower=D(-1), change_upper=D(1)) if i.code == "energy_oil" else i for i in INDICATORS
    ]
    values = dict(GOOD_VALUES)
    previous = {"energy_oil": D("78")}  # +2.6 %
    assert validate(values, indicators=INDICATORS, previous=previous).ok
    result = validate(values, indicators=catalog, previous=previous)
    assert ("energy_oil", "year_on_year") in codes(result.errors)
    assert "±1%" in result.errors[0].message
    no_bounds = [
        replace(i, change_lower=None, change_upper=None) if i.code == "forest_stock" else i
        for i in INDICATORS
    ]
    assert validate(
        dict(values, forest_stock=D("1")), indicators=no_bounds, previous={"forest_stock": D("1309")}
    ).ok


def _gdp_run(own_before, own_now, parent_before=None, parent_now=None, **kwargs):
    parent = {"gdp_current": D(parent_now)} if parent_now else {}
    parent_previous = {"gdp_current": D(parent_before)} if parent_before else {}
    values = dict(GOOD_VALUES, gdp_current=D(own_now), gdp_index=None)
    return validate(
        values,
        indicators=INDICATORS,
        previous={"gdp_current": D(own_before)},
        parent=parent,
        parent_previous=parent_previous,
        parent_name="南昌市",
        **kwargs,
    )


def test_a_countys_gdp_growth_is_compared_with_its_citys_growth():
    # County +18 %, city +2 %: within the own ±20 %, but 16 points off the city's (tolerance 10).
    result = _gdp_run("1000", "1180", "5000", "5100")
    [issue] = [i for i in result.errors if i.code == "year_on_year"]
    assert "16.0 percentage points more than 南昌市 (+2.0%)" in issue.message
    assert issue.flag.bound == "±10 percentage points"
    # County −25 % in a year the whole city fell 22 %: beyond the own ±20 %, in line with the city.
    assert _gdp_run("1000", "750", "5000", "3900").ok


def test_without_the_parents_change_the_own_bounds_apply():
    assert _gdp_run("1000", "1180").ok  # no parent figures (the province, or not yet approved)
    assert _gdp_run("1000", "1180", parent_now="5100").ok  # the parent lacks last year
    unexplained = _gdp_run("1000", "1250", parent_now="5100")
    assert ("gdp_current", "year_on_year") in codes(unexplained.errors)
    assert "±20%" in unexplained.errors[0].message


def test_the_real_gdp_index_is_compared_with_the_parents_in_points():
    previous, parent_previous = {"gdp_index": D("108")}, {"gdp_index": D("108")}
    base = dict(GOOD_VALUES, gdp_current=None)
    common = dict(indicators=INDICATORS, previous=previous, parent_previous=parent_previous)
    assert validate(dict(base, gdp_index=D("103")), parent={"gdp_index": D("104")}, **common).ok
    result = validate(dict(base, gdp_index=D("114")), parent={"gdp_index": D("104")}, **common)
    assert ("gdp_index", "year_on_year") in codes(result.errors)


def test_forest_stock_and_coverage_moving_apart_needs_an_explanation():
    previous = {"forest_stock": D("1000"), "forest_coverage": D("60")}
    apart = run(previous=previous, forest_stock=D("970"), forest_coverage=D("60.8"))  # −3 %, +0.8 point
    assert ("forest_stock", "moves_together") in codes(apart.errors)
    issue = next(i for i in apart.errors if i.code == "moves_together")
    assert issue.involves == ("forest_coverage",)
    assert "Forest stock volume" in issue.message and "Forest coverage rate" in issue.message
    together = run(previous=previous, forest_stock=D("1030"), forest_coverage=D("60.8"))
    assert together.ok
    explained = run(
        previous=previous,
        forest_stock=D("970"),
        forest_coverage=D("60.8"),
        notes={"forest_coverage": "Young plantations counted; storm damage to old stands."},
    )
    assert explained.ok and ("forest_stock", "moves_together") in codes(explained.warnings)


def test_current_price_gdp_and_the_real_index_imply_a_plausible_price_change():
    previous = {"gdp_current": D("950")}
    assert run(previous=previous).ok  # 1000 / 950 / 1.06: prices −0.7 %
    result = run(previous=previous, gdp_index=D("90"))  # prices +17 %
    assert ("gdp_current", "price_change") in codes(result.errors)
    assert run(previous=previous, gdp_index=D("90"), notes={"gdp_index": "Price shock."}).ok


def test_all_errors_are_reported_at_once_each_naming_its_field():
    previous = {"forest_stock": D("1309"), "energy_oil": D("40")}
    result = run(previous=previous, forest_stock=D("12.5"), nev_share=D("130"), energy_coal=None)
    assert {"forest_stock", "nev_share", "energy_coal", "energy_oil"} <= set(result.as_error_dict())
