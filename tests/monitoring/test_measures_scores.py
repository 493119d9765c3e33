"""§9 measures scores: entered by a provincial official per region and year (with a comment, in
the history), recomputed into the grade like an approval, and in the snapshot the formula page
replays; refused to everyone else."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.roles import Role
from apps.monitoring import scoring, services
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
    assert trace.figures["grade"]["in"]
    assert trace.figures["score_measures"]["in"]


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
