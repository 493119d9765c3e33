from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from apps.indicators import selectors, services
from apps.indicators.models import EmissionFactorSet, FuelFactor, Grid, GridFactor, Indicator, RuleSet
from tests.factories import ROLES
from tests.indicators.helpers import CATALOG_EDITORS

pytestmark = pytest.mark.django_db

REFUSED = [r for r in ROLES if r not in CATALOG_EDITORS]


def cn_eri():
    return EmissionFactorSet.objects.get(code="cn-eri")


def national():
    return Grid.objects.get(code="national")


def central():
    return Grid.objects.get(code="central-china")


# --- permissions: every write service, allowed and refused ----------------------------------------


WRITES = {
    "indicator_create": lambda u: services.indicator_create(
        user=u, code="coal_power", name_zh="煤电", name_en="Coal power", unit="亿千瓦时", unit_en="10^8 kWh"
    ),
    "indicator_update": lambda u: services.indicator_update(
        user=u, indicator=Indicator.objects.get(code="nev_share"), required=True
    ),
    "factor_set_create": lambda u: services.factor_set_create(user=u, code="ipcc-2006", name="IPCC 2006"),
    "factor_set_update": lambda u: services.factor_set_update(user=u, factor_set=cn_eri(), name="renamed"),
    "factor_set_mark_default": lambda u: services.factor_set_mark_default(user=u, factor_set=cn_eri()),
    "fuel_factor_set": lambda u: services.fuel_factor_set(
        user=u, factor_set=cn_eri(), fuel="gas", value=Decimal("1.630"), unit="tCO2/tce", source="guideline"
    ),
    "grid_create": lambda u: services.grid_create(user=u, code="east-china", name="East China"),
    "grid_update": lambda u: services.grid_update(user=u, grid=central(), name="华中"),
    "grid_mark_default": lambda u: services.grid_mark_default(user=u, grid=national()),
    "grid_factor_create": lambda u: services.grid_factor_create(
        user=u, grid=national(), year=2024, value_kg_per_kwh=Decimal("0.5200"), source="MEE 2024"
    ),
    "grid_factor_update": lambda u: services.grid_factor_update(
        user=u,
        factor=GridFactor.objects.get(grid=national(), year=2023),
        year=2023,
        value_kg_per_kwh=Decimal("0.5300"),
        source="MEE",
    ),
    "grid_factor_delete": lambda u: services.grid_factor_delete(
        user=u, factor=GridFactor.objects.get(grid=national(), year=2021)
    ),
    "grid_regions_set": lambda u: services.grid_regions_set(user=u, grid=central(), regions=[]),
    "rule_set_create": lambda u: services.rule_set_create(user=u, code="R2030", name="2030 rules"),
    "rule_set_update": lambda u: services.rule_set_update(
        user=u, rule_set=RuleSet.objects.get(code="R2016"), progress_method="linear"
    ),
}


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("role", CATALOG_EDITORS)
def test_catalog_editors_may_use_every_write_service(user_of, role, write):
    WRITES[write](user_of(role))


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused_every_catalog_write_and_nothing_changes(user_of, role, write):
    before = (
        Indicator.history.count(),
        EmissionFactorSet.history.count(),
        FuelFactor.history.count(),
        Grid.history.count(),
        GridFactor.history.count(),
        RuleSet.history.count(),
    )
    with pytest.raises(PermissionDenied):
        WRITES[write](user_of(role))
    after = (
        Indicator.history.count(),
        EmissionFactorSet.history.count(),
        FuelFactor.history.count(),
        Grid.history.count(),
        GridFactor.history.count(),
        RuleSet.history.count(),
    )
    assert after == before


