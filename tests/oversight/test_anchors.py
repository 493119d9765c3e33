"""Anchors of a ledger case and of an issued summary edition (issue 14 item 4): the inquiry keeps
the label and data they had when it was put; a member anchors only to what they may read inside
their congress's region (anything else: one message naming `anchor_ref`, never a hint)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.accountability.models import Candidate, CaseStatus, Decision, Outcome
from apps.core.models import FrozenEdition
from apps.oversight import inquiries as svc
from apps.oversight.models import InquiryKind, SummaryDraft, SummaryStatus
from apps.oversight.models.summaries import SUMMARY_KIND, subject_key
from apps.regions.selectors import by_code

pytestmark = pytest.mark.usefixtures("english")


def put(people, who="congress_donghu", code="360102", **anchor):
    return svc.inquiry_put(
        user=people[who],
        kind=InquiryKind.INQUIRY,
        region=by_code(code),
        department=None,
        subject="问责整改",
        question="整改进展如何？",
        deadline=svc.today() + timedelta(days=20),
        **anchor,
    )


def case(people, code="360102", decided=True, key="k1") -> Candidate:
    candidate = Candidate.objects.create(
        key=key,
        region=by_code(code),
        year=2024,
        rule="progress_red",
        metric="energy_intensity_warning_progress",
        data_version="#7",
        computed_at=timezone.now(),
    )
    if decided:
        Decision.objects.create(
            candidate=candidate,
            region=candidate.region,
            outcome=Outcome.NOTICE,
            status=CaseStatus.DECIDED,
            decided_by=people["nanchang"],
            decided_at=timezone.now(),
        )
    return candidate


def issued_edition(people, code="360102", year=2024) -> FrozenEdition:
    region = by_code(code)
    SummaryDraft.objects.create(region=region, year=year, status=SummaryStatus.ISSUED)
    return FrozenEdition.objects.create(
        kind=SUMMARY_KIND,
        subject_key=subject_key(region.pk, year),
        number=1,
        title=f"{region.name}{year}年碳达峰工作情况监督摘要",
        figures_json="{}",
        figures_sha256="a" * 64,
        data_version="#7",
        issued_by=people["donghu"],
        issued_at=timezone.now(),
        sha256="b" * 64,
    )


def test_a_ledger_case_anchor_keeps_its_status_and_decision_as_put(people):
    found = case(people)
    inquiry = put(people, anchor_kind="ledger_case", anchor_ref=str(found.pk))
    assert inquiry.anchor_label.startswith(f"#{found.pk} · 东湖区 · 2024")
    assert inquiry.anchor_data["outcome"] == Outcome.NOTICE
    assert inquiry.anchor_data["status"] == CaseStatus.DECIDED
    assert inquiry.anchor_data["url"] == f"/accountability/cases/{found.pk}/"
    Decision.objects.filter(candidate=found).update(outcome=Outcome.BOTH, status=CaseStatus.CLOSED)
    inquiry.refresh_from_db()
    assert (inquiry.anchor_data["outcome"], inquiry.anchor_data["status"]) == (Outcome.NOTICE, "decided")


def test_a_city_congress_anchors_a_case_of_a_county_below_it(people):
    found = case(people)
    inquiry = put(
        people, who="congress_nanchang", code="360100", anchor_kind="ledger_case", anchor_ref=str(found.pk)
    )
    assert inquiry.anchor_ref == str(found.pk)


@pytest.mark.parametrize("what", ["undecided", "other_county", "unknown", "not_a_number"])
def test_a_case_the_member_may_not_read_or_outside_the_region_is_refused(people, what):
    refs = {
        "undecided": lambda: case(people, decided=False).pk,  # congress reads decided cases only
        "other_county": lambda: case(people, code="360103", key="k2").pk,
        "unknown": lambda: 999999,
        "not_a_number": lambda: "abc",
    }
    with pytest.raises(ValidationError) as exc:
        put(people, anchor_kind="ledger_case", anchor_ref=str(refs[what]()))
    assert set(exc.value.message_dict) == {"anchor_ref"}


def test_a_summary_edition_anchor_keeps_its_title_and_hash_as_put(people):
    edition = issued_edition(people)
    inquiry = put(people, anchor_kind="summary_edition", anchor_ref="360102/2024/1")
    assert "东湖区2024年" in inquiry.anchor_label and "edition 1" in inquiry.anchor_label
    assert inquiry.anchor_data["sha256"] == "b" * 64
    assert inquiry.anchor_data["url"] == "/oversight/summaries/county/360102/2024/editions/1/"
    FrozenEdition.objects.create(  # a corrected edition later: the inquiry stays on edition 1
        kind=SUMMARY_KIND,
        subject_key=edition.subject_key,
        number=2,
        title=edition.title,
        figures_json="{}",
        figures_sha256="c" * 64,
        data_version="#8",
        issued_by=people["donghu"],
        issued_at=timezone.now(),
        supersedes=edition,
        correction_reason="更正",
        sha256="d" * 64,
    )
    inquiry.refresh_from_db()
    assert (inquiry.anchor_data["number"], inquiry.anchor_data["sha256"]) == (1, "b" * 64)


@pytest.mark.parametrize(
    ("who", "code", "ref"),
    [
        ("congress_donghu", "360102", "360103/2024/1"),  # another county's edition
        ("congress_donghu", "360102", "360102/2024/2"),  # no such edition
        ("congress_donghu", "360102", "360102-2024"),  # malformed
        ("congress_xihu", "360103", "360102/2024/1"),  # readable? no: not Xihu's subtree
    ],
)
def test_an_edition_outside_what_the_member_reads_is_refused(people, who, code, ref):
    issued_edition(people)
    issued_edition(people, code="360103")
    with pytest.raises(ValidationError) as exc:
        put(people, who=who, code=code, anchor_kind="summary_edition", anchor_ref=ref)
    assert set(exc.value.message_dict) == {"anchor_ref"}
