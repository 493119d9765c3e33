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


def test_percentages_within_0_and_100():
    assert ("forest_coverage", "range") in codes(run(forest_coverage=D("101")).errors)
    assert run(forest_coverage=D("63.1"), nev_share=D("35")).ok


def test_fuels_add_up_to_the_total_within_one_percent():
    assert run(energy_total=D("504.9")).ok  # sum 500 is within 1 % of 504.9
    assert run(energy_total=D("495.1")).ok
    result = run(energy_total=D("506"))
    assert ("energy_total", "sum") in codes(result.errors)
    assert "energy_coal + energy_oil + energy_gas + energy_nonfossil" in result.errors[0].message


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
    assert any("energy_coal" in h for h in hints(by_code["energy_total"]))
    assert not any("≥ 0" in h for h in hints(by_code["electricity_net_import"]))


def test_error_dict_names_the_fields():
    errors = run(energy_coal=None, gdp_index=D("200")).as_error_dict()
    assert set(errors) >= {"energy_coal", "gdp_index"}