def test_anonymous_is_refused(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        WRITES["grid_create"](AnonymousUser())


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-0.5"])
def test_fuel_factor_must_be_positive(provincial, value):
    with pytest.raises(ValidationError) as exc:
        services.fuel_factor_set(
            user=provincial, factor_set=cn_eri(), fuel="coal", value=Decimal(value), unit="tC/tce", source="x"
        )
    assert "value" in exc.value.message_dict
    assert FuelFactor.objects.get(factor_set=cn_eri(), fuel="coal").value == Decimal("0.7476")


@pytest.mark.parametrize("value", ["0", "-0.1"])
def test_grid_factor_must_be_positive(provincial, value):
    with pytest.raises(ValidationError) as exc:
        services.grid_factor_create(
            user=provincial, grid=national(), year=2024, value_kg_per_kwh=Decimal(value), source="x"
        )
    assert "value_kg_per_kwh" in exc.value.message_dict
    assert not GridFactor.objects.filter(year=2024).exists()


@pytest.mark.parametrize("year", [1999, 2101])
def test_grid_factor_year_must_lie_in_2000_2100(provincial, year):
    with pytest.raises(ValidationError) as exc:
        services.grid_factor_create(
            user=provincial, grid=national(), year=year, value_kg_per_kwh=Decimal("0.5"), source="x"
        )
    assert "year" in exc.value.message_dict


def test_grid_factor_year_is_unique_per_grid(provincial):
    with pytest.raises(ValidationError) as exc:
        services.grid_factor_create(
            user=provincial, grid=national(), year=2022, value_kg_per_kwh=Decimal("0.5"), source="x"
        )
    assert "2022" in exc.value.message_dict["year"][0]
    factor = GridFactor.objects.get(grid=national(), year=2021)
    with pytest.raises(ValidationError):
        services.grid_factor_update(
            user=provincial, factor=factor, year=2022, value_kg_per_kwh=Decimal("0.5"), source="x"
        )
    # the same year in another grid is fine
    services.grid_factor_create(
        user=provincial, grid=central(), year=2021, value_kg_per_kwh=Decimal("0.55"), source="x"
    )


def test_marking_a_factor_set_default_moves_the_single_default(provincial):
    new = services.factor_set_create(user=provincial, code="v2", name="v2", copy_from=cn_eri())
    assert new.fuel_factors.count() == 3
    services.factor_set_mark_default(user=provincial, factor_set=new)
    assert list(EmissionFactorSet.objects.filter(is_default=True)) == [new]
    assert selectors.default_factor_set() == new


def test_a_factor_set_without_every_fuel_cannot_become_default(provincial):
    empty = services.factor_set_create(user=provincial, code="empty", name="empty")
    with pytest.raises(ValidationError) as exc:
        services.factor_set_mark_default(user=provincial, factor_set=empty)
    assert "is_default" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.factor_set_create(user=provincial, code="empty2", name="e", is_default=True)
    assert not EmissionFactorSet.objects.filter(code="empty2").exists()
    assert EmissionFactorSet.objects.get(is_default=True).code == "cn-eri"


def test_factor_set_codes_are_unique(provincial):
    with pytest.raises(ValidationError) as exc:
        services.factor_set_create(user=provincial, code="cn-eri", name="dup")
    assert "code" in exc.value.message_dict


def test_marking_a_grid_default_moves_the_single_default(provincial):
    services.grid_mark_default(user=provincial, grid=central())
    assert list(Grid.objects.filter(is_default=True)) == [central()]


def test_a_grid_with_assigned_regions_cannot_become_default(provincial, region):
    services.grid_regions_set(user=provincial, grid=central(), regions=[region("360100")])
    with pytest.raises(ValidationError):
        services.grid_mark_default(user=provincial, grid=central())
    assert national().is_default


def test_the_default_grid_takes_no_regions(provincial, region):
    with pytest.raises(ValidationError) as exc:
        services.grid_regions_set(user=provincial, grid=national(), regions=[region("360100")])
    assert "regions" in exc.value.message_dict


def test_a_region_belongs_to_at_most_one_regional_grid(provincial, region):
    east = services.grid_create(user=provincial, code="east", name="East")
    services.grid_regions_set(user=provincial, grid=central(), regions=[region("360100"), region("360200")])
    with pytest.raises(ValidationError) as exc:
        services.grid_regions_set(user=provincial, grid=east, regions=[region("360200")])
    assert "景德镇市" in exc.value.message_dict["regions"][0]
    assert list(central().regions.values_list("code", flat=True).order_by("code")) == ["360100", "360200"]


def test_the_default_grid_keeps_at_least_one_factor(provincial):
    services.grid_factor_delete(user=provincial, factor=GridFactor.objects.get(grid=national(), year=2021))
    services.grid_factor_delete(user=provincial, factor=GridFactor.objects.get(grid=national(), year=2022))
    with pytest.raises(ValidationError):
        services.grid_factor_delete(
            user=provincial, factor=GridFactor.objects.get(grid=national(), year=2023)
        )
    assert national().factors.count() == 1


def test_indicator_code_must_be_a_new_lower_case_identifier(provincial):
    for code in ("GDP", "gdp-current", ""):
        with pytest.raises(ValidationError) as exc:
            services.indicator_create(
                user=provincial, code=code, name_zh="x", name_en="x", unit="x", unit_en="x"
            )
        assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(
            user=provincial, code="gdp_current", name_zh="x", name_en="x", unit="x", unit_en="x"
        )
    assert "code" in exc.value.message_dict


def test_indicator_update_cannot_change_the_code(provincial):
    with pytest.raises(TypeError):
        services.indicator_update(
            user=provincial, indicator=Indicator.objects.get(code="gdp_index"), code="x"
        )


def test_co2_factor_is_carbon_content_times_44_over_12():
    coal = FuelFactor.objects.get(factor_set=cn_eri(), fuel="coal")
    assert coal.co2_per_tce == Decimal("0.7476") * 44 / 12
    assert round(coal.co2_per_tce, 6) == Decimal("2.741200")
    oil = FuelFactor.objects.get(factor_set=cn_eri(), fuel="oil")
    assert round(oil.co2_per_tce, 6) == Decimal("2.135833")
    gas = FuelFactor(value=Decimal("1.63"), unit="tCO2/tce")
    assert gas.co2_per_tce == Decimal("1.63")


# --- history and signals -------------------------------------------------------------------------


def test_every_change_is_versioned_with_who_and_what(provincial):
    gas = FuelFactor.objects.get(factor_set=cn_eri(), fuel="gas")
    services.fuel_factor_set(
        user=provincial,
        factor_set=cn_eri(),
        fuel="gas",
        value=Decimal("1.630"),
        unit="tCO2/tce",
        source="guide",
    )
    latest = gas.history.first()
    assert latest.history_user == provincial
    delta = latest.diff_against(latest.prev_record)
    assert set(delta.changed_fields) == {"value", "unit", "source"}
    with translation.override("en"):
        timeline = selectors.factor_set_history(cn_eri())
        changes = {c.field: (c.old, c.new) for c in timeline[0].changes}
    assert timeline[0].who == provincial.username
    assert timeline[0].action == "changed"
    assert timeline[0].subject == "Natural gas"
    assert changes["value"] == ("0.443500", "1.630000")
    assert changes["source"][1] == "guide"
    assert set(changes) == {"value", "unit", "source"}


def test_grid_region_assignment_is_versioned(provincial, region):
    services.grid_regions_set(user=provincial, grid=central(), regions=[region("360100")])
    timeline = selectors.grid_history(central())
    assert timeline[0].who == provincial.username
    assert any("南昌市" in c.new for c in timeline[0].changes)


def test_seeded_rows_have_a_baseline_version_so_the_first_edit_shows_its_diff(provincial):
    indicator = Indicator.objects.get(code="nev_share")
    services.indicator_update(user=provincial, indicator=indicator, required=True)
    with translation.override("en"):
        entries = selectors.indicator_history(indicator)
        assert [e.action for e in entries] == ["changed", "changed", "created"]
        assert [(c.field, c.old, c.new) for c in entries[0].changes] == [
            ("required in the annual report", "no", "yes")
        ]
        # The default plausibility bounds arrived by a data migration, visible as such.
        bounds = {c.field: c.new for c in entries[1].changes}
        assert bounds["upper bound of the year-on-year change"] == "20"
    assert entries[1].who == entries[2].who == "system"
    assert entries[1].reason.startswith("Default plausibility bounds")
    assert entries[2].reason.startswith("Initial catalog")  # the baseline version of the seeded catalog


@pytest.mark.parametrize(
    "write,kind,expected_id",
    [
        ("indicator_update", "indicator", lambda obj: Indicator.objects.get(code="nev_share").pk),
        ("factor_set_create", "factor_set", lambda obj: obj.pk),
        ("fuel_factor_set", "factor_set", lambda obj: cn_eri().pk),
        ("grid_factor_create", "grid", lambda obj: national().pk),
        ("grid_factor_delete", "grid", lambda obj: national().pk),
        ("rule_set_update", "rule_set", lambda obj: RuleSet.objects.get(code="R2016").pk),
    ],
)
def test_catalog_changed_is_sent_after_commit_only(
    provincial, catalog_signals, django_capture_on_commit_callbacks, write, kind, expected_id
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        obj = WRITES[write](provincial)
    assert catalog_signals == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert catalog_signals == [(kind, expected_id(obj))]


def test_an_unchanged_region_assignment_sends_nothing(
    provincial, catalog_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.grid_regions_set(user=provincial, grid=central(), regions=[])
    assert catalog_signals == []


def test_no_signal_when_the_change_is_rejected(
    provincial, catalog_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.grid_factor_create(
            user=provincial, grid=national(), year=2022, value_kg_per_kwh=Decimal("1"), source="x"
        )
    assert catalog_signals == []


def test_a_failing_receiver_does_not_break_the_write(provincial, django_capture_on_commit_callbacks):
    from apps.indicators.signals import catalog_changed

    def broken(**kwargs):
        raise RuntimeError("boom")

    catalog_changed.connect(broken, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.grid_update(user=provincial, grid=central(), name="华中电网")
    finally:
        catalog_changed.disconnect(broken)
    assert central().name == "华中电网"


def test_each_indicator_has_a_display_precision_that_an_editor_changes_with_history(provincial):
    assert Indicator.objects.get(code="nev_share").precision == 1  # shares of new sales: one decimal
    assert Indicator.objects.get(code="energy_total").precision == 2
    indicator = Indicator.objects.get(code="energy_total")
    services.indicator_update(user=provincial, indicator=indicator, precision=1)
    with translation.override("en"):
        (latest, *_rest) = selectors.indicator_history(indicator)
        assert [(c.field, c.old, c.new) for c in latest.changes] == [("decimals shown", "2", "1")]
        assert latest.subject == "Total energy consumption"  # the name, not the code
    with pytest.raises(ValidationError):
        services.indicator_update(user=provincial, indicator=indicator, precision=9)
