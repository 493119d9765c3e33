"""No silent overwrites (issue 11): two people (or one person and an import) saving the same
draft — the later save against an older version is refused with the conflict page, which
shows both changes and lets the user reapply theirs field by field; the API answers 409 / 412."""

import io
from decimal import Decimal

import pytest

from apps.accounts.roles import Role
from apps.core.conflicts import VersionConflict, as_text
from apps.indicators.models import Indicator
from apps.reports import services
from apps.reports.models import Report, ReportStatus
from tests.factories import GOOD_VALUES, make_report, user_with

pytestmark = pytest.mark.django_db
S = ReportStatus


def form_values(response) -> dict[str, str]:
    """Every input of the page's form as the browser would post it (hidden version and orig_* too)."""
    form = response.context["form"]
    return {bf.html_name: as_text(bf.value()) for bf in form}


def conflict_answer(response, *, reapply=()) -> dict[str, str]:
    """The conflict page's form as posted, with `reapply` ticked."""
    data = dict(response.context["hidden"])
    data["version"] = str(response.context["version"])
    for name in reapply:
        data[f"reapply_{name}"] = "1"
    return data


@pytest.fixture
def two_staff(db, client):
    """Two staff of Donghu county, each with a browser of their own."""
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(user_with(Role.REGION_STAFF, "360102"))
    second.force_login(user_with(Role.REGION_STAFF, "360102"))
    return first, second


def _stored(report):
    return dict(report.values.values_list("indicator__code", "value"))


def test_the_second_of_two_staff_saving_the_same_draft_gets_the_conflict_page_and_can_reapply(two_staff):
    report = make_report("360102", 2024, S.DRAFT, GOOD_VALUES)
    url = f"/reports/{report.pk}/edit/"
    alice, bob = two_staff
    alice_form = form_values(alice.get(url))
    bob_form = form_values(bob.get(url))
    assert alice_form["version"] == bob_form["version"] == str(report.version)

    alice_form |= {"value_energy_total": "510", "note_energy_coal": "metered"}
    assert alice.post(url, alice_form).status_code == 302  # unchanged version: saves as before

    bob_form |= {"value_energy_total": "520", "section_energy": "Boilers replaced."}
    response = bob.post(url, bob_form)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Saved by someone else meanwhile" in html
    [clash] = response.context["conflicting"]
    assert (clash.name, clash.loaded, clash.theirs, clash.mine) == ("value_energy_total", "500", "510", "520")
    indicator = Indicator.objects.get(code="energy_total")
    assert clash.label == f"{indicator.name} ({indicator.unit_label})"  # its name and unit, not a code
    assert clash.label in html
    assert [c.name for c in response.context["kept"]] == ["section_energy"]
    assert [c.name for c in response.context["theirs_only"]] == ["note_energy_coal"]
    # nothing of Alice's was overwritten, nothing of Bob's was saved
    assert _stored(report)["energy_total"] == Decimal("510")
    assert not report.sections.exists()

    response = bob.post(url, conflict_answer(response, reapply=["value_energy_total"]))
    assert response.status_code == 302
    assert _stored(report)["energy_total"] == Decimal("520")  # Bob reapplied his value
    assert report.sections.get(area="energy").text == "Boilers replaced."  # his other change kept
    assert report.values.get(indicator__code="energy_coal").note == "metered"  # Alice's change kept


def test_not_ticking_a_conflicting_field_keeps_the_other_persons_value(two_staff):
    report = make_report("360102", 2024, S.DRAFT, GOOD_VALUES)
    url = f"/reports/{report.pk}/edit/"
    alice, bob = two_staff
    alice_form, bob_form = form_values(alice.get(url)), form_values(bob.get(url))
    alice.post(url, alice_form | {"remarks": "Alice's remark"})
    response = bob.post(url, bob_form | {"remarks": "Bob's remark"})
    assert response.status_code == 409
    assert [c.name for c in response.context["conflicting"]] == ["remarks"]
    assert bob.post(url, conflict_answer(response)).status_code == 302
    report.refresh_from_db()
    assert report.remarks == "Alice's remark"


