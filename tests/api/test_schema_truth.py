"""What the schema fuzzing (tests/api/test_schema_fuzz.py) found, each pinned by a plain test:
the schema says null and "" where the API answers them, documents the one error body on every
operation, an unmatched API path is a JSON 404, wrongly typed query filters are refused, and a
plan period cannot be given a factor set that figures cannot be computed with."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from apps.indicators.models import EmissionFactorSet
from apps.targets.models import PlanPeriod

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(
    "component,field",
    [
        ("Me", "department_name"),
        ("Me", "region_code"),
        ("RecomputeRun", "region_code"),
        ("Region", "parent_code"),
        ("PlanTarget", "indicator"),
        ("RegionTarget", "updated_by"),
    ],
)
def test_fields_read_through_an_empty_relation_are_nullable(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field]["nullable"] is True


def test_a_blank_choice_is_in_the_documented_values(schema):
    status_from = schema["components"]["schemas"]["ProgressNote"]["properties"]["status_from"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in status_from["oneOf"]
    assert schema["components"]["schemas"]["BlankEnum"]["enum"] == [""]


def test_every_operation_documents_the_error_body(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            codes = {"400", "403", "404", "503"} | ({"409"} if method != "get" else set())
            if {} not in operation.get("security", [{}]):
                codes.add("401")
            assert codes <= set(responses), (method, path, sorted(responses))
            for code in codes:
                body = responses[code]["content"]["application/json"]["schema"]
                assert body == ERROR_REF or ERROR_REF in body.get("anyOf", []), (method, path, code)


def test_an_uploads_400_is_its_rows_or_the_error_body(schema, as_role):
    body = schema["paths"]["/api/v1/targets/import/"]["post"]["responses"]["400"]["content"]
    assert body["application/json"]["schema"]["anyOf"][1] == ERROR_REF
    response = as_role("provincial").post("/api/v1/targets/import/", {}, format="multipart")
    assert response.status_code == 400 and set(response.json()) == {"detail", "errors"}
    assert response.json()["errors"] == {"file": [response.json()["errors"]["file"][0]]}


def test_a_measures_status_change_is_documented_as_the_201_it_answers(schema):
    operation = schema["paths"]["/api/v1/measures/{id}/set-status/"]["post"]
    assert "201" in operation["responses"] and "200" not in operation["responses"]


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_api_path_that_names_nothing_is_a_json_404(as_role, method):
    response = getattr(as_role("admin"), method)("/api/v1/reports/deadlines/not-a-year/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    # Without the slash, Django still redirects to the slashed path.
    assert as_role("admin").get("/api/v1/regions").status_code == 301


@pytest.mark.parametrize(
    "url,parameter",
    [
        ("/api/v1/emission-factor-sets/?is_default=maybe", "is_default"),
        ("/api/v1/indicators/?required=1", "required"),
        ("/api/v1/assessments/?year_to=2020.5", "year_to"),
        ("/api/v1/reports/?year=twenty", "year"),
        ("/api/v1/sector-plans/?overdue=yes", "overdue"),
    ],
)
def test_wrongly_typed_query_filters_are_refused(as_role, url, parameter):
    response = as_role("admin").get(url)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_well_typed_and_empty_query_filters_still_filter(as_role):
    client = as_role("admin")
    default = client.get("/api/v1/emission-factor-sets/?is_default=TRUE").json()["results"]
    assert [s["is_default"] for s in default] == [True]
    everything = client.get("/api/v1/emission-factor-sets/?is_default=").json()["count"]
    assert everything == EmissionFactorSet.objects.count()
    assert client.get("/api/v1/assessments/?year_to=2020&year=-1").status_code == 200


def test_a_period_cannot_be_given_a_factor_set_without_every_fuel(as_role):
    client = as_role("admin")
    assert client.post("/api/v1/emission-factor-sets/", {"code": "empty", "name": "Empty"}).status_code == 201
    response = client.patch("/api/v1/periods/2026-2030/", {"factor_set": "empty"}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["factor_set"]
    assert PlanPeriod.objects.get(code="2026-2030").factor_set is None


def test_a_filter_sent_empty_is_documented_and_means_no_filter(schema, as_role):
    parameters = schema["paths"]["/api/v1/reports/reminders/"]["get"]["parameters"]
    sent_on = next(p for p in parameters if p["name"] == "sent_on")
    assert sent_on["allowEmptyValue"] is True and sent_on["schema"]["format"] == "date"
    assert as_role("admin").get("/api/v1/reports/reminders/?sent_on=").status_code == 200
