"""The review workflow: every transition with allowed and refused users, immutability, revisions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.regions.selectors import by_code
from apps.reports import services
from apps.reports.models import EventKind, Report, ReportStatus
from apps.reports.selectors import approved_values, revision_diff
from apps.reports.services import InvalidTransition
from tests.factories import GOOD_VALUES, make_report

pytestmark = pytest.mark.django_db
YEAR = 2024


def draft(users, code="360102", year=YEAR, values=GOOD_VALUES, owner="donghu"):
    owners = {"360102": "donghu", "360103": "xihu", "360100": "nanchang", "360000": "province_staff"}
    user = users[owners.get(code, owner)]
    report, created = services.report_get_or_create(user=user, region=by_code(code), year=year)
    assert created
    services.report_save_values(user=user, report=report, values=values, sections={"energy": "Coal cut."})
    return report


def submitted(users, code="360102"):
    report = draft(users, code)
    owner = {"360102": "donghu", "360103": "xihu", "360100": "nanchang"}[code]
    return services.report_submit(user=users[owner], report=report)


def forwarded(users, code="360102"):
    return services.report_forward(user=users["nanchang"], report=submitted(users, code))


def approved(users, code="360102"):
    report = forwarded(users, code) if code not in ("360100", "360000") else submitted(users, code)
    return services.report_approve(user=users["province"], report=report)


# --- creating and editing ----------------------------------------------------------------


def test_region_staff_create_their_own_report_once_per_year(users):
    report, created = services.report_get_or_create(user=users["donghu"], region=by_code("360102"), year=YEAR)
    again, created_again = services.report_get_or_create(
        user=users["donghu"], region=by_code("360102"), year=YEAR
    )
    assert created and not created_again and again.pk == report.pk
    assert report.status == ReportStatus.DRAFT and report.revision == 1
    assert report.events.get().kind == EventKind.CREATED


@pytest.mark.parametrize("who", ["xihu", "nanchang", "province", "congress", "dept"])
def test_others_cannot_create_a_county_report(users, who):
    with pytest.raises(PermissionDenied):
        services.report_get_or_create(user=users[who], region=by_code("360102"), year=YEAR)


def test_a_report_for_a_future_year_is_refused(users):
    with pytest.raises(ValidationError) as exc:
        services.report_get_or_create(user=users["donghu"], region=by_code("360102"), year=2100)
    assert "year" in exc.value.message_dict


def test_a_draft_is_saved_with_errors_and_nothing_is_lost(users):
    report, _ = services.report_get_or_create(user=users["donghu"], region=by_code("360102"), year=YEAR)
    result = services.report_save_values(
        user=users["donghu"],
        report=report,
        values={"energy_total": "500", "energy_coal": Decimal("-3")},
        notes={"energy_total": "estimate"},
        sections={"transport": "Bus fleet electrified."},
    )
    assert not result.ok  # missing values and a negative one…
    values = dict(report.values.values_list("indicator__code", "value"))
    assert values == {"energy_total": Decimal("500"), "energy_coal": Decimal("-3")}  # …but all saved
    assert report.values.get(indicator__code="energy_total").note == "estimate"
    assert report.sections.get(area="transport").text == "Bus fleet electrified."
    event = report.events.get(kind=EventKind.SAVED)
    assert event.actor == users["donghu"]
    assert event.data["values"]["energy_total"][:2] == [None, "500"]


def test_clearing_a_value_and_unchanged_saves(users):
    report = draft(users)
    events = report.events.count()
    services.report_save_values(user=users["donghu"], report=report, values={"energy_total": Decimal("500")})
    assert report.events.count() == events  # nothing changed, nothing recorded
    services.report_save_values(
        user=users["donghu"], report=report, values={"nev_share": None, "gdp_index": ""}
    )
    assert not report.values.filter(indicator__code="gdp_index").exists()


def test_unreadable_numbers_and_unknown_fields_save_nothing(users):
    report = draft(users)
    with pytest.raises(ValidationError) as exc:
        services.report_save_values(
            user=users["donghu"], report=report, values={"energy_total": "5,00", "energy_coal": "1"}
        )
    assert "energy_total" in exc.value.message_dict
    assert report.values.get(indicator__code="energy_coal").value == Decimal("300")
    with pytest.raises(ValidationError) as exc:
        services.report_save_values(user=users["donghu"], report=report, values={"bogus": "1"})
    assert "bogus" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.report_save_values(user=users["donghu"], report=report, values={"energy_total": "1.0000001"})
    with pytest.raises(ValidationError):
        services.report_save_values(user=users["donghu"], report=report, values={"energy_total": "1e20"})


@pytest.mark.parametrize("who", ["xihu", "nanchang", "province", "congress", "dept"])
def test_only_the_regions_staff_edit_its_draft(users, who):
    report = draft(users)
    with pytest.raises(PermissionDenied):
        services.report_save_values(user=users[who], report=report, values={"energy_total": "1"})
    assert report.values.get(indicator__code="energy_total").value == Decimal("500")


# --- submit ---------------------------------------------------------------------------------


def test_submit_runs_full_validation_and_errors_block_it(users):
    report = draft(users, values={**GOOD_VALUES, "energy_total": Decimal("900")})
    with pytest.raises(ValidationError) as exc:
        services.report_submit(user=users["donghu"], report=report)
    assert "energy_total" in exc.value.message_dict
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_submit_records_warnings_in_the_timeline(users):
    make_report("360102", YEAR - 1, ReportStatus.APPROVED, {**GOOD_VALUES, "energy_total": Decimal("400")})
    report = draft(users)
    services.report_save_values(
        user=users["donghu"], report=report, notes={"energy_total": "New steel plant."}
    )
    services.report_submit(user=users["donghu"], report=report)
    event = report.events.get(kind=EventKind.SUBMITTED)
    assert any(w.startswith("energy_total") for w in event.data["warnings"])


@pytest.mark.parametrize("who", ["xihu", "nanchang", "province", "congress", "admin"])
def test_submit_allowed_to_own_staff_and_admin_only(users, who):
    report = draft(users)
    if who == "admin":
        assert services.report_submit(user=users[who], report=report).status == ReportStatus.SUBMITTED
        return
    with pytest.raises(PermissionDenied):
        services.report_submit(user=users[who], report=report)


def test_a_submitted_report_cannot_be_edited_or_submitted_again(users):
    report = submitted(users)
    with pytest.raises(InvalidTransition):
        services.report_save_values(user=users["donghu"], report=report, values={"energy_total": "1"})
    with pytest.raises(InvalidTransition):
        services.report_submit(user=users["donghu"], report=report)


# --- city review ----------------------------------------------------------------------------


def test_city_staff_forward_county_reports_of_their_city(users):
    report = services.report_forward(user=users["nanchang"], report=submitted(users), comment="Checked.")
    assert report.status == ReportStatus.FORWARDED and report.forwarded_at
    assert report.events.get(kind=EventKind.FORWARDED).reason == "Checked."


@pytest.mark.parametrize("who", ["jiujiang", "donghu", "xihu", "province", "congress", "dept"])
def test_forward_refused_to_everyone_else(users, who):
    report = submitted(users)
    with pytest.raises(PermissionDenied):
        services.report_forward(user=users[who], report=report)


def test_forward_in_the_wrong_state_is_a_conflict(users):
    report = forwarded(users)
    with pytest.raises(InvalidTransition):
        services.report_forward(user=users["nanchang"], report=report)


def test_city_reports_go_straight_to_the_province(users):
    report = submitted(users, "360100")
    with pytest.raises(PermissionDenied):  # a city does not review itself
        services.report_forward(user=users["nanchang"], report=report)
    assert services.report_approve(user=users["province"], report=report).status == ReportStatus.APPROVED


def test_city_returns_a_county_report_with_reasons_per_field(users):
    report = services.report_return(
        user=users["nanchang"],
        report=submitted(users),
        reason="Please check the fuels.",
        field_reasons={"energy_coal": "Too low for 2024.", "energy": "Say more.", "energy_oil": "  "},
    )
    assert report.status == ReportStatus.RETURNED
    assert report.return_field_reasons == {"energy_coal": "Too low for 2024.", "energy": "Say more."}
    event = report.events.get(kind=EventKind.RETURNED)
    assert event.actor == users["nanchang"] and event.reason == "Please check the fuels."


def test_returned_report_is_corrected_and_resubmitted(users):
    report = services.report_return(user=users["nanchang"], report=submitted(users), reason="Check coal.")
    services.report_save_values(
        user=users["donghu"], report=report, values={"energy_coal": "301", "energy_total": "501"}
    )
    report = services.report_submit(user=users["donghu"], report=report)
    assert report.status == ReportStatus.SUBMITTED and report.return_reason == ""
    assert report.events.filter(kind=EventKind.SUBMITTED).last().data["resubmitted"] is True


def test_return_needs_a_reason_and_known_fields(users):
    report = submitted(users)
    with pytest.raises(ValidationError) as exc:
        services.report_return(user=users["nanchang"], report=report, reason="  ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.report_return(user=users["nanchang"], report=report, reason="x", field_reasons={"nope": "x"})
    assert "field_reasons" in exc.value.message_dict


@pytest.mark.parametrize("who", ["jiujiang", "donghu", "congress", "dept"])
def test_return_refused_to_non_reviewers(users, who):
    report = submitted(users)
    with pytest.raises(PermissionDenied):
        services.report_return(user=users[who], report=report, reason="x")


def test_province_cannot_act_before_the_city_reviewed(users):
    report = submitted(users)
    with pytest.raises(InvalidTransition):
        services.report_approve(user=users["province"], report=report)
    with pytest.raises(InvalidTransition):
        services.report_return(user=users["province"], report=report, reason="x")


def test_city_cannot_return_once_forwarded(users):
    with pytest.raises(InvalidTransition):
        services.report_return(user=users["nanchang"], report=forwarded(users), reason="x")


# --- approval -------------------------------------------------------------------------------


def test_province_approves_a_forwarded_county_report(users):
    report = services.report_approve(user=users["province"], report=forwarded(users))
    assert report.status == ReportStatus.APPROVED and report.approved_by == users["province"]
    kinds = list(report.events.values_list("kind", flat=True))
    assert kinds == ["created", "saved", "submitted", "forwarded", "approved"]


def test_province_returns_a_forwarded_report(users):
    report = services.report_return(user=users["province"], report=forwarded(users), reason="Inconsistent.")
    assert report.status == ReportStatus.RETURNED


@pytest.mark.parametrize("who", ["nanchang", "donghu", "congress", "dept", "province_staff"])
def test_approve_refused_to_everyone_but_provincial_officials(users, who):
    report = forwarded(users)
    with pytest.raises(PermissionDenied):
        services.report_approve(user=users[who], report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.FORWARDED


def test_admin_may_do_every_step(users):
    admin = users["admin"]
    report, _ = services.report_get_or_create(user=admin, region=by_code("360103"), year=YEAR)
    services.report_save_values(user=admin, report=report, values=GOOD_VALUES)
    services.report_submit(user=admin, report=report)
    services.report_forward(user=admin, report=report)
    assert services.report_approve(user=admin, report=report).status == ReportStatus.APPROVED


def test_approval_revalidates(users):
    report = make_report("360100", YEAR, ReportStatus.SUBMITTED, {**GOOD_VALUES, "energy_coal": None})
    with pytest.raises(ValidationError):
        services.report_approve(user=users["province"], report=report)


def test_approved_report_is_immutable(users, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = approved(users)
    with pytest.raises(InvalidTransition):
        services.report_save_values(user=users["donghu"], report=report, values={"energy_total": "1"})
    with pytest.raises(InvalidTransition):
        services.report_submit(user=users["donghu"], report=report)
    with pytest.raises(InvalidTransition):
        services.report_return(user=users["province"], report=report, reason="x")
    with pytest.raises(InvalidTransition):
        services.report_approve(user=users["province"], report=report)
    with pytest.raises(InvalidTransition):
        services.attachment_add(
            user=users["donghu"], report=report, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")
        )
    assert report.values.get(indicator__code="energy_total").value == Decimal("500")


# --- signal ---------------------------------------------------------------------------------


def test_report_approved_signal_is_sent_after_commit(users, django_capture_on_commit_callbacks):
    from apps.reports.signals import report_approved

    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    report_approved.connect(receiver)
    try:
        report = forwarded(users)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.report_approve(user=users["province"], report=report)
        assert received == []  # not before the commit
        for callback in callbacks:
            callback()
        assert [{k: r[k] for k in ("region_id", "year", "report_id")} for r in received] == [
            {"region_id": report.region_id, "year": YEAR, "report_id": report.pk}
        ]
    finally:
        report_approved.disconnect(receiver)


def test_no_signal_when_approval_fails(users, django_capture_on_commit_callbacks):
    report = submitted(users)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(InvalidTransition):
        services.report_approve(user=users["province"], report=report)
    assert callbacks == []


# --- revisions ------------------------------------------------------------------------------


def test_revision_of_an_approved_report_copies_it_and_keeps_the_approved_one_in_force(users):
    first = approved(users)
    revision = services.report_open_revision(
        user=users["donghu"], report=first, reason="Coal figure corrected."
    )
    assert (revision.revision, revision.status, revision.previous_id) == (2, ReportStatus.DRAFT, first.pk)
    assert revision.events.get().reason == "Coal figure corrected."
    assert dict(revision.values.values_list("indicator__code", "value")) == dict(
        first.values.values_list("indicator__code", "value")
    )
    assert revision.sections.get(area="energy").text == "Coal cut."
    services.report_save_values(
        user=users["donghu"],
        report=revision,
        values={"energy_coal": "310", "energy_total": "510"},
        sections={"energy": "Coal cut, figures corrected."},
    )
    in_force = {code: v for _r, _y, code, v in approved_values(region_ids=[first.region_id], years=[YEAR])}
    assert in_force["energy_coal"] == Decimal("300")  # the revision under way changes nothing yet
    services.report_submit(user=users["donghu"], report=revision)
    services.report_forward(user=users["nanchang"], report=revision)
    services.report_approve(user=users["province"], report=revision)
    in_force = {code: v for _r, _y, code, v in approved_values(region_ids=[first.region_id], years=[YEAR])}
    assert in_force["energy_coal"] == Decimal("310")
    first.refresh_from_db()
    assert first.status == ReportStatus.APPROVED  # untouched, superseded


def test_revision_diff_lists_changed_values_and_sections(users):
    first = approved(users)
    revision = services.report_open_revision(
        user=users["province"], report=first, reason="Statistics revised."
    )
    services.report_save_values(
        user=users["donghu"],
        report=revision,
        values={"energy_coal": "310", "energy_total": "510", "nev_share": "30"},
        notes={"energy_total": "Revised by the statistics bureau."},
        sections={"energy": "Coal cut, figures corrected.", "transport": "New metro line."},
    )
    diff = revision_diff(first, revision)
    changes = {c.code: (c.old, c.new) for c in diff.values}
    assert changes == {
        "energy_coal": (Decimal("300"), Decimal("310")),
        "energy_total": (Decimal("500"), Decimal("510")),
        "nev_share": (None, Decimal("30")),
    }
    assert (
        next(c for c in diff.values if c.code == "energy_total").new_note
        == "Revised by the statistics bureau."
    )
    assert {(s.area, s.old, s.new) for s in diff.sections} == {
        ("energy", "Coal cut.", "Coal cut, figures corrected."),
        ("transport", "", "New metro line."),
    }
    assert not revision_diff(first, first).values


@pytest.mark.parametrize("who", ["xihu", "nanchang", "congress", "dept", "jiujiang"])
def test_open_revision_refused_to_others(users, who):
    report = approved(users)
    with pytest.raises(PermissionDenied):
        services.report_open_revision(user=users[who], report=report, reason="x")
    assert Report.objects.filter(region=report.region, year=YEAR).count() == 1


def test_open_revision_needs_a_reason_an_approved_report_and_no_open_revision(users):
    report = approved(users)
    with pytest.raises(ValidationError):
        services.report_open_revision(user=users["donghu"], report=report, reason=" ")
    services.report_open_revision(user=users["donghu"], report=report, reason="first")
    with pytest.raises(InvalidTransition):
        services.report_open_revision(user=users["donghu"], report=report, reason="second")
    with pytest.raises(InvalidTransition):
        services.report_open_revision(user=users["donghu"], report=draft(users, year=YEAR - 1), reason="x")


def test_allowed_actions_follow_the_state_and_the_user(users):
    report = submitted(users)
    assert services.allowed_actions(users["nanchang"], report) == {"forward", "return"}
    assert services.allowed_actions(users["province"], report) == set()
    services.report_forward(user=users["nanchang"], report=report)
    report.refresh_from_db()
    assert services.allowed_actions(users["province"], report) == {"approve", "return"}
    services.report_approve(user=users["province"], report=report)
    report.refresh_from_db()
    assert services.allowed_actions(users["donghu"], report) == {"open-revision"}
    assert services.allowed_actions(users["xihu"], report) == set()
