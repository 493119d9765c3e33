"""The load test's harness (bench/load.py) counts what it must: a submission or a save the server
acknowledged but did not keep is counted lost; its browser emulation posts the real report form.
Not timed, and no locust here (it monkey-patches the standard library on import)."""

import json
import random
from decimal import Decimal

import pytest
from django.db import connection

from apps.indicators.models import Indicator
from apps.reports.models import Report, ReportStatus
from apps.reports.validation import validate
from bench import load
from tests.factories import GOOD_VALUES, make_report, user_for

YEAR = load.REPORT_YEAR
BASE = {code: str(value) for code, value in GOOD_VALUES.items()}


def ledger(*entries) -> list[str]:
    return [json.dumps(e) for e in entries]


def saved(county, values, note="n", remarks="r"):
    return {"county": county, "event": "saved", "values": values, "note": note, "remarks": remarks}


def stored(county, status, values, note="n", remarks="r"):
    return load.Stored(county, status, {c: Decimal(v) for c, v in values.items()}, note, remarks)


VALUES = {"energy_total": "500.5", "energy_coal": "300"}


def test_a_missing_submission_is_counted_lost():
    expected = load.expectations(
        ledger(
            saved("360102", VALUES),
            {"county": "360102", "event": "submitted"},
            saved("360103", VALUES),
            {"county": "360103", "event": "submitted"},
        )
    )
    kept = {"360102": stored("360102", "submitted", VALUES), "360103": stored("360103", "approved", VALUES)}
    assert load.count(expected, kept).ok

    lost = {**kept, "360103": stored("360103", "draft", VALUES)}
    tally = load.count(expected, lost)

    assert not tally.ok
    assert tally.lost_submissions == ["360103: draft"] and tally.lost_saves == []
    assert (tally.saves, tally.submissions, tally.counties) == (2, 2, 2)
    assert load.count(expected, {"360102": kept["360102"]}).lost_submissions == ["360103: no report"]


def test_the_last_acknowledged_save_is_what_must_be_stored():
    expected = load.expectations(ledger(saved("360102", {"energy_total": "1"}), saved("360102", VALUES)))
    assert load.count(expected, {"360102": stored("360102", "draft", VALUES)}).ok
    # numbers compare as numbers: 500.5 is 500.500000 in the database
    assert load.count(
        expected, {"360102": stored("360102", "draft", {**VALUES, "energy_total": "500.500"})}
    ).ok

    for other in (
        stored("360102", "draft", {"energy_total": "1", "energy_coal": "300"}),  # an earlier save
        stored("360102", "draft", {"energy_total": "500.5"}),  # a value missing
        stored("360102", "draft", VALUES, note="old"),
        stored("360102", "draft", VALUES, remarks="old"),
    ):
        tally = load.count(expected, {"360102": other})
        assert not tally.ok and len(tally.lost_saves) == 1 and not tally.lost_submissions


def test_a_submission_nobody_acknowledged_is_counted_too():
    expected = load.expectations(ledger(saved("360102", VALUES)))
    tally = load.count(expected, {"360102": stored("360102", "submitted", VALUES)})
    assert tally.unacknowledged_submissions == ["360102: submitted"] and not tally.ok


def test_a_save_whose_answer_nobody_read_may_have_been_applied_or_not():
    """The run ended while a save was on its way: the server kept either the last acknowledged
    save or the one sent; both are right (counted as in flight), anything else is lost."""
    newer = {**VALUES, "energy_coal": "301"}
    sending = {"county": "360102", "event": "sending", "values": newer, "note": "n", "remarks": "r"}
    expected = load.expectations(ledger(saved("360102", VALUES), sending))

    assert load.count(expected, {"360102": stored("360102", "draft", VALUES)}).ok
    applied = load.count(expected, {"360102": stored("360102", "draft", newer)})
    assert applied.ok and len(applied.in_flight) == 1
    other = load.count(expected, {"360102": stored("360102", "draft", {**VALUES, "energy_coal": "302"})})
    assert not other.ok and len(other.lost_saves) == 1

    submitting = load.expectations(
        ledger(saved("360102", VALUES), {"county": "360102", "event": "sending_submit"})
    )
    submitted = load.count(submitting, {"360102": stored("360102", "submitted", VALUES)})
    assert submitted.ok and len(submitted.in_flight) == 1


@pytest.mark.django_db
def test_the_counter_reads_the_stored_reports():
    make_report("360102", YEAR, ReportStatus.SUBMITTED, values={"energy_total": Decimal("500.5")})
    make_report("360103", YEAR, ReportStatus.DRAFT, values={"energy_total": Decimal("500.5")})
    values = {"energy_total": "500.5"}
    expected = load.expectations(
        ledger(
            saved("360102", values, note="", remarks=""),
            {"county": "360102", "event": "submitted"},
            saved("360103", values, note="", remarks=""),
            {"county": "360103", "event": "submitted"},  # acknowledged, but the report is a draft
        )
    )
    with connection.cursor() as cursor:
        reports = load.stored_reports(cursor, YEAR, ["360102", "360103", "360104"])

    assert set(reports) == {"360102", "360103"}
    assert reports["360102"].values == {"energy_total": Decimal("500.5")}
    tally = load.count(expected, reports)
    assert tally.lost_submissions == ["360103: draft"] and tally.lost_saves == []


