"""The public worked example through the exchange commands only: import → recompute → export."""

import csv
import io

import pytest
from django.core.management import call_command

from apps.accounts.roles import Role
from tests.factories import user_with

from .pipeline import DATA, read_csv
from .test_recompute import assert_matches_expected

pytestmark = pytest.mark.django_db


def test_worked_example_through_import_values_recompute_and_export_assessments(
    django_capture_on_commit_callbacks,
):
    user_with(Role.PROVINCIAL_OFFICIAL, "360000", username="stats")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_targets", str(DATA / "worked_targets.csv"), user="stats", stdout=io.StringIO())
        call_command(
            "import_values", str(DATA / "worked_values.csv"), user="stats", approve=True, stdout=io.StringIO()
        )
    summary = io.StringIO()
    call_command("recompute", stdout=summary)
    assert "72 result(s)" in summary.getvalue()
    out = io.StringIO()
    call_command("export_assessments", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert_matches_expected(rows, read_csv("worked_assessments.csv") + read_csv("worked_assessments_v11.csv"))
