from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from apps.accounts.models import User
from apps.accounts.roles import Role
from tests.factories import user_with

pytestmark = pytest.mark.django_db


def test_home_page_invites_the_public_to_log_in(client):
    client.cookies["django_language"] = "zh-hans"
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "碳达峰碳中和监测平台" in text
    assert reverse("accounts:login") in text


def test_home_page_lists_what_each_role_can_do(client):
    admin = user_with(Role.ADMINISTRATOR)
    client.force_login(admin)
    assert "/admin/" in client.get("/").content.decode()
    client.force_login(user_with(Role.REGION_STAFF, "360102"))
    text = client.get("/").content.decode()
    assert "/regions/" in text
    assert "/admin/" not in text


def test_login_with_demo_credentials_redirects_home(client, demo):
    response = client.post(
        reverse("accounts:login"), {"username": "donghu", "password": settings.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_with_wrong_password_shows_an_error(client):
    user_with(Role.REGION_STAFF, "360102", username="someone")
    response = client.post(reverse("accounts:login"), {"username": "someone", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_logout_is_a_post(client):
    client.force_login(user_with(Role.REGION_STAFF, "360102"))
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_language_switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert "Carbon Portal" in response.content.decode()
    assert 'lang="en"' in response.content.decode()


def test_chinese_is_the_default_language(client):
    response = client.get(reverse("accounts:login"))
    assert 'lang="zh-hans"' in response.content.decode()
    assert "登录" in response.content.decode()


def test_seed_demo_creates_one_user_per_role_and_is_idempotent(demo):
    count = User.objects.count()
    call_command("seed_demo", stdout=StringIO())  # a second seeding (`demo` was the first)
    assert User.objects.count() == count
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(username="donghu").region.code == "360102"
    assert User.objects.get(username="energy_dept").department.kind == "energy"


def test_region_pages_need_login(client):
    response = client.get(reverse("regions:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_region_list_filters_by_city_and_detail_shows_departments(client, region):
    client.force_login(user_with(Role.REGION_STAFF, "360102"))
    response = client.get(reverse("regions:list"), {"parent": "360100", "level": "county"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 9
    detail = client.get(region("360100").get_absolute_url())
    assert detail.status_code == 200
    assert "南昌市发展和改革委员会" in detail.content.decode()
    assert len(detail.context["children"]) == 9


def test_department_list_filters_by_region_and_kind(client):
    client.force_login(user_with(Role.CONGRESS_MEMBER, "360000"))
    response = client.get(reverse("organizations:department-list"), {"region": "360100", "kind": "energy"})
    assert [d.name for d in response.context["page"]] == ["南昌市能源局"]


def test_healthz_answers_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}
