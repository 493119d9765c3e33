"""Event timelines: the abstract event written by `event_record`, read by `events_of`
(here through the reports' timeline, the first concrete one)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from apps.core import events
from apps.core.models import TimelineEvent
from apps.reports.models import EventKind, ReportEvent
from tests.factories import make_report

pytestmark = pytest.mark.django_db


def test_the_base_has_no_table_and_reports_build_on_it():
    assert TimelineEvent._meta.abstract
    assert issubclass(ReportEvent, TimelineEvent)
    assert ReportEvent.subject_field == "report"


def test_events_are_appended_and_read_oldest_first_with_their_actor(django_assert_num_queries):
    report = make_report("360102", 2024)
    clerk = get_user_model().objects.create_user("clerk", first_name="Li", last_name="Na")
    first = events.event_record(ReportEvent, subject=report, kind=EventKind.SUBMITTED, user=clerk)
    second = events.event_record(
        ReportEvent,
        subject=report,
        kind=EventKind.RETURNED,
        user=AnonymousUser(),
        reason="Check coal",
        data={"n": 1},
        field_reasons={"energy_coal": "too high"},
    )
    assert second.actor is None and second.actor_label == ""
    assert second.field_reasons == {"energy_coal": "too high"} and second.data == {"n": 1}
    with django_assert_num_queries(1):
        timeline = list(events.events_of(ReportEvent, report))
        labels = [e.actor_label for e in timeline]
    assert [e.pk for e in timeline if e.pk in (first.pk, second.pk)] == [first.pk, second.pk]
    assert labels[-2:] == [clerk.get_full_name(), ""]
    assert str(second) == f"{report} returned"


def test_the_actor_is_none_without_a_signed_in_user():
    assert events.event_actor(None) is None
    assert events.event_actor(AnonymousUser()) is None
