"""The ledger end to end on the demo data: candidates after the recompute, decisions, the drafted
and issued (frozen) notice, the interview, rectification, who sees what, bad input, exports."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accountability import candidates, selectors, services
from apps.accountability.models import (
    Candidate,
    CaseStatus,
    Decision,
    NoticeTemplate,
    Outcome,
    TaskStatus,
    Threshold,
)
from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.core.editions import edition_verify
from apps.monitoring.models import RecomputeRun, RunStatus
from apps.regions.selectors import by_code
from tests.factories import user_with
from tests.xlsx import xlsx_table

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def users():
    return {
        "province": User.objects.get(username="province"),
        "nanchang": User.objects.get(username="nanchang"),
        "donghu": User.objects.get(username="donghu"),
        "xihu": User.objects.get(username="xihu"),
    }


def donghu_candidate() -> Candidate:
    return Candidate.objects.filter(region__code="360102", year=2023, rule="progress_red").get()


def client(user, api=False):
    c = APIClient() if api else Client()
    c.force_login(user)
    return c


def test_candidates_are_stored_with_the_data_version_of_the_last_run(demo):
    run = RecomputeRun.objects.filter(status=RunStatus.DONE).order_by("-finished_at").first()
    found = Candidate.objects.filter(run_id=run.pk)
    assert found.exists()
    assert f"#{run.pk}" in found.first().data_version
    assert {"progress_red", "total_red", "red_twice", "campaign_energy_fall"} <= set(
        Candidate.objects.values_list("rule", flat=True)
    )
    # the province is not its own candidate (its departments may be); provisional grades are shown only
    assert not Candidate.objects.filter(region__code="360000", department__isnull=True).exists()
    assert not Candidate.objects.filter(rule="provisional_not_completed", informational=False).exists()


def test_thresholds_are_data(demo):
    before = Candidate.objects.filter(rule="campaign_energy_fall").count()
    Threshold.objects.filter(code="campaign_gdp_index").update(value=200)
    candidates.refresh()
    assert Candidate.objects.filter(rule="campaign_energy_fall").count() == 0 < before


def test_the_whole_case(demo):
    u = users()
    candidate = donghu_candidate()
    # the county does not see an undecided candidate of its own
    assert client(u["donghu"]).get(f"/accountability/cases/{candidate.pk}/").status_code == 404
    decision = services.decision_record(user=u["province"], candidate=candidate, outcome=Outcome.BOTH)
    notice = decision.notice
    assert "东湖区" in notice.title and "2023" in notice.title
    assert "累计下降" in notice.body and "红色" in notice.body
    # the county sees its case now, but not the draft notice
    page = client(u["donghu"]).get(f"/accountability/cases/{candidate.pk}/")
    assert page.status_code == 200 and notice.body.encode() not in page.content
    assert client(u["xihu"]).get(f"/accountability/cases/{candidate.pk}/").status_code == 404
    # the official edits and issues: frozen
    services.notice_issue(user=u["province"], notice=notice, body=notice.body + "\n特此通报。")
    notice.refresh_from_db()
    assert notice.issued and notice.body.endswith("特此通报。")
    assert edition_verify(notice.edition).ok
    with pytest.raises(ValidationError):
        services.notice_update(user=u["province"], notice=notice, title="x", body="y")
    assert not selectors.notices_for_disclosure(by_code("360100"), 2023).exists()
    services.notice_mark_disclosure(user=u["province"], notice=notice, disclose=True)
    assert list(selectors.notices_for_disclosure(by_code("360100"), 2023)) == [notice]
    assert not selectors.notices_for_disclosure(by_code("360100"), 2022).exists()
    # the interview
    from datetime import date

    interview = services.interview_schedule(
        user=u["province"],
        decision=decision,
        scheduled_for=date(2026, 12, 10),
        interviewers="省发展改革委主任",
        interviewees="东湖区区长",
    )
    services.interview_record(user=u["province"], interview=interview, minutes="纪要", commitments="承诺")
    decision.refresh_from_db()
    assert decision.status == CaseStatus.INTERVIEW_HELD
    # the county answers with an attachment; the official sends it back, then accepts
    task = decision.tasks.get()
    upload = SimpleUploadedFile("整改报告.pdf", PDF, content_type="application/pdf")
    services.task_answer(user=u["donghu"], task=task, text="已完成整改", uploads=[upload])
    assert task.attachments.count() == 1
    services.task_return(user=u["province"], task=task, reason="缺少数据")
    services.task_answer(user=u["donghu"], task=task, text="补充数据")
    services.task_accept(user=u["province"], task=task)
    decision.refresh_from_db()
    task.refresh_from_db()
    assert task.status == TaskStatus.ACCEPTED and decision.status == CaseStatus.CLOSED
    # an answer after the close: a clear error
    with pytest.raises(ValidationError) as error:
        services.task_answer(user=u["donghu"], task=task, text="again")
    closed_on = timezone.localdate(task.closed_at).isoformat()
    assert closed_on in error.value.message_dict["answer"][0]  # "closed on <day>", in either language
    api = client(u["donghu"], api=True)
    refused = api.post(
        f"/api/v1/accountability/tasks/{task.pk}/answer/", {"answer": "again"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400
    assert "closed on" in refused.json()["errors"]["answer"][0], refused.json()
    # a refresh never deletes nor changes a decided candidate
    figures = Candidate.objects.get(pk=candidate.pk).figures
    candidates.refresh()
    assert Candidate.objects.get(pk=candidate.pk).figures == figures
    # congress members of that level and above read the decided case; another city's do not
    for code, want in (("360000", 200), ("360100", 200), ("360400", 404)):
        member = user_with(Role.CONGRESS_MEMBER, code)
        assert client(member).get(f"/accountability/cases/{candidate.pk}/").status_code == want
        assert (
            client(member, api=True).get(f"/api/v1/accountability/cases/{candidate.pk}/").status_code == want
        )


def test_no_action_needs_a_reason(demo):
    candidate = donghu_candidate()
    with pytest.raises(ValidationError) as error:
        services.decision_record(user=users()["province"], candidate=candidate, outcome=Outcome.NO_ACTION)
    assert "reason" in error.value.message_dict
    decision = services.decision_record(
        user=users()["province"], candidate=candidate, outcome=Outcome.NO_ACTION, reason="数据已更正"
    )
    assert decision.status == CaseStatus.CLOSED and not decision.tasks.exists()


def test_a_decision_outside_the_jurisdiction_is_404(demo):
    foreign = Candidate.objects.filter(region__code__startswith="3604", informational=False).first()
    nanchang = users()["nanchang"]
    assert (
        client(nanchang)
        .post(f"/accountability/cases/{foreign.pk}/decide/", {"outcome": "notice"})
        .status_code
        == 404
    )
    api = client(nanchang, api=True)
    assert (
        api.post(f"/api/v1/accountability/cases/{foreign.pk}/decide/", {"outcome": "notice"}).status_code
        == 404
    )
    assert not Decision.objects.filter(candidate=foreign).exists()
    # the city decides for its own counties
    own = donghu_candidate()
    answer = api.post(f"/api/v1/accountability/cases/{own.pk}/decide/", {"outcome": "notice"}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "decided"
    assert answer.json()["formula_url"] == f"/monitoring/county/360102/{own.year}/"


def test_a_template_with_an_unknown_field_is_refused_when_saved(db):
    template = NoticeTemplate(name="x", title="${region}", body="${region} ${gdp_growth} ${year}")
    with pytest.raises(ValidationError) as error:
        template.save()
    assert "$gdp_growth" in str(error.value.message_dict["body"])
    assert not NoticeTemplate.objects.filter(name="x").exists()


def test_the_ledger_page_and_its_xlsx_export(demo):
    province = client(users()["province"])
    page = province.get("/accountability/", {"year": 2024})
    assert page.status_code == 200 and "南昌市".encode() in page.content
    export = province.get("/accountability/", {"year": 2024, "export": "xlsx"})
    header, rows = xlsx_table(export.content)
    assert header[:3] == ["年份", "地区代码", "地区"] and rows
    # a county sees nothing of its undecided candidates
    county = client(users()["donghu"]).get("/accountability/", {"year": 2023, "export": "xlsx"})
    assert xlsx_table(county.content)[1] == []


def test_the_region_dashboard_shows_open_rectifications(demo):
    """The demo's decided case of 东湖区 (notice issued, interview held, its task open)."""
    decision = Decision.objects.filter(region__code="360102").first()
    assert decision is not None and decision.tasks.filter(status=TaskStatus.OPEN).exists()
    link = f"/accountability/cases/{decision.candidate_id}/".encode()
    assert link in client(users()["donghu"]).get("/dashboards/county/360102/").content
    assert link in client(users()["province"]).get("/dashboards/county/360102/").content
    # a sibling county's dashboard shows no card of it (and the county cannot open it anyway)
    assert link not in client(users()["province"]).get("/dashboards/county/360103/").content


def test_overdue_tasks_are_reminded_once_a_day(demo, mailoutbox):
    from datetime import timedelta

    from apps.accountability import reminders

    decision = Decision.objects.filter(region__code="360102").first()
    task = decision.tasks.get()
    task.deadline = timezone.localdate() - timedelta(days=1)
    task.save()
    User.objects.filter(username="donghu").update(email="donghu@example.org")
    assert reminders.send_reminders() == 1
    assert reminders.send_reminders() == 0  # once a day
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["donghu@example.org"]
    assert "逾期" in mailoutbox[0].subject
