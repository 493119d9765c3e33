"""The ledger's 'notices' group of the publications registry (issue 13 item 4): an issued notice
marked for disclosure becomes public with a publication that names the group; one not marked, or
a publication without the group, shows nothing; the public copy is the issued edition's."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.accountability import services
from apps.accountability.models import Candidate, Notice, Outcome
from apps.accounts.models import User
from apps.disclosure import groups as registry
from apps.disclosure import publications
from apps.disclosure.models import Publication
from apps.regions.selectors import by_code

pytestmark = pytest.mark.django_db


def _issued_notice(year: int, *, disclose: bool) -> Notice:
    official = User.objects.get(username="province")
    candidate = Candidate.objects.filter(region__code="360102", year=year, informational=False).first()
    assert candidate is not None, f"the demo has a candidate of 东湖区 {year}"
    notice = getattr(getattr(candidate, "decision", None), "notice", None)
    if notice is None:
        notice = services.decision_record(user=official, candidate=candidate, outcome=Outcome.NOTICE).notice
    if not notice.issued:
        services.notice_issue(user=official, notice=notice, body=notice.body)
        notice.refresh_from_db()
    services.notice_mark_disclosure(user=official, notice=notice, disclose=disclose)
    return notice


def _public_page(year: int) -> str:
    page = Client().get(f"/disclosure/{year}/360102/")
    assert page.status_code == 200
    return page.content.decode()


def test_the_notices_group_is_registered():
    assert "notices" in registry.keys()  # noqa: SIM118 (keys() is the registry's list, not a dict)


def test_a_notice_marked_for_disclosure_is_public_once_a_publication_names_the_group(demo):
    Publication.objects.all().delete()
    notice = _issued_notice(2023, disclose=True)
    official = User.objects.get(username="province")
    publications.publish(user=official, year=2023, region=by_code("360100"), groups=["warnings"])
    assert notice.edition.figures["title"] not in _public_page(2023)  # the group not named
    publications.publish(user=official, year=2023, region=by_code("360100"), groups=["warnings", "notices"])
    html = _public_page(2023)
    assert notice.edition.figures["title"] in html and notice.edition.figures_sha256 in html
    # a later change of the mark does not change what was published, until published again
    services.notice_mark_disclosure(user=official, notice=notice, disclose=False)
    assert notice.edition.figures["title"] in _public_page(2023)
    publications.publish(user=official, year=2023, region=by_code("360100"), groups=["warnings", "notices"])
    assert notice.edition.figures["title"] not in _public_page(2023)


def test_script_in_a_notice_shows_as_text(demo):
    from apps.accountability.disclosure import render_notices

    html = render_notices(
        [
            {
                "region_path": "p",
                "region_name": "r",
                "title": "<script>alert(1)</script>",
                "body": "<b>x</b>",
                "issued_at": "2026-01-01",
                "edition": 1,
                "sha256": "0" * 64,
            }
        ],
        "p",
        2023,
    )
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html
