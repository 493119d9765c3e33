import pytest
from django.core.management import call_command

from apps.organizations.catalog import DEPARTMENT_KINDS, SECTORS
from apps.organizations.models import Department, DepartmentRole, Sector

pytestmark = pytest.mark.django_db


def test_every_region_has_the_decisions_sixteen_departments():
    assert len(DEPARTMENT_KINDS) == 16
    assert Department.objects.count() == 112 * 16
    assert Department.objects.filter(role=DepartmentRole.LEAD).count() == 112 * 8


def test_department_names_follow_the_level(region):
    assert Department.objects.get(region=region("360000"), kind="industry_it").name == "江西省工业和信息化厅"
    assert Department.objects.get(region=region("360100"), kind="industry_it").name == "南昌市工业和信息化局"


def test_load_departments_twice_changes_nothing(capsys):
    call_command("load_departments")
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_sectors_of_the_decision_each_have_a_lead_department(region):
    assert [s.code for s in Sector.objects.all()] == [s.code for s in SECTORS]
    steel = Sector.objects.get(code="steel")
    assert steel.lead_department_at(region("360100")).kind == "industry_it"
    required = set(Sector.objects.filter(peak_plan_required=True).values_list("code", flat=True))
    assert required == {
        "energy",
        "steel",
        "nonferrous",
        "petrochemical",
        "building_materials",
        "transport",
        "construction",
    }
