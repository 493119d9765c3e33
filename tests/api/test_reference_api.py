import pytest
from rest_framework.authtoken.models import Token

from apps.accounts.roles import Role
from tests.factories import user_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_api(api):
    api.force_authenticate(user_with(Role.REGION_STAFF, "360102"))
    return api


@pytest.mark.parametrize(
    "url", ["/api/v1/regions/", "/api/v1/departments/", "/api/v1/sectors/", "/api/v1/me/"]
)
def test_unauthenticated_calls_get_401_and_no_data(api, url):
    response = api.get(url)
    assert response.status_code == 401
    assert "results" not in response.json()


def test_token_authentication_gives_access(api):
    user = user_with(Role.REGION_STAFF, "360102")
    token = Token.objects.create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/regions/").status_code == 200
    assert api.get("/api/v1/me/").json()["region_code"] == "360102"


def test_obtain_token_with_username_and_password(api):
    user_with(Role.REGION_STAFF, "360102", username="tokenuser")
    from django.conf import settings

    response = api.post("/api/v1/auth/token/", {"username": "tokenuser", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


def test_session_authentication_gives_access(api):
    api.force_login(user_with(Role.CONGRESS_MEMBER, "360000"))
    assert api.get("/api/v1/departments/").status_code == 200


def test_regions_filter_by_level_and_parent_with_tree_fields(county_api):
    data = county_api.get("/api/v1/regions/", {"level": "county", "parent": "360100"}).json()
    assert data["count"] == 9
    first = data["results"][0]
    assert first["parent_code"] == "360100"
    assert first["path"].startswith("360000/360100/")
    assert first["depth"] == 2


def test_regions_filter_by_code_and_subtree(county_api):
    data = county_api.get("/api/v1/regions/", {"code": "360100"}).json()
    assert [r["name"] for r in data["results"]] == ["南昌市"]
    assert data["results"][0]["children_count"] == 9
    assert county_api.get("/api/v1/regions/", {"within": "360100"}).json()["count"] == 10
    assert county_api.get("/api/v1/regions/", {"within": "999999"}).json()["count"] == 0


def test_region_list_costs_a_constant_number_of_queries(county_api, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = county_api.get("/api/v1/regions/", {"page_size": 100})
    assert response.status_code == 200


def test_departments_filter_by_region_kind_and_role(county_api):
    data = county_api.get("/api/v1/departments/", {"region": "360100", "role": "lead"}).json()
    assert data["count"] == 8
    data = county_api.get("/api/v1/departments/", {"kind": "statistics", "region": "360000"}).json()
    assert [d["name"] for d in data["results"]] == ["江西省统计局"]


def test_reference_api_is_read_only(county_api):
    assert county_api.post("/api/v1/regions/", {"code": "360199"}).status_code == 405
    assert county_api.delete("/api/v1/departments/1/").status_code == 405


def test_openapi_schema_renders_and_docs_use_local_assets(api):
    schema = api.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/regions/" in schema.content
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