def test_a_third_save_in_between_gives_a_fresh_conflict_page(two_staff):
    report = make_report("360102", 2024, S.DRAFT, GOOD_VALUES)
    url = f"/reports/{report.pk}/edit/"
    alice, bob = two_staff
    alice_form, bob_form = form_values(alice.get(url)), form_values(bob.get(url))
    alice.post(url, alice_form | {"remarks": "one"})
    page = bob.post(url, bob_form | {"remarks": "two"})
    alice.post(url, form_values(alice.get(url)) | {"remarks": "three"})
    again = bob.post(url, conflict_answer(page, reapply=["remarks"]))
    assert again.status_code == 409  # still nothing overwritten silently
    report.refresh_from_db()
    assert report.remarks == "three"


def test_a_form_save_racing_an_import_is_refused(two_staff, users):
    report = make_report("360102", 2024, S.DRAFT, GOOD_VALUES)
    url = f"/reports/{report.pk}/edit/"
    alice, _ = two_staff
    loaded = form_values(alice.get(url))
    csv = (
        "region_code,year,indicator,value,note\n360102,2024,energy_total,530,\n360102,2024,energy_coal,330,\n"
    )
    services.values_import(user=users["donghu"], file=io.BytesIO(csv.encode()), filename="v.csv")
    response = alice.post(url, loaded | {"value_energy_total": "505"})
    assert response.status_code == 409
    [clash] = response.context["conflicting"]
    assert (clash.loaded, clash.theirs, clash.mine) == ("500", "530", "505")
    assert _stored(report)["energy_total"] == Decimal("530")


def test_the_service_refuses_an_older_version_and_saves_nothing(users):
    report = make_report("360102", 2024, S.DRAFT, GOOD_VALUES)
    loaded = report.version
    services.report_save_values(
        user=users["donghu"], report=report, values={"energy_total": "510"}, expected_version=loaded
    )
    report.refresh_from_db()
    assert report.version == loaded + 1
    with pytest.raises(VersionConflict) as caught:
        services.report_save_values(
            user=users["donghu"], report=report, values={"energy_total": "1"}, expected_version=loaded
        )
    assert caught.value.current == loaded + 1
    assert _stored(report)["energy_total"] == Decimal("510")
    # no version: no check (imports, demo seeding, system code)
    services.report_save_values(user=users["donghu"], report=report, values={"energy_total": "2"})
    assert _stored(report)["energy_total"] == Decimal("2")


def test_nothing_changed_keeps_the_version():
    report = make_report("360102", 2024, S.DRAFT, GOOD_VALUES)
    user = user_with(Role.REGION_STAFF, "360102")
    services.report_save_values(
        user=user, report=report, values={"energy_total": "500"}, expected_version=report.version
    )
    assert Report.objects.get(pk=report.pk).version == report.version


def test_api_etag_if_match_and_version_in_the_body(users):
    from rest_framework.test import APIClient

    report = make_report("360102", 2024, S.DRAFT, GOOD_VALUES)
    api = APIClient()
    api.force_authenticate(users["donghu"])
    url = f"/api/v1/reports/{report.pk}/"
    got = api.get(url)
    assert got.json()["version"] == report.version and got["ETag"] == f'"{report.version}"'
    loaded = report.version

    saved = api.patch(url, {"values": {"energy_total": "510"}, "version": loaded}, format="json")
    assert saved.status_code == 200 and saved.json()["report"]["version"] == loaded + 1

    stale = api.patch(url, {"values": {"energy_total": "1"}, "version": loaded}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert set(body) == {"detail", "errors"} and str(loaded + 1) in body["errors"]["version"][0]
    assert str(loaded + 1) in body["detail"]

    refused = api.patch(url, {"values": {"energy_total": "1"}}, format="json", HTTP_IF_MATCH=f'"{loaded}"')
    assert refused.status_code == 412 and str(loaded + 1) in refused.json()["detail"]
    assert _stored(report)["energy_total"] == Decimal("510")

    ok = api.patch(url, {"values": {"energy_total": "515"}}, format="json", HTTP_IF_MATCH=f'"{loaded + 1}"')
    assert ok.status_code == 200 and ok["ETag"] == f'"{loaded + 2}"'
    assert api.patch(url, {"values": {"energy_total": "516"}}, format="json").status_code == 200  # no check
    bad = api.patch(url, {"values": {}}, format="json", HTTP_IF_MATCH="yesterday")
    assert bad.status_code == 400 and "version" in bad.json()["errors"]
