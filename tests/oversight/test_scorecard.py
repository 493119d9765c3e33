"""The inspection scorecard (oversight.md "Inspection scorecard", roles.md v1.1 "read the
inspection scorecard"): each obligation's status from data built with factories, the spec's order,
who may read which region's scorecard (page and API), the API's shape, the xlsx download and a
constant number of queries however many sub-regions there are."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from apps.accountability.models import Candidate, CaseStatus, Decision, Outcome
from apps.completeness.models import ReportingDeadline
from apps.core.models import FrozenEdition
from apps.disclosure.models import Publication, PublicationStatus, Tip
from apps.monitoring.models import Assessment
from apps.organizations.models import Sector
from apps.oversight import inquiries as inquiry_svc
from apps.oversight import scorecard
from apps.oversight.models.summaries import SUMMARY_KIND, subject_key
from apps.plans.models import MeasureStatus, PlanStatus
from apps.regions.models import Region
from apps.regions.selectors import by_code
from apps.reports.models import Report, ReportStatus
from apps.targets.models import TargetMetric
from tests.factories import MeasureFactory, RegionTargetFactory, SectorPlanFactory, make_report

pytestmark = pytest.mark.usefixtures("english")

YEAR = 2024
SPEC_ORDER = [
    "annual_report",
    "targets_decomposed",
    "sector_plans",
    "measures_on_track",
    "warnings_decided",
    "figures_published",
    "tips_answered",
    "inquiries_answered",
]


def finding(code: str, region: str, year: int = YEAR):
    card = scorecard.build(by_code(region), year)
    return next(r.finding for r in card.rows if r.obligation.code == code)


def edition(kind: str, region: Region, year: int, user) -> FrozenEdition:
    return FrozenEdition.objects.create(
        kind=kind,
        subject_key=subject_key(region.pk, year) if kind == SUMMARY_KIND else f"{region.code}/{year}",
        number=1,
        figures_json="{}",
        figures_sha256="0" * 64,
        data_version="#1",
        issued_by=user,
        issued_at=timezone.now(),
        sha256="0" * 64,
    )


def test_every_obligation_of_the_spec_is_there_in_the_spec_s_order(db):
    assert [o.code for o in scorecard.registered_obligations()] == SPEC_ORDER


def test_the_status_of_done_of_total():
    assert scorecard.ratio_status(3, 3) == scorecard.Status.MET
    assert scorecard.ratio_status(1, 3) == scorecard.Status.PARTLY
    assert scorecard.ratio_status(0, 3) == scorecard.Status.NOT_MET
    assert scorecard.ratio_status(0, 0) == scorecard.Status.NOT_APPLICABLE


# --- the annual report to the same-level congress -----------------------------------------------------


def _deadline(due: date) -> None:
    ReportingDeadline.objects.update_or_create(year=YEAR, defaults={"due_date": due})


def test_a_report_not_submitted_after_the_deadline_is_not_met(people):
    _deadline(timezone.localdate() - timedelta(days=1))
    make_report("360102", YEAR, ReportStatus.DRAFT)
    found = finding("annual_report", "360102")
    assert found.status == scorecard.Status.NOT_MET
    assert "has not been submitted" in found.text


def test_a_report_submitted_in_time_with_the_summary_issued_is_met(people):
    due = timezone.localdate() + timedelta(days=10)
    _deadline(due)
    report = make_report("360102", YEAR, ReportStatus.SUBMITTED)
    Report.objects.filter(pk=report.pk).update(submitted_at=timezone.now())
    assert finding("annual_report", "360102").status == scorecard.Status.PARTLY  # no summary issued yet
    edition(SUMMARY_KIND, by_code("360102"), YEAR, people["donghu"])
    found = finding("annual_report", "360102")
    assert (found.status, found.done, found.total) == (scorecard.Status.MET, 2, 2)
    assert "in time" in found.text and due.isoformat() in found.text


def test_a_report_submitted_late_is_partly_met(people):
    _deadline(timezone.localdate() - timedelta(days=30))
    report = make_report("360102", YEAR, ReportStatus.SUBMITTED)
    Report.objects.filter(pk=report.pk).update(submitted_at=timezone.now())
    edition(SUMMARY_KIND, by_code("360102"), YEAR, people["donghu"])
    found = finding("annual_report", "360102")
    assert found.status == scorecard.Status.PARTLY and "late" in found.text


# --- targets set and decomposed -----------------------------------------------------------------------


def test_targets_missing_for_some_sub_regions_are_named(db):
    nanchang = by_code("360100")
    children = list(Region.objects.filter(parent=nanchang).order_by("path"))
    RegionTargetFactory(code="360100")
    for child in children[1:]:
        RegionTargetFactory(code=child.code)
    found = finding("targets_decomposed", "360100")
    assert found.status == scorecard.Status.PARTLY
    assert (found.done, found.total) == (len(children), len(children) + 1)
    assert found.missing == (children[0].name,)
    assert (
        f"{len(children) - 1} of {len(children)} sub-regions have targets; missing: {children[0].name}"
        in (found.text)
    )
    assert "parent=360100" in found.evidence_url and "period=2021-2025" in found.evidence_url
    RegionTargetFactory(code=children[0].code, metric=TargetMetric.ENERGY_TOTAL_CAP, value=Decimal("50"))
    assert finding("targets_decomposed", "360100").status == scorecard.Status.MET


def test_a_region_without_its_own_targets_is_not_met(db):
    for child in Region.objects.filter(parent__code="360100"):
        RegionTargetFactory(code=child.code)
    assert finding("targets_decomposed", "360100").status == scorecard.Status.NOT_MET


def test_no_period_covering_the_year_is_not_applicable(db):
    assert finding("targets_decomposed", "360100", year=1990).status == scorecard.Status.NOT_APPLICABLE


# --- sector plans and measures ---------------------------------------------------------------------------


def test_a_plan_in_force_for_every_key_sector_is_met_and_missing_sectors_are_named(db):
    sectors = list(Sector.objects.filter(peak_plan_required=True).order_by("code"))
    assert len(sectors) > 1
    for sector in sectors[1:]:
        SectorPlanFactory(code="360100", sector_code=sector.code, status=PlanStatus.IN_FORCE)
    SectorPlanFactory(code="360100", sector_code=sectors[0].code, status=PlanStatus.DRAFTING)
    found = finding("sector_plans", "360100")
    assert found.status == scorecard.Status.PARTLY
    assert found.missing == (sectors[0].display_name,)
    SectorPlanFactory(code="360100", sector_code=sectors[0].code, status=PlanStatus.IN_FORCE)
    assert finding("sector_plans", "360100").status == scorecard.Status.MET
    assert finding("sector_plans", "360400").status == scorecard.Status.NOT_MET
    assert finding("sector_plans", "360102").status == scorecard.Status.NOT_APPLICABLE


def test_delayed_or_overdue_measures_are_off_track(db):
    plan = SectorPlanFactory(code="360100")
    MeasureFactory(plan=plan, status=MeasureStatus.ON_TRACK)
    MeasureFactory(plan=plan, status=MeasureStatus.DONE, due_date=timezone.localdate() - timedelta(days=5))
    assert finding("measures_on_track", "360000").status == scorecard.Status.MET
    MeasureFactory(plan=plan, status=MeasureStatus.DELAYED)
    MeasureFactory(
        plan=plan, status=MeasureStatus.ON_TRACK, due_date=timezone.localdate() - timedelta(days=1)
    )
    found = finding("measures_on_track", "360100")
    assert (found.status, found.done, found.total) == (scorecard.Status.PARTLY, 2, 4)
    assert "overdue=true" in found.evidence_url
    assert finding("measures_on_track", "360400").status == scorecard.Status.NOT_APPLICABLE


# --- warnings followed by a decision ---------------------------------------------------------------------


def _case(code: str, key: str) -> Candidate:
    return Candidate.objects.create(
        key=key,
        region=by_code(code),
        year=YEAR,
        rule="progress_red",
        metric="energy_intensity_warning_progress",
        data_version="#1",
        computed_at=timezone.now(),
    )


def test_ledger_cases_of_the_regions_below_must_be_decided(people):
    Assessment.objects.create(region=by_code("360102"), year=YEAR, metric="energy_total_warning", level="red")
    decided, waiting = _case("360102", "a"), _case("360103", "b")
    Decision.objects.create(
        candidate=decided,
        region=decided.region,
        outcome=Outcome.NOTICE,
        status=CaseStatus.DECIDED,
        decided_by=people["nanchang"],
        decided_at=timezone.now(),
    )
    found = finding("warnings_decided", "360100")
    assert (found.status, found.done, found.total) == (scorecard.Status.PARTLY, 1, 2)
    assert found.missing == (waiting.region.name,) and "1 red" in found.text
    assert finding("warnings_decided", "360102").status == scorecard.Status.NOT_APPLICABLE  # nothing below
    assert finding("warnings_decided", "360400").status == scorecard.Status.NOT_APPLICABLE  # no case


# --- figures published, tips and inquiries answered in time --------------------------------------------


def test_figures_are_published_when_a_publication_covers_the_region(people):
    donghu = by_code("360102")
    Assessment.objects.create(region=donghu, year=YEAR, metric="energy_total", value=Decimal("1"))
    assert finding("figures_published", "360102").status == scorecard.Status.NOT_MET
    Publication.objects.create(
        year=YEAR,
        region=by_code("360100"),
        groups=["warnings"],
        status=PublicationStatus.PUBLISHED,
        edition=edition("disclosure.publication", by_code("360100"), YEAR, people["province"]),
        data_version="#1",
        published_by=people["province"],
        published_at=timezone.now(),
    )
    found = finding("figures_published", "360102")
    assert found.status == scorecard.Status.MET and found.evidence_url.endswith(f"/{YEAR}/360102/")
    assert finding("figures_published", "360400").status == scorecard.Status.NOT_APPLICABLE  # no figures


def test_tips_answered_after_their_due_date_count_against(db):
    today = timezone.localdate()
    received = timezone.make_aware(datetime(YEAR, 6, 1, 10))
    common = {"region": by_code("360102"), "category": "data", "description": "x", "received_at": received}
    Tip.objects.create(
        **common, due_on=date(YEAR, 6, 30), answered_at=timezone.make_aware(datetime(YEAR, 6, 20))
    )
    Tip.objects.create(
        **common, due_on=date(YEAR, 6, 30), answered_at=timezone.make_aware(datetime(YEAR, 7, 9))
    )
    Tip.objects.create(**common, due_on=date(YEAR, 6, 30))  # never answered
    Tip.objects.create(**common, due_on=today + timedelta(days=5))  # not yet due
    found = finding("tips_answered", "360100")
    assert (found.status, found.done, found.total) == (scorecard.Status.PARTLY, 1, 3)
    assert "1 not yet due" in found.text
    assert finding("tips_answered", "360103").status == scorecard.Status.NOT_APPLICABLE


def test_inquiries_answered_by_their_deadline(people):
    from apps.oversight.models import Inquiry

    this_year = timezone.localdate().year
    fields = {"subject": "能耗", "question": "为何？", "deadline": inquiry_svc.today() + timedelta(days=9)}
    answered = inquiry_svc.inquiry_put(
        user=people["congress_donghu"], kind="inquiry", region=by_code("360102"), department=None, **fields
    )
    inquiry_svc.inquiry_answer(user=people["donghu"], inquiry=answered, text="已整改")
    assert finding("inquiries_answered", "360100", this_year).status == scorecard.Status.MET
    late = inquiry_svc.inquiry_put(
        user=people["congress_donghu"], kind="inquiry", region=by_code("360102"), department=None, **fields
    )
    Inquiry.objects.filter(pk=late.pk).update(deadline=inquiry_svc.today() - timedelta(days=2))
    found = finding("inquiries_answered", "360100", this_year)
    assert (found.status, found.done, found.total) == (scorecard.Status.PARTLY, 1, 2)
    assert finding("inquiries_answered", "360103", this_year).status == scorecard.Status.NOT_APPLICABLE


# --- who may read it -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "code", "allowed"),
    [
        ("congress_donghu", "360102", True),
        ("congress_donghu", "360103", False),  # another county: never seen
        ("congress_donghu", "360100", False),  # the level above
        ("congress_nanchang", "360102", True),  # the subtree it oversees
        ("congress_province", "360400", True),
        ("donghu", "360102", True),  # the region's own government
        ("donghu", "360100", False),
        ("nanchang", "360102", False),  # city staff: their own region's only
        ("province", "360102", True),
        ("admin", "360103", True),
    ],
)
def test_who_reads_which_region_s_scorecard(people, client, who, code, allowed):
    client.force_login(people[who])
    api = APIClient()
    api.force_authenticate(people[who])
    want = 200 if allowed else 404
    assert client.get("/oversight/scorecard/", {"region": code, "year": YEAR}).status_code == want
    assert api.get("/api/v1/scorecard/", {"region": code, "year": YEAR}).status_code == want
    if not allowed:
        xlsx = client.get("/oversight/scorecard/", {"region": code, "year": YEAR, "export": "xlsx"})
        assert xlsx.status_code == 404


def test_department_staff_are_refused(people, client):
    client.force_login(people["energy_donghu"])
    assert client.get("/oversight/scorecard/", {"region": "360102"}).status_code == 403
    api = APIClient()
    api.force_authenticate(people["energy_donghu"])
    assert api.get("/api/v1/scorecard/", {"region": "360102"}).status_code == 403


def test_the_page_opens_on_the_own_region_and_the_default_year(people, client):
    client.force_login(people["congress_donghu"])
    page = client.get("/oversight/scorecard/")
    assert page.status_code == 200
    assert page.context["region"].code == "360102"
    assert page.context["year"] == scorecard.default_year(people["congress_donghu"])
    assert [r.obligation.code for r in page.context["card"].rows] == SPEC_ORDER
    html = page.content.decode()
    assert "义务中已落实" in html and "下载 Excel" in html and "?region=360102&amp;year=" in html


def test_bad_parameters_are_named(people):
    api = APIClient()
    api.force_authenticate(people["province"])
    response = api.get("/api/v1/scorecard/", {"year": "20x4"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"region", "year"}


def test_the_api_returns_each_obligation_with_status_counts_and_evidence(people):
    api = APIClient()
    api.force_authenticate(people["congress_nanchang"])
    body = api.get("/api/v1/scorecard/", {"region": "360100", "year": YEAR}).json()
    assert (body["region"], body["year"]) == ("360100", YEAR)
    assert set(body["counts"]) == {s.value for s in scorecard.Status}
    assert sum(body["counts"].values()) == len(SPEC_ORDER)
    assert [o["code"] for o in body["obligations"]] == SPEC_ORDER
    first = body["obligations"][0]
    assert set(first) >= {"code", "name", "status", "status_label", "done", "total", "text", "evidence_url"}
    assert all(o["evidence_url"].startswith("http") for o in body["obligations"] if o["evidence_url"])
    assert body["data_version"]


def test_the_xlsx_has_a_title_chinese_headers_and_the_data_version(people, client):
    client.force_login(people["congress_nanchang"])
    client.cookies.load({"django_language": "zh-hans"})
    response = client.get("/oversight/scorecard/", {"region": "360100", "year": YEAR, "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert "南昌市" in rows[0][0] and "执法检查" in rows[0][0]
    assert any("数据版本" in str(r[0]) or "规范" in str(r[0]) for r in rows[1:4])
    header = next(r for r in rows if r[0] == "义务")
    assert header[:2] == ["义务", "状态"]
    body = [r for r in rows[rows.index(header) + 1 :] if r[0]]
    assert len(body) == len(SPEC_ORDER)
    assert all(str(r[5]).startswith("http://testserver/") for r in body if r[5])


# --- cost ----------------------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_sub_regions(db):
    def count(code: str) -> int:
        region = by_code(code)
        with CaptureQueriesContext(connection) as ctx:
            scorecard.build(region, YEAR)
        return len(ctx.captured_queries)

    province, city = count("360000"), count("360100")  # 11 cities vs Nanchang's counties
    assert (
        Region.objects.filter(parent__code="360000").count()
        != Region.objects.filter(parent__code="360100").count()
    )
    assert province == city
    assert province <= 20


def test_the_summary_page_links_to_the_same_region_year_s_scorecard(people, client):
    Assessment.objects.create(
        region=by_code("360102"), year=YEAR, metric="energy_intensity", value=Decimal("1")
    )
    link = f"/oversight/scorecard/?region=360102&amp;year={YEAR}"
    client.force_login(people["congress_donghu"])
    assert link in client.get(f"/oversight/summaries/county/360102/{YEAR}/").content.decode()
    client.force_login(people["energy_donghu"])  # reads the summary, not the scorecard
    page = client.get(f"/oversight/summaries/county/360102/{YEAR}/")
    assert page.status_code == 200 and link not in page.content.decode()
