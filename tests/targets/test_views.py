import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.indicators.models import RuleSet
from apps.regions.selectors import by_code
from apps.targets.models import PlanPeriod, RegionTarget
from tests.factories import ROLES
from tests.xlsx import xlsx_table

pytestmark = pytest.mark.django_db

WORKED = Path(__file__).parent / "data" / "worked_targets.csv"
SETTERS = ("city", "provincial", "admin")


def some_target(code="360000", metric="energy_intensity_reduction"):
    return RegionTarget.objects.get(region=by_code(code), metric=metric, period__code="2021-2025")


@pytest.mark.parametrize("role", ROLES)
def test_every_targets_page_renders_for_every_role(client, user_of, demo, role):
    client.force_login(user_of(role))
    target = some_target()
    pages = [
        reverse("targets:list"),
        reverse("targets:list") + "?within=360100&period=2021-2025&metric=energy_total_cap",
        reverse("targets:detail", args=[target.pk]),
        reverse("targets:decomposition"),
        reverse("targets:decomposition") + "?parent=360000&period=2021-2025",
        reverse("targets:decomposition") + "?parent=360100&period=2021-2025",
        reverse("targets:period-list"),
        reverse("targets:period-detail", args=["2021-2025"]),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    write_pages = [reverse("targets:create"), reverse("targets:import")]
    for url in write_pages:
        assert client.get(url).status_code == (200 if role in SETTERS else 403), url
    assert client.get(reverse("targets:period-edit", args=["2021-2025"])).status_code == (
        200 if role in ("provincial", "admin") else 403
    )


def test_targets_pages_need_login(client):
    for url in (reverse("targets:list"), reverse("targets:decomposition"), reverse("targets:period-list")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_decomposition_page_flags_the_weaker_city_with_text(client, user_of, demo):
    client.cookies["django_language"] = "en"
    client.force_login(user_of("congress"))
    html = client.get(
        reverse("targets:decomposition"),
        {"parent": "360000", "period": "2021-2025"},
    ).content.decode()
    assert "新余市" in html
    assert html.count("weaker than parent") == 2  # Xinyu's energy- and CO2-intensity targets
    assert "For information: the sum exceeds the parent's cap." in html
    zh = client.get(
        reverse("targets:decomposition"), {"parent": "360000", "period": "2021-2025"}
    ).content.decode()
    assert 'lang="zh-hans"' in zh


def test_decomposition_defaults_to_the_users_region(client, user_of, demo):
    client.force_login(user_of("county"))  # Donghu: its city's decomposition
    response = client.get(reverse("targets:decomposition"))
    assert response.context["parent"].code == "360100"
    # The latest period with the region's targets (the demo sets them up to 2026–2030).
    assert response.context["period"] == PlanPeriod.objects.filter(targets__region__code="360100").latest(
        "base_year"
    )


def test_target_list_and_decomposition_cost_a_constant_number_of_queries(
    client, user_of, demo, django_assert_max_num_queries
):
    client.force_login(user_of("city"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("targets:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("targets:decomposition"), {"parent": "360000"}).status_code == 200


def test_target_list_filters_and_export_follow_the_same_query(client, user_of, demo):
    client.force_login(user_of("department"))
    params = {"within": "360100", "metric": "energy_total_cap", "period": "2021-2025"}
    response = client.get(reverse("targets:list"), params)
    assert response.context["page"].paginator.count == 10  # Nanchang and its 9 counties
    export = client.get(reverse("targets:list"), {**params, "export": "xlsx"})
    header, rows = xlsx_table(export.content)
    assert header[:6] == ["地区", "地区代码", "规划期", "目标", "指标代码", "年份"]  # people's headers
    assert len(rows) == 10
    assert {r[4] for r in rows} == {"energy_total_cap"}  # the code beside the target's name


@pytest.mark.parametrize("url_name,args", [("targets:period-list", []), ("targets:decomposition", [])])
def test_other_lists_download_as_xlsx(client, user_of, demo, url_name, args):
    client.force_login(user_of("county"))
    response = client.get(
        reverse(url_name, args=args), {"export": "xlsx", "parent": "360000", "period": "2021-2025"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx_table(response.content)[1]


# --- writes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role,code", [("city", "360102"), ("provincial", "360500"), ("admin", "360102")])
def test_setters_create_targets_in_their_scope(client, user_of, role, code):
    user = user_of(role)
    client.force_login(user)
    response = client.post(
        reverse("targets:create"),
        {
            "region": code,
            "period": "2021-2025",
            "metric": "co2_intensity_reduction",
            "value": "18.5",
            "note": "",
        },
    )
    assert response.status_code == 302
    target = RegionTarget.objects.get(region__code=code)
    assert target.value == Decimal("18.5") and target.updated_by == user


@pytest.mark.parametrize("role,code", [("city", "360100"), ("city", "360202"), ("provincial", "360102")])
def test_a_region_outside_the_jurisdiction_is_a_field_error_with_403(client, user_of, role, code):
    client.cookies["django_language"] = "en"
    client.force_login(user_of(role))
    response = client.post(
        reverse("targets:create"),
        {"region": code, "period": "2021-2025", "metric": "co2_intensity_reduction", "value": "18.5"},
    )
    assert response.status_code == 403
    assert "outside your jurisdiction" in response.context["form"].errors["region"][0]
    assert 'value="18.5"' in response.content.decode()
    assert not RegionTarget.objects.exists()


@pytest.mark.parametrize("role", ["county", "department", "congress"])
def test_users_without_the_role_get_403_on_every_target_write(client, user_of, role, demo):
    client.force_login(user_of(role))
    target = some_target("360102")
    data = {"region": "360102", "period": "2021-2025", "metric": "co2_intensity_reduction", "value": "17.25"}
    assert client.post(reverse("targets:create"), data).status_code == 403
    assert client.post(reverse("targets:edit", args=[target.pk]), {"value": "1"}).status_code == 403
    assert client.post(reverse("targets:delete", args=[target.pk])).status_code == 403
    upload = SimpleUploadedFile("t.csv", WORKED.read_bytes(), content_type="text/csv")
    assert client.post(reverse("targets:import"), {"file": upload}).status_code == 403
    assert RegionTarget.objects.get(pk=target.pk).value == target.value
    assert not RegionTarget.objects.filter(region=target.region, value="17.25").exists()


def test_edit_and_delete_are_refused_outside_the_jurisdiction(client, user_of, demo):
    client.force_login(user_of("city"))  # Nanchang staff: not the province's or another city's counties
    province = some_target("360000")
    assert client.get(reverse("targets:edit", args=[province.pk])).status_code == 403
    assert client.post(reverse("targets:edit", args=[province.pk]), {"value": "1"}).status_code == 403
    assert client.post(reverse("targets:delete", args=[province.pk])).status_code == 403
    assert RegionTarget.objects.get(pk=province.pk).value == province.value


@pytest.mark.parametrize(
    "data,field",
    [
        ({"metric": "nonfossil_share", "value": "100"}, "value"),
        ({"metric": "nonfossil_share", "value": "0"}, "value"),
        ({"metric": "nonfossil_share", "value": "abc"}, "value"),
        ({"metric": "energy_intensity_reduction_annual", "value": "3"}, "year"),
        ({"metric": "energy_intensity_reduction_annual", "value": "3", "year": "2031"}, "year"),
        ({"metric": "energy_total_cap", "value": "500", "year": "2022"}, "year"),
        ({"metric": "energy_total_cap", "value": "500", "region": "999999"}, "region"),
        ({"metric": "peak_year", "value": "2030"}, "metric"),
    ],
)
def test_create_form_shows_field_errors_and_saves_nothing(client, provincial, data, field):
    client.force_login(provincial)
    response = client.post(reverse("targets:create"), {"region": "360000", "period": "2021-2025", **data})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not RegionTarget.objects.exists()


def test_edit_changes_value_and_history_is_shown(client, user_of, demo):
    official = user_of("provincial")
    client.force_login(official)
    target = some_target("360500")
    response = client.post(
        reverse("targets:edit", args=[target.pk]), {"value": "14", "note": "raised to the province's"}
    )
    assert response.status_code == 302
    html = client.get(reverse("targets:detail", args=[target.pk])).content.decode()
    assert "13 → 14" in html
    assert official.username in html
    response = client.post(reverse("targets:edit", args=[target.pk]), {"value": "140", "note": ""})
    assert response.status_code == 400 and "value" in response.context["form"].errors


def test_delete_removes_and_keeps_history(client, user_of, demo):
    client.force_login(user_of("city"))
    target = some_target("360102")
    assert client.get(reverse("targets:delete", args=[target.pk])).status_code == 200
    assert client.post(reverse("targets:delete", args=[target.pk])).status_code == 302
    assert not RegionTarget.objects.filter(pk=target.pk).exists()
    assert RegionTarget.history.filter(id=target.pk, history_type="-").exists()


def test_period_assignment_through_the_ui(client, user_of):
    client.force_login(user_of("provincial"))
    r2024 = RuleSet.objects.get(code="R2024")
    response = client.post(
        reverse("targets:period-edit", args=["2021-2025"]), {"rule_set": r2024.pk, "factor_set": ""}
    )
    assert response.status_code == 302
    assert PlanPeriod.objects.get(code="2021-2025").rule_set == r2024
    client.force_login(user_of("city"))
    response = client.post(
        reverse("targets:period-edit", args=["2021-2025"]), {"rule_set": RuleSet.objects.get(code="R2016").pk}
    )
    assert response.status_code == 403
    assert PlanPeriod.objects.get(code="2021-2025").rule_set == r2024


# --- upload --------------------------------------------------------------------------------------


def test_upload_of_the_worked_targets_by_a_provincial_official(client, provincial):
    client.force_login(provincial)
    upload = SimpleUploadedFile("worked_targets.csv", WORKED.read_bytes(), content_type="text/csv")
    response = client.post(reverse("targets:import"), {"file": upload})
    assert response.status_code == 302
    assert RegionTarget.objects.filter(region__code="360100").count() == 4


def test_upload_errors_are_listed_per_row_and_nothing_is_saved(client, user_of):
    client.force_login(user_of("city"))
    upload = SimpleUploadedFile("worked_targets.csv", WORKED.read_bytes(), content_type="text/csv")
    client.cookies["django_language"] = "en"
    response = client.post(reverse("targets:import"), {"file": upload})
    assert response.status_code == 400
    assert [e.row for e in response.context["row_errors"]] == [2, 3, 4, 5]
    assert "outside your jurisdiction" in response.content.decode()
    assert not RegionTarget.objects.exists()


def test_upload_of_ten_megabytes_of_garbage_is_a_clean_error(client, provincial):
    client.force_login(provincial)
    upload = SimpleUploadedFile("garbage.xlsx", os.urandom(10 * 1024 * 1024))
    response = client.post(reverse("targets:import"), {"file": upload})
    assert response.status_code == 400
    assert [e.field for e in response.context["row_errors"]] == ["file"]
    assert client.get(reverse("targets:list")).status_code == 200  # still serving


def test_upload_without_a_file_is_a_field_error(client, provincial):
    client.force_login(provincial)
    response = client.post(reverse("targets:import"), {})
    assert response.status_code == 400
    assert "file" in response.context["form"].errors


# --- reads: roles.md v1.1 "read targets: subtree and the regions above" ---------------------------


def test_a_county_reads_its_own_its_citys_and_the_provinces_targets_only(client, user_of, demo):
    client.force_login(user_of("county"))  # Donghu 360102
    listed = (
        client.get(reverse("targets:list"), {"period": "2021-2025"}).context["page"].paginator.object_list
    )
    assert {t.region.code for t in listed} == {"360000", "360100", "360102"}
    export = client.get(reverse("targets:list"), {"export": "xlsx"})
    codes = {r[1] for r in xlsx_table(export.content)[1]}
    assert codes == {"360000", "360100", "360102"}
    sibling = some_target("360103")
    assert client.get(reverse("targets:detail", args=[sibling.pk])).status_code == 404
    client.force_login(user_of("city"))  # Nanchang: sets its counties' targets, reads no other city's
    foreign = some_target("360400")  # 九江市
    for url_name in ("targets:edit", "targets:delete"):
        assert client.get(reverse(url_name, args=[foreign.pk])).status_code == 404
        assert client.post(reverse(url_name, args=[foreign.pk]), {"value": "1"}).status_code == 404
    assert RegionTarget.objects.get(pk=foreign.pk).value == foreign.value


def test_the_decomposition_shows_no_sibling_county_and_no_cap_sum(client, user_of, demo):
    client.force_login(user_of("county"))
    client.cookies["django_language"] = "en"
    response = client.get(reverse("targets:decomposition"))
    result = response.context["result"]
    assert response.context["parent"].code == "360100"
    assert [r.region.code for r in result.rows] == ["360102"]
    assert result.hidden_children == 8 and result.cap_sum is None
    html = response.content.decode()
    assert "8 sub-regions are outside your jurisdiction" in html and "南昌县" not in html
    assert "No target of the sub-regions shown is weaker" in html  # no claim about the hidden ones
    assert {r.code for r in response.context["parents"]} == {"360000", "360100"}
    foreign = client.get(reverse("targets:decomposition"), {"parent": "360400", "period": "2021-2025"})
    assert foreign.context["not_found"] and foreign.context["result"] is None
    export = client.get(reverse("targets:decomposition"), {"parent": "360000", "export": "xlsx"})
    codes = [r[1] for r in xlsx_table(export.content)[1]]
    assert codes == ["360000", "360100"]


def test_a_city_congress_member_reads_its_subtree_only(client, demo):
    from apps.accounts.roles import Role
    from tests.factories import user_with

    client.force_login(user_with(Role.CONGRESS_MEMBER, "360100"))
    listed = client.get(reverse("targets:list")).context["page"].paginator.object_list
    assert {t.region.code for t in listed} and all(t.region.code.startswith("3601") for t in listed)
    assert client.get(reverse("targets:detail", args=[some_target("360000").pk])).status_code == 404
    response = client.get(reverse("targets:decomposition"))
    assert response.context["parent"].code == "360100"
    assert [r.code for r in response.context["parents"]] == ["360100"]


def test_plan_periods_count_only_the_readable_targets(client, user_of, demo):
    client.force_login(user_of("county"))
    periods = {p.code: p for p in client.get(reverse("targets:period-list")).context["periods"]}
    expected = RegionTarget.objects.filter(
        period__code="2021-2025", region__code__in=["360000", "360100", "360102"]
    ).count()
    assert periods["2021-2025"].target_count == expected < RegionTarget.objects.count()
