"""§9 measures scores: entered by a provincial official per region and year (with a comment, in
the history), recomputed into the grade like an approval, and in the snapshot the formula page
replays; refused to everyone else."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.monitoring import inputs, scoring, services
from apps.monitoring.models import Assessment, AssessmentTrace, MeasuresScore
from apps.regions.selectors import by_code
from tests.factories import user_with

from .pipeline import load_worked_example

pytestmark = pytest.mark.django_db

CODE, YEAR = "360100", 2021


@pytest.fixture
def computed():
    load_worked_example()
    services.recompute()


@pytest.fixture
def official():
    return user_with(Role.PROVINCIAL_OFFICIAL, "360000")


def figure(metric: str, year: int = YEAR) -> Assessment | None:
    return Assessment.objects.filter(region__code=CODE, year=year, metric=metric).first()


def enter(user, score, comment="", year=YEAR, capture=None):
    return scoring.measures_score_set(
        user=user, region=by_code(CODE), year=year, score=score, comment=comment
    )


def test_without_a_score_the_grade_is_pending_review(computed):
    assert figure("grade").level == "pending_review"
    assert figure("score_target") is not None
    assert figure("score_measures") is None and figure("score_total") is None


def test_an_entered_score_recomputes_the_grade(computed, official, django_capture_on_commit_callbacks):
    target = figure("score_target").value
    with django_capture_on_commit_callbacks(execute=True):
        enter(official, "55.5", "site visits done")
    assert figure("score_measures").value == Decimal("55.5")
    assert figure("score_total").value == target + Decimal("55.5")
    total = target + Decimal("55.5")
    band = "exceeded" if total >= 95 else "completed" if total >= 80 else "basically_completed"
    band = band if total >= 60 else "not_completed"
    assert figure("grade").level == band
    # the snapshot holds the score and its replay gives the stored grade (the formula page)
    trace = AssessmentTrace.objects.get(region__code=CODE, year=YEAR)
    assert trace.snapshot.inputs.measures == {YEAR: 55.5}
    replayed = inputs.replay(trace.snapshot.data, YEAR)
    assert replayed["grade"].value == figure("grade").level
    assert replayed["score_measures"].value == 55.5
    assert trace.figures["grade"]["in"]["score_total"] == float(figure("score_total").value)
    page = client_as(official).get(f"/monitoring/city/{CODE}/{YEAR}/").content.decode()
    assert 'id="score_measures"' in page and 'id="grade"' in page  # the formula page


def test_a_score_outside_0_to_60_is_refused_naming_the_field(computed, official):
    for bad in ("61", "-1", "abc", "", "12.25"):
        with pytest.raises(ValidationError) as error:
            enter(official, bad)
        assert "score" in error.value.message_dict, bad
    with pytest.raises(ValidationError) as error:
        enter(official, "70", year=1990)
    assert {"score", "year"} <= set(error.value.message_dict)
    assert not MeasuresScore.objects.exists()


def test_changing_a_score_needs_a_comment_and_is_in_the_history(computed, official):
    enter(official, "40")
    with pytest.raises(ValidationError) as error:
        enter(official, "45")
    assert "comment" in error.value.message_dict
    enter(official, "45", "re-checked the energy audits")
    entries = scoring.score_history(by_code(CODE), YEAR)
    assert [e.action for e in entries] == ["changed", "created"]
    assert entries[0].reason == "re-checked the energy audits"
    assert [(c.old, c.new) for c in entries[0].changes] == [("40", "45")]


def test_clearing_returns_to_pending_review(computed, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enter(official, "50")
    assert figure("grade").level != "pending_review"
    with django_capture_on_commit_callbacks(execute=True):
        assert scoring.measures_score_clear(
            user=official, region=by_code(CODE), year=YEAR, comment="wrong year"
        )
    assert figure("grade").level == "pending_review"
    assert scoring.score_history(by_code(CODE), YEAR)[0].action == "deleted"


@pytest.mark.parametrize(
    "role, code",
    [(Role.REGION_STAFF, "360100"), (Role.REGION_STAFF, "360102"), (Role.CONGRESS_MEMBER, "360000")],
)
def test_others_may_not_enter_a_score(computed, role, code):
    with pytest.raises(PermissionDenied):
        enter(user_with(role, code), "50")
    assert not MeasuresScore.objects.exists()


def test_the_nightly_run_reads_the_stored_scores(computed, official):
    enter(official, "50")
    services.recompute()
    assert figure("score_measures").value == Decimal("50")


# --- the scoring pages -----------------------------------------------------------------------------

SCORE_URL = f"/monitoring/scores/city/{CODE}/{YEAR}/"


def client_as(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_scoring_page_lists_region_years_by_name(computed, official):
    response = client_as(official).get("/monitoring/scores/", {"year": YEAR})
    assert response.status_code == 200
    text = response.content.decode()
    assert "南昌市" in text and SCORE_URL in text
    assert "Pending review" in text or "待评审" in text
    assert client_as(official).get("/monitoring/scores/", {"year": YEAR, "city": "360100"}).status_code == 200
    assert client_as(official).get("/monitoring/scores/", {"city": "999999"}).status_code == 404
    assert client_as(official).get("/monitoring/scores/", {"year": "1900"}).status_code == 404


def test_an_official_enters_a_score_on_the_page(computed, official, django_capture_on_commit_callbacks):
    client = client_as(official)
    page = client.get(f"/monitoring/city/{CODE}/{YEAR}/")
    assert SCORE_URL in page.content.decode()  # linked from the region-year page
    assert client.get(SCORE_URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SCORE_URL, {"score": "58", "comment": "all measures on track"})
    assert response.status_code == 302
    assert figure("score_measures").value == Decimal("58")
    assert figure("grade").level != "pending_review"
    page = client.get(SCORE_URL).content.decode()
    assert "all measures on track" in page  # the history, with the comment


def test_a_score_outside_the_range_is_a_field_error_on_the_page(computed, official):
    response = client_as(official).post(SCORE_URL, {"score": "61", "comment": ""})
    assert response.status_code == 400
    assert "score" in response.context["form"].errors
    assert not MeasuresScore.objects.exists()


@pytest.mark.parametrize(
    "role, code",
    [(Role.REGION_STAFF, "360102"), (Role.REGION_STAFF, "360100"), (Role.CONGRESS_MEMBER, "360000")],
)
def test_county_city_staff_and_congress_members_are_refused(computed, role, code):
    client = client_as(user_with(role, code))
    assert client.get("/monitoring/scores/").status_code == 403
    assert client.post(SCORE_URL, {"score": "50"}).status_code == 403
    assert SCORE_URL not in client.get(f"/monitoring/city/{CODE}/{YEAR}/").content.decode()
    assert not MeasuresScore.objects.exists()


def test_anonymous_goes_to_the_login_page(computed):
    for response in (Client().get("/monitoring/scores/"), Client().post(SCORE_URL, {"score": "50"})):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the API -------------------------------------------------------------------------------------


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_enters_a_score_and_the_export_carries_it(
    computed, official, django_capture_on_commit_callbacks
):
    api = api_as(official)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/measures-scores/", {"region": CODE, "year": YEAR, "score": "52.5"}, format="json"
        )
    assert created.status_code == 201, created.json()
    assert created.json()["region_name"] == "南昌市" and created.json()["score"] == "52.5"
    listed = api.get("/api/v1/measures-scores/", {"year": YEAR, "region": CODE}).json()
    assert [row["score"] for row in listed["results"]] == ["52.5"]
    assert api.get("/api/v1/measures-scores/", {"year": YEAR + 1}).json()["count"] == 0
    exported = api.get("/api/v1/assessments/export/", {"region": CODE, "year": YEAR}).content.decode()
    rows = dict(line.split(",")[2:] for line in exported.splitlines()[1:])
    assert rows["score_measures"] == "52.5"
    assert rows["grade"] != "pending_review"
    assert float(rows["score_total"]) == float(rows["score_target"]) + 52.5
    changed = api.post(
        "/api/v1/measures-scores/", {"region": CODE, "year": YEAR, "score": "50", "comment": "re-scored"}
    )
    assert changed.status_code == 200 and changed.json()["score"] == "50.0"


def test_the_api_refuses_bad_scores_and_other_roles(computed, official):
    api = api_as(official)
    bad = api.post("/api/v1/measures-scores/", {"region": CODE, "year": YEAR, "score": "75"}, format="json")
    assert bad.status_code == 400 and "score" in bad.json()["errors"]
    unknown = api.post("/api/v1/measures-scores/", {"region": "999999", "year": YEAR, "score": "5"})
    assert unknown.status_code == 400 and "region" in unknown.json()["errors"]
    for role, code in ((Role.REGION_STAFF, "360102"), (Role.CONGRESS_MEMBER, "360000")):
        refused = api_as(user_with(role, code)).post(
            "/api/v1/measures-scores/", {"region": CODE, "year": YEAR, "score": "50"}, format="json"
        )
        assert refused.status_code == 403
    assert APIClient().get("/api/v1/measures-scores/").status_code == 401
    assert not MeasuresScore.objects.exists()


def test_scores_are_read_within_the_readers_subtree(computed, official):
    enter(official, "50")
    assert api_as(user_with(Role.REGION_STAFF, "360102")).get("/api/v1/measures-scores/").json()["count"] == 0
    assert (
        api_as(user_with(Role.CONGRESS_MEMBER, "360100")).get("/api/v1/measures-scores/").json()["count"] == 1
    )


def test_the_endpoint_is_in_the_openapi_schema(official):
    schema = api_as(official).get("/api/schema/", {"format": "json"}).json()
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/measures-scores/"])


def test_the_scoring_pages_cost_a_few_queries(computed, official, django_assert_max_num_queries):
    enter(official, "50")
    client = client_as(official)
    with django_assert_max_num_queries(15):
        assert client.get("/monitoring/scores/", {"year": YEAR}).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(SCORE_URL).status_code == 200
