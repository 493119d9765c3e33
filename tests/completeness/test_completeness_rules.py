"""The completeness grid's pure rules: folding revisions, masking private states, lateness, filters."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from apps.completeness.selectors import (
    Access,
    CellState,
    GridFilters,
    RegionYear,
    Revision,
    count_states,
    parse_filters,
    summarize,
    visible_cell,
)

TODAY = date(2026, 5, 1)
DUE = date(2026, 3, 31)
EVERYTHING = Access(private=True, submitted=True, approved=True)
REVIEWER = Access(private=False, submitted=True, approved=True)  # city or province
CONGRESS = Access(private=False, submitted=False, approved=True)


def test_no_revision_is_not_started():
    assert summarize([]) == RegionYear(state=CellState.NOT_STARTED)


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("draft", CellState.DRAFT),
        ("submitted", CellState.SUBMITTED),
        ("forwarded", CellState.SUBMITTED),
        ("returned", CellState.RETURNED),
        ("approved", CellState.APPROVED),
    ],
)
def test_single_revision_state_follows_its_status(status, state):
    assert summarize([Revision(7, 1, status)]).state == state


def test_first_submission_is_the_earliest_of_all_revisions():
    facts = summarize(
        [
            Revision(1, 1, "approved", date(2026, 3, 20)),
            Revision(2, 2, "submitted", date(2026, 6, 1)),
        ]
    )
    assert facts.first_submitted_on == date(2026, 3, 20)


def test_an_approved_report_under_correction_stays_approved_and_names_the_correction():
    facts = summarize([Revision(1, 1, "approved", date(2026, 3, 1)), Revision(2, 2, "draft")])
    assert facts.state == CellState.APPROVED
    assert facts.report_id == 1
    assert (facts.correction_state, facts.correction_id) == (CellState.DRAFT, 2)


def test_the_latest_approved_revision_is_the_one_in_force():
    facts = summarize([Revision(1, 1, "approved"), Revision(2, 2, "approved")])
    assert (facts.state, facts.report_id, facts.correction_state) == (CellState.APPROVED, 2, None)


@pytest.mark.parametrize("state", [CellState.NOT_STARTED, CellState.DRAFT, CellState.RETURNED])
def test_private_states_show_as_not_submitted_to_whoever_may_not_read_drafts(state):
    facts = RegionYear(state=state, report_id=5 if state != CellState.NOT_STARTED else None)
    for access in (REVIEWER, CONGRESS, Access()):
        cell = visible_cell(facts, access, year=2025, due=DUE, today=TODAY)
        assert cell.state == CellState.NOT_SUBMITTED
        assert cell.report_id is None


def test_the_submission_date_of_a_returned_report_is_hidden_from_reviewers():
    facts = RegionYear(state=CellState.RETURNED, report_id=5, first_submitted_on=date(2026, 3, 1))
    cell = visible_cell(facts, REVIEWER, year=2025, due=DUE, today=TODAY)
    assert cell.submitted_on is None


def test_draft_readers_see_the_real_state_and_a_link():
    facts = RegionYear(state=CellState.RETURNED, report_id=5)
    cell = visible_cell(facts, EVERYTHING, year=2025, due=DUE, today=TODAY)
    assert (cell.state, cell.report_id) == (CellState.RETURNED, 5)


def test_congress_sees_that_a_report_is_submitted_but_gets_no_link_until_approved():
    submitted = visible_cell(
        RegionYear(state=CellState.SUBMITTED, report_id=5), CONGRESS, year=2025, due=DUE, today=TODAY
    )
    approved = visible_cell(
        RegionYear(state=CellState.APPROVED, report_id=6), CONGRESS, year=2025, due=DUE, today=TODAY
    )
    assert (submitted.state, submitted.report_id) == (CellState.SUBMITTED, None)
    assert (approved.state, approved.report_id) == (CellState.APPROVED, 6)


def test_a_correction_under_way_is_shown_only_to_those_who_may_read_it():
    facts = RegionYear(
        state=CellState.APPROVED, report_id=1, correction_state=CellState.DRAFT, correction_id=2
    )
    assert visible_cell(facts, REVIEWER, year=2025, due=DUE, today=TODAY).correction_state is None
    own = visible_cell(facts, EVERYTHING, year=2025, due=DUE, today=TODAY)
    assert (own.correction_state, own.correction_id) == (CellState.DRAFT, 2)


def test_submitted_after_the_deadline_is_late_and_on_the_day_is_not():
    late = RegionYear(state=CellState.SUBMITTED, report_id=1, first_submitted_on=date(2026, 4, 1))
    on_time = RegionYear(state=CellState.SUBMITTED, report_id=1, first_submitted_on=DUE)
    assert visible_cell(late, REVIEWER, year=2025, due=DUE, today=TODAY).late
    assert not visible_cell(on_time, REVIEWER, year=2025, due=DUE, today=TODAY).late


def test_not_submitted_after_the_deadline_is_overdue_masked_or_not():
    facts = RegionYear(state=CellState.DRAFT, report_id=1)
    assert visible_cell(facts, REVIEWER, year=2025, due=DUE, today=TODAY).overdue
    assert visible_cell(facts, EVERYTHING, year=2025, due=DUE, today=TODAY).overdue
    assert not visible_cell(facts, EVERYTHING, year=2025, due=DUE, today=DUE).overdue


def test_without_a_deadline_nothing_is_late_or_overdue():
    cell = visible_cell(RegionYear(state=CellState.NOT_STARTED), REVIEWER, year=2025, due=None, today=TODAY)
    assert not cell.overdue and not cell.late


def test_counts_have_every_state_and_late_and_overdue():
    cells = [
        visible_cell(RegionYear(state=CellState.NOT_STARTED), REVIEWER, year=2025, due=DUE, today=TODAY),
        visible_cell(RegionYear(state=CellState.DRAFT), REVIEWER, year=2025, due=DUE, today=TODAY),
        visible_cell(
            RegionYear(state=CellState.APPROVED, first_submitted_on=date(2026, 4, 2)),
            REVIEWER,
            year=2025,
            due=DUE,
            today=TODAY,
        ),
    ]
    counts = count_states(cells)
    assert counts["not_submitted"] == 2
    assert counts["approved"] == 1
    assert counts["draft"] == 0
    assert (counts["late"], counts["overdue"]) == (1, 2)


def test_filters_default_to_the_last_five_report_years():
    assert parse_filters({}, today=TODAY) == GridFilters(year_from=2021, year_to=2025)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"years": "2021-2025"}, (2021, 2025)),
        ({"years": "2024"}, (2024, 2024)),
        ({"year_from": "2019", "year_to": "2020"}, (2019, 2020)),
    ],
)
def test_filters_read_a_year_range(params, expected):
    filters = parse_filters(params, today=TODAY)
    assert (filters.year_from, filters.year_to) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"years": "abc"}, "years"),
        ({"years": "2025-2021"}, "years"),
        ({"years": "1900-1901"}, "years"),
        ({"years": "2000-2050"}, "years"),
        ({"year_from": "20x1"}, "year_from"),
        ({"city": "3601"}, "city"),
        ({"level": "village"}, "level"),
    ],
)
def test_bad_filters_are_refused_naming_the_parameter(params, field):
    with pytest.raises(ValidationError) as excinfo:
        parse_filters(params, today=TODAY)
    assert field in excinfo.value.message_dict
