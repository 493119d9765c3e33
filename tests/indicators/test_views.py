from decimal import Decimal

import pytest
from django.urls import reverse

from apps.indicators.models import EmissionFactorSet, FuelFactor, Grid, GridFactor, Indicator, RuleSet
from apps.targets.models import PlanPeriod
from tests.factories import ROLES
from tests.indicators.helpers import CATALOG_EDITORS
from tests.xlsx import xlsx_table

pytestmark = pytest.mark.django_db

READ_PAGES = [
    reverse("indicators:list"),
    reverse("indicators:detail", args=["gdp_current"]),
    reverse("indicators:factor-set-list"),
    reverse("indicators:factor-set-detail", args=["cn-eri"]),
    reverse("indicators:grid-list"),
    reverse("indicators:grid-detail", args=["national"]),
    reverse("indicators:grid-detail", args=["central-china"]),
    reverse("indicators:rule-set-list"),
    reverse("indicators:rule-set-detail", args=["R2022"]),
]
EDIT_PAGES = [
    reverse("indicators:create"),
    reverse("indicators:edit", args=["gdp_current"]),
    reverse("indicators:factor-set-create"),
    reverse("indicators:factor-set-edit", args=["cn-eri"]),
    reverse("indicators:fuel-factor-edit", args=["cn-eri", "coal"]),
    reverse("indicators:grid-create"),
    reverse("indicators:grid-edit", args=["national"]),
    reverse("indicators:grid-factor-create", args=["national"]),
    reverse("indicators:grid-factor-edit", args=["national", 2022]),
    reverse("indicators:grid-regions", args=["central-china"]),
    reverse("indicators:rule-set-create"),
    reverse("indicators:rule-set-edit", args=["R2022"]),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_catalog_page_renders_for_every_role(client, user_of, role):
    client.force_login(user_of(role))
    for url in READ_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        offers_edit = "/edit/" in html or "/new/" in html
        assert offers_edit == (role in CATALOG_EDITORS), url


@pytest.mark.parametrize("role", ROLES)
def test_edit_pages_render_for_editors_and_are_refused_to_others(client, user_of, role):
    client.force_login(user_of(role))
    for url in EDIT_PAGES:
        assert client.get(url).status_code == (200 if role in CATALOG_EDITORS else 403), url


def test_catalog_pages_need_login(client):
    response = client.get(reverse("indicators:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_pages_in_english_and_chinese(client, user_of):
    client.force_login(user_of("county"))
    client.cookies["django_language"] = "en"
    en = client.get(reverse("indicators:list")).content.decode()
    assert "Indicator catalog" in en and "GDP at current prices" in en
    client.cookies["django_language"] = "zh-hans"
    zh = client.get(reverse("indicators:list")).content.decode()
    assert "地区生产总值（现价）" in zh


def test_factor_set_detail_shows_carbon_content_beside_its_co2_factor(client, user_of):
    client.force_login(user_of("congress"))
    html = client.get(reverse("indicators:factor-set-detail", args=["cn-eri"])).content.decode()
    assert "0.747600" in html and "2.741200" in html
    assert "2.135833" in html and "1.626167" in html
    assert "methodology spec v1" in html  # the source


def test_grid_detail_lists_yearly_factors_and_assigned_regions(client, provincial, region):
    Grid.objects.get(code="central-china").regions.add(region("360100"))
    client.force_login(provincial)
    html = client.get(reverse("indicators:grid-detail", args=["central-china"])).content.decode()
    assert "0.5395" in html and "0.5271" in html and "南昌市" in html


def test_rule_set_detail_lists_flags_and_periods(client, user_of):
    client.force_login(user_of("department"))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("indicators:rule-set-detail", args=["R2022"]))
    text = html.content.decode()
    assert "2021-2025" in text and "发改环资〔2022〕803号" in text


# --- writes through the UI -----------------------------------------------------------------------


def test_editor_changes_an_indicator_and_the_history_shows_it(client, provincial):
    client.force_login(provincial)
    indicator = Indicator.objects.get(code="forest_stock")
    data = {
        "name_zh": "森林蓄积量",
        "name_en": "Forest stock",
        "unit": "万立方米",
        "unit_en": "10^4 m³",
        "definition_zh": "",
        "definition_en": "",
        "required": "on",
        "order": 12,
        "change_measure": "percent",
        "change_lower": "-5",
        "change_upper": "5",
        "change_basis": "own",
        "parent_tolerance": "",
    }
    response = client.post(reverse("indicators:edit", args=["forest_stock"]), data)
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.required and indicator.name_en == "Forest stock"
    client.cookies["django_language"] = "en"
    html = client.get(reverse("indicators:detail", args=["forest_stock"])).content
    assert b"Forest stock volume \xe2\x86\x92 Forest stock" in html
    assert provincial.username.encode() in html


@pytest.mark.parametrize("role", ["county", "city", "department", "congress"])
def test_ui_refuses_catalog_writes_with_403_and_saves_nothing(client, user_of, role):
    client.force_login(user_of(role))
    posts = [
        (
            reverse("indicators:edit", args=["gdp_current"]),
            {"name_zh": "x", "name_en": "x", "unit": "x", "unit_en": "x"},
        ),
        (reverse("indicators:factor-set-create"), {"code": "x", "name": "x"}),
        (reverse("indicators:factor-set-default", args=["cn-eri"]), {}),
        (
            reverse("indicators:fuel-factor-edit", args=["cn-eri", "coal"]),
            {"value": "1", "unit": "tC/tce", "source": "x"},
        ),
        (reverse("indicators:grid-create"), {"code": "x", "name": "x"}),
        (reverse("indicators:grid-default", args=["central-china"]), {}),
        (
            reverse("indicators:grid-factor-create", args=["national"]),
            {"year": 2024, "value_kg_per_kwh": "0.5", "source": "x"},
        ),
        (reverse("indicators:grid-factor-delete", args=["national", 2021]), {}),
        (reverse("indicators:grid-regions", args=["central-china"]), {"codes": "360100"}),
        (reverse("indicators:rule-set-create"), {"code": "R9", "name": "x", "progress_method": "linear"}),
        (reverse("indicators:rule-set-edit", args=["R2022"]), {"name": "x", "progress_method": "linear"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert Indicator.objects.get(code="gdp_current").name_en == "GDP at current prices"
    assert not EmissionFactorSet.objects.filter(code="x").exists()
    assert FuelFactor.objects.get(factor_set__code="cn-eri", fuel="coal").value == Decimal("0.7476")
    assert Grid.objects.get(is_default=True).code == "national"
    assert GridFactor.objects.filter(grid__code="national").count() == 3
    assert not Grid.objects.get(code="central-china").regions.exists()
    assert RuleSet.objects.get(code="R2022").progress_method == "geometric"


def test_grid_factor_form_shows_field_errors_and_keeps_input(client, provincial):
    client.cookies["django_language"] = "en"
    client.force_login(provincial)
    response = client.post(
        reverse("indicators:grid-factor-create", args=["national"]),
        {"year": "2022", "value_kg_per_kwh": "-1", "source": "my source"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "value_kg_per_kwh" in form.errors
    assert 'value="my source"' in response.content.decode()
    response = client.post(
        reverse("indicators:grid-factor-create", args=["national"]),
        {"year": "2022", "value_kg_per_kwh": "0.51", "source": "x"},
    )
    assert "year" in response.context["form"].errors
    response = client.post(
        reverse("indicators:grid-factor-create", args=["national"]),
        {"year": "2101", "value_kg_per_kwh": "0.51", "source": "x"},
    )
    assert "year" in response.context["form"].errors
    assert GridFactor.objects.filter(grid__code="national").count() == 3


def test_editor_adds_edits_and_removes_a_grid_year(client, provincial):
    client.force_login(provincial)
    url = reverse("indicators:grid-factor-create", args=["national"])
    assert (
        client.post(url, {"year": 2024, "value_kg_per_kwh": "0.5200", "source": "MEE 2024"}).status_code
        == 302
    )
    url = reverse("indicators:grid-factor-edit", args=["national", 2024])
    assert client.post(url, {"year": 2024, "value_kg_per_kwh": "0.5210", "source": "MEE"}).status_code == 302
    assert GridFactor.objects.get(grid__code="national", year=2024).value_kg_per_kwh == Decimal("0.5210")
    assert client.post(reverse("indicators:grid-factor-delete", args=["national", 2024])).status_code == 302
    assert not GridFactor.objects.filter(year=2024).exists()


def test_editor_assigns_regions_with_errors_for_unknown_codes(client, provincial):
    client.force_login(provincial)
    url = reverse("indicators:grid-regions", args=["central-china"])
    response = client.post(url, {"codes": "360100 999999"})
    assert "codes" in response.context["form"].errors
    assert not Grid.objects.get(code="central-china").regions.exists()
    assert client.post(url, {"codes": "360100, 360200"}).status_code == 302
    assert set(Grid.objects.get(code="central-china").regions.values_list("code", flat=True)) == {
        "360100",
        "360200",
    }


def test_editor_creates_a_factor_set_copy_and_makes_it_default(client, provincial):
    client.force_login(provincial)
    cn_eri = EmissionFactorSet.objects.get(code="cn-eri")
    response = client.post(
        reverse("indicators:factor-set-create"), {"code": "cn-2024", "name": "2024", "copy_from": cn_eri.pk}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("indicators:fuel-factor-edit", args=["cn-2024", "gas"]),
        {"value": "1.630", "unit": "tCO2/tce", "source": "核算指南"},
    )
    assert response.status_code == 302
    assert client.post(reverse("indicators:factor-set-default", args=["cn-2024"])).status_code == 302
    assert EmissionFactorSet.objects.get(is_default=True).code == "cn-2024"
    html = client.get(reverse("indicators:factor-set-detail", args=["cn-2024"])).content.decode()
    assert "核算指南" in html and "1.630000" in html


def test_fuel_factor_form_rejects_a_non_positive_value(client, provincial):
    client.force_login(provincial)
    response = client.post(
        reverse("indicators:fuel-factor-edit", args=["cn-eri", "oil"]),
        {"value": "0", "unit": "tC/tce", "source": "x"},
    )
    assert response.status_code == 200
    assert "value" in response.context["form"].errors


def test_editor_edits_a_rule_set(client, provincial):
    client.force_login(provincial)
    response = client.post(
        reverse("indicators:rule-set-edit", args=["R2016"]),
        {"name": "13th FYP", "description": "", "source": "", "progress_method": "linear"},
    )
    assert response.status_code == 302
    assert RuleSet.objects.get(code="R2016").progress_method == "linear"


# --- exports -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,expected_rows",
    [
        ("indicators:list", 13),
        ("indicators:factor-set-list", 3),
        ("indicators:grid-list", 5),
        ("indicators:rule-set-list", 3),
    ],
)
def test_every_catalog_list_downloads_as_xlsx(client, user_of, name, expected_rows):
    client.force_login(user_of("county"))
    response = client.get(reverse(name), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    _header, rows = xlsx_table(response.content)
    assert len(rows) == expected_rows


def test_indicator_export_respects_the_filter(client, user_of):
    client.force_login(user_of("county"))
    response = client.get(reverse("indicators:list"), {"export": "xlsx", "required": "no"})
    _header, rows = xlsx_table(response.content)
    assert [row[0] for row in rows] == [
        "forest_coverage",
        "forest_stock",
        "nev_share",
    ]


def test_period_assignment_appears_on_the_rule_set_page(client, user_of):
    client.force_login(user_of("city"))
    html = client.get(reverse("indicators:rule-set-detail", args=["R2024"])).content.decode()
    assert reverse("targets:period-detail", args=["2026-2030"]) in html
    assert PlanPeriod.objects.get(code="2026-2030").rule_set.code == "R2024"


def test_the_indicator_pages_and_export_show_the_plausibility_bounds(client, user_of):
    client.force_login(user_of("county"))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("indicators:detail", args=["gdp_current"])).content.decode()
    assert "change within ±10 percentage points of the parent region&#x27;s change" in html
    assert "(without the parent&#x27;s change: ±20%)" in html
    listing = client.get(reverse("indicators:list")).content.decode()
    assert "year-on-year change within ±5%" in listing  # forest stock
    header, rows = xlsx_table(client.get(reverse("indicators:list"), {"export": "xlsx"}).content)
    row = next(dict(zip(header, r, strict=True)) for r in rows if "forest_stock" in r)
    assert row["Plausible year-on-year change"] == "year-on-year change within ±5%"
    assert (row["Lower bound (change)"], row["Upper bound (change)"]) == (-5, 5)
