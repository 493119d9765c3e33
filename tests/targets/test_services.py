from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.indicators.models import EmissionFactorSet, RuleSet
from apps.targets import services
from apps.targets.models import PlanPeriod, RegionTarget

pytestmark = pytest.mark.django_db

# Who may set targets where (roles.md): city staff → counties of their city; provincial
# officials → province and cities; administrators → anywhere; nobody else.
ALLOWED = [
    ("city", "360102"),  # a county of Nanchang
    ("provincial", "360000"),
    ("provincial", "360500"),
    ("admin", "360000"),
    ("admin", "360102"),
]
REFUSED = [
    ("city", "360100"),  # its own city
    ("city", "360202"),  # a county of another city
    ("city", "360000"),
    ("county", "360102"),  # county staff set no targets, not even their own
    ("provincial", "360102"),  # provincial officials: province and cities only
    ("department", "360000"),
    ("congress", "360000"),
]


@pytest.mark.parametrize("role,code", ALLOWED)
def test_target_set_allowed_within_scope(user_of, region, period_14, role, code):
    user = user_of(role)
    target = services.target_set(
        user=user, region=region(code), period=period_14, metric="energy_intensity_reduction", value="14.5"
    )
    assert target.value == Decimal("14.5")
    assert target.updated_by == user
    assert target.history.first().history_user == user


@pytest.mark.parametrize("role,code", REFUSED)
def test_target_set_refused_outside_scope_and_nothing_saved(user_of, region, period_14, role, code):
    with pytest.raises(PermissionDenied):
        services.target_set(
            user=user_of(role),
            region=region(code),
            period=period_14,
            metric="energy_intensity_reduction",
            value=14,
        )
    assert not RegionTarget.objects.exists()
    assert not RegionTarget.history.exists()


@pytest.mark.parametrize("role,code", ALLOWED)
def test_target_delete_allowed_within_scope(user_of, region, period_14, role, code):
    target = RegionTarget.objects.create(
        region=region(code), period=period_14, metric="nonfossil_share", value=18
    )
    user = user_of(role)
    services.target_delete(user=user, target=target)
    assert not RegionTarget.objects.exists()
    deleted = RegionTarget.history.first()
    assert deleted.history_type == "-" and deleted.history_user == user


@pytest.mark.parametrize("role,code", REFUSED)
def test_target_delete_refused_outside_scope(user_of, region, period_14, role, code):
    target = RegionTarget.objects.create(
        region=region(code), period=period_14, metric="nonfossil_share", value=18
    )
    with pytest.raises(PermissionDenied):
        services.target_delete(user=user_of(role), target=target)
    assert RegionTarget.objects.filter(pk=target.pk).exists()


@pytest.mark.parametrize(
    "metric,value,year,field",
    [
        ("energy_intensity_reduction", "0", None, "value"),
        ("energy_intensity_reduction", "100", None, "value"),
        ("co2_intensity_reduction", "-3", None, "value"),
        ("nonfossil_share", "120", None, "value"),
        ("energy_total_cap", "0", None, "value"),
        ("energy_intensity_reduction", "abc", None, "value"),
        ("energy_intensity_reduction", "NaN", None, "value"),
        ("energy_intensity_reduction", "1.23456", None, "value"),
        ("energy_intensity_reduction_annual", "3", None, "year"),
        ("energy_intensity_reduction_annual", "3", 2020, "year"),  # the base year is not in the period
        ("energy_intensity_reduction_annual", "3", 2026, "year"),
        ("energy_intensity_reduction", "14", 2022, "year"),
        ("peak_year", "2030", None, "metric"),
    ],
)
def test_target_set_validates_like_the_model(provincial, region, period_14, metric, value, year, field):
    with pytest.raises(ValidationError) as exc:
        services.target_set(
            user=provincial, region=region("360000"), period=period_14, metric=metric, value=value, year=year
        )
    assert field in exc.value.message_dict
    assert not RegionTarget.objects.exists()


def test_target_set_updates_the_existing_target_and_keeps_both_versions(provincial, region, period_14):
    first = services.target_set(
        user=provincial, region=region("360000"), period=period_14, metric="nonfossil_share", value="18"
    )
    second = services.target_set(
        user=provincial,
        region=region("360000"),
        period=period_14,
        metric="nonfossil_share",
        value="18.3",
        note="纲要",
    )
    assert first.pk == second.pk
    assert RegionTarget.objects.get().value == Decimal("18.3")
    versions = list(second.history.order_by("history_date"))
    assert [v.value for v in versions] == [Decimal("18"), Decimal("18.3")]
    delta = versions[1].diff_against(versions[0])
    assert set(delta.changed_fields) >= {"value", "note"}


def test_annual_targets_are_kept_per_year(provincial, region, period_14):
    for year, value in ((2022, "3.2"), (2023, "3.0")):
        services.target_set(
            user=provincial,
            region=region("360100"),
            period=period_14,
            metric="energy_intensity_reduction_annual",
            value=value,
            year=year,
        )
    assert RegionTarget.objects.count() == 2


def test_targets_changed_is_sent_on_commit_with_region_and_period(
    provincial, region, period_14, target_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        target = services.target_set(
            user=provincial,
            region=region("360500"),
            period=period_14,
            metric="energy_total_cap",
            value="1480",
        )
    assert target_signals == []
    for callback in callbacks:
        callback()
    assert target_signals == [([region("360500").pk], "2021-2025")]
    target_signals.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.target_delete(user=provincial, target=target)
    assert target_signals == [([region("360500").pk], "2021-2025")]


def test_no_signal_for_a_refused_or_invalid_or_unchanged_write(
    user_of, provincial, region, period_14, target_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(PermissionDenied):
            services.target_set(
                user=user_of("congress"),
                region=region("360000"),
                period=period_14,
                metric="nonfossil_share",
                value=1,
            )
        with pytest.raises(ValidationError):
            services.target_set(
                user=provincial,
                region=region("360000"),
                period=period_14,
                metric="nonfossil_share",
                value=101,
            )
    assert target_signals == []
    services.target_set(
        user=provincial, region=region("360000"), period=period_14, metric="nonfossil_share", value=18
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.target_set(
            user=provincial, region=region("360000"), period=period_14, metric="nonfossil_share", value="18.0"
        )
    assert target_signals == []


# --- period assignment ---------------------------------------------------------------------------


def test_catalog_editors_assign_a_periods_rule_set_and_factor_set(
    user_of, period_14, catalog_signals, django_capture_on_commit_callbacks
):
    admin = user_of("admin")
    cn_eri = EmissionFactorSet.objects.get(code="cn-eri")
    with django_capture_on_commit_callbacks(execute=True):
        services.period_assign(
            user=admin, period=period_14, rule_set=RuleSet.objects.get(code="R2024"), factor_set=cn_eri
        )
    period = PlanPeriod.objects.get(pk=period_14.pk)
    assert (period.rule_set.code, period.factor_set) == ("R2024", cn_eri)
    assert period.history.first().history_user == admin
    assert catalog_signals == [("period", period.pk)]


@pytest.mark.parametrize("role", ["county", "city", "department", "congress"])
def test_period_assignment_is_refused_to_other_roles(user_of, period_14, role):
    with pytest.raises(PermissionDenied):
        services.period_assign(
            user=user_of(role), period=period_14, rule_set=RuleSet.objects.get(code="R2016"), factor_set=None
        )
    assert PlanPeriod.objects.get(pk=period_14.pk).rule_set.code == "R2022"
