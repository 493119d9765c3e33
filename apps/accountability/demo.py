"""Demo cases of the ledger (made up, never for production). Candidates follow the demo's
recompute, so the cases are seeded after it (`seed_after_recompute`, called by `seed_demo`):
the provincial official (demo user `province`) has decided on 东湖区's red progress warning of
the year before last — a notice issued (marked for disclosure) and an interview held, its
rectification task open — and on one more candidate with 'no action'. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import candidates, services
from .models import Candidate, Decision, Outcome

NOTE = "（演示数据 / demo）"


def seed(stdout) -> None:
    stdout.write("  accountability: cases follow the recompute (seed_after_recompute)")


def seed_after_recompute(stdout) -> None:
    official = get_user_model().objects.filter(username="province").first()
    if official is None:
        stdout.write("  accountability: demo user 'province' missing; skipped")
        return
    if not Candidate.objects.exists():
        candidates.refresh()  # the recompute ran on a worker: the candidates may not be there yet
    decided = 0
    case = (
        Candidate.objects.filter(region__code="360102", rule="progress_red", informational=False)
        .order_by("-year")
        .first()
    )
    if case is not None and not Decision.objects.filter(candidate=case).exists():
        decision = services.decision_record(user=official, candidate=case, outcome=Outcome.BOTH)
        notice = services.notice_issue(
            user=official, notice=decision.notice, body=decision.notice.body + "\n" + NOTE
        )
        services.notice_mark_disclosure(user=official, notice=notice, disclose=True)
        interview = services.interview_schedule(
            user=official,
            decision=decision,
            scheduled_for=timezone.localdate() - timedelta(days=3),
            interviewers="省发展改革委主任、省能源局局长",
            interviewees="东湖区人民政府区长",
        )
        services.interview_record(
            user=official,
            interview=interview,
            minutes="通报了能耗强度进度滞后情况，听取了东湖区的原因分析。" + NOTE,
            commitments="三个月内制定整改方案，年底前能耗强度回到进度要求。" + NOTE,
        )
        decided += 1
    other = (
        Candidate.objects.filter(region__code="360103", informational=False, decision__isnull=True)
        .order_by("-year")
        .first()
    )
    if other is not None and not Decision.objects.filter(region__code="360103").exists():
        services.decision_record(
            user=official,
            candidate=other,
            outcome=Outcome.NO_ACTION,
            reason="已核实为统计口径调整所致。" + NOTE,
        )
        decided += 1
    stdout.write(f"  accountability: {Candidate.objects.count()} candidates, {decided} demo decisions")