def test_a_save_passes_validation_and_moves_every_value():
    rng = random.Random(1)
    first, second = load.save_values(BASE, rng), load.save_values(BASE, rng)
    assert set(first) == set(BASE) and first != second
    parts = sum(Decimal(first[c]) for c in load.ENERGY_PARTS)
    assert Decimal(first["energy_total"]) == parts
    assert Decimal(first["renewable_power"]) <= Decimal(first["energy_nonfossil"])


#: A county's approved year as the bench data have them: every indicator of the catalog, a forest
#: coverage in the sixties and a real growth index of 108 (the plausibility bounds of issue 15).
FULL_BASE = {
    **BASE,
    "gdp_index": "108.0",
    "forest_coverage": "64.62",
    "forest_stock": "1309.5",
    "nev_share": "31.2",
}


@pytest.mark.django_db
@pytest.mark.parametrize("base", [BASE, FULL_BASE], ids=["factory values", "every indicator"])
def test_a_save_can_be_submitted_without_an_explanation(base):
    rng = random.Random(7)
    previous = {c: Decimal(v) for c, v in base.items()}
    indicators = list(Indicator.objects.all())
    for _ in range(300):
        values = {c: Decimal(v) for c, v in load.save_values(base, rng).items()}
        result = validate(values, indicators=indicators, previous=previous)
        assert result.ok, result.errors


@pytest.mark.django_db
def test_the_harness_posts_the_report_form_as_a_browser_does(client):
    """What locustfile.CountyUser does with the HTML form: load it, read every field (the hidden
    version and orig_ fields too), change the values, post it back, follow the redirect."""
    user = user_for("county")
    report = make_report("360102", YEAR, values={})
    client.force_login(user)
    page = client.get(f"/reports/{report.pk}/edit/")
    fields = load.form_fields(page.content.decode())

    assert fields["version"] == str(report.version) and "csrfmiddlewaretoken" in fields
    assert "value_energy_total" in fields and "orig_value_energy_total" in fields
    assert "action" not in fields  # the buttons: the user picks one

    values = load.save_values(BASE, random.Random(3))
    data = {**fields, **{f"value_{c}": v for c, v in values.items()}}
    data |= {f"note_{load.NOTE_FIELD}": "checked", "remarks": "two saves", "action": "submit"}
    response = client.post(f"/reports/{report.pk}/edit/", data)

    assert response.status_code == 302 and response["Location"].endswith(f"/reports/{report.pk}/")
    expected = load.expectations(
        ledger(saved("360102", values, "checked", "two saves"), {"county": "360102", "event": "submitted"})
    )
    with connection.cursor() as cursor:
        tally = load.count(expected, load.stored_reports(cursor, YEAR, ["360102"]))
    assert tally.ok and tally.submissions == 1
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_5xx_lines_are_found_in_the_access_log(tmp_path):
    log = tmp_path / "access.log"
    log.write_text('200 12 "GET / HTTP/1.1"\n502 3 "GET /x HTTP/1.1"\n404 1 "GET /y HTTP/1.1"\n')
    assert load.server_errors(log) == ['502 3 "GET /x HTTP/1.1"']
    errors = tmp_path / "gunicorn.log"
    errors.write_text(
        "a warning\n2026-11-30 ERROR django.request Internal Server Error: /x\nTraceback (most\n"
    )
    assert len(load.server_errors(log, errors)) == 3


def test_the_load_section_replaces_the_previous_one(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# R\n\n## Load\n\nold\n\n## Pages\n\npages\n", encoding="utf-8")
    load.record(results, "## Load\n\nnew\n")
    text = results.read_text(encoding="utf-8")
    assert "old" not in text and text.count("## Load") == 1 and text.index("## Pages") < text.index("new")


def test_the_figures_say_fail_when_a_submission_was_lost():
    total = load.Kind("total", requests=10, failures=0, median_ms=5, p95_ms=9, max_ms=12, per_second=1.0)
    result = load.Result(
        kinds=[total],
        tally=load.Tally(counties=2, submissions=2, lost_submissions=["360103: draft"]),
        logins=[0.5],
        server_5xx=[],
        failures=[],
        runs={"done": 1},
        approved=1,
        forwarded=1,
        seconds=120,
        users=150,
        workers=4,
        locust_exit=0,
        queue_drained_s=0.1,
        server_ms=[1.0, 2.0, 3.0],
    )
    assert not result.ok
    text = load.markdown(result, {"commit": "abc"})
    assert (
        "lost submissions: **1**" in text and "verdict: **FAIL**" in text and "PROBLEM: 360103: draft" in text
    )
    assert "| **total** | 10 | 0 | 5 | 9 | 12 | 1.0 |" in text

    result.tally = load.Tally(counties=2, submissions=2)
    assert result.ok and "verdict: **PASS**" in load.markdown(result, {})
    result.server_5xx = ['500 3 "GET / HTTP/1.1"']
    assert not result.ok
