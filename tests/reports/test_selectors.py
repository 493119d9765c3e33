"""The approved_values() contract and who may read which report (roles.md)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.reports.models import ReportStatus
from apps.reports.selectors import approved_values, readable_reports, review_queue
from tests.factories import GOOD_VALUES, make_report

pytestmark = pytest.mark.django_db
S = ReportStatus


def test_approved_values_returns_the_latest_approved_revision_of_each_region_year():
    r1 = make_report("360102", 2022, S.APPROVED)
    r2 = make_report(
        "360102", 2022, S.APPROVED, {**GOOD_VALUES, "energy_total": Decimal("501")}, revision=2, previous=r1
    )
    make_report(
        "360102", 2022, S.SUBMITTED, {**GOOD_VALUES, "energy_total": Decimal("999")}, revision=3, previous=r2
    )
    make_report("360103", 2022, S.DRAFT)  # never approved: absent
    make_report("360103", 2021, S.RETURNED)
    rows = approved_values()
    assert {(y, c) for _r, y, c, _v in rows} == {(2022, c) for c in GOOD_VALUES}
    assert dict((c, v) for _r, _y, c, v in rows)["energy_total"] == Decimal("501")
    assert all(r == r1.region_id for r, *_ in rows)
    assert all(isinstance(v, Decimal) for *_, v in rows)


def test_approved_values_filters_by_region_and_year(region):
    make_report("360102", 2022, S.APPROVED)
    make_report("360102", 2023, S.APPROVED)
    make_report("360103", 2023, S.APPROVED)
    donghu = region("360102").pk
    assert {(r, y) for r, y, _c, _v in approved_values(region_ids=[donghu])} == {
        (donghu, 2022),
        (donghu, 2023),
    }
    assert {y for _r, y, _c, _v in approved_values(years=[2023])} == {2023}
    assert approved_values(region_ids=[], years=[2023]) == []


def test_empty_values_are_not_returned():
    make_report("360102", 2022, S.APPROVED, {**GOOD_VALUES, "nev_share": None})
    assert "nev_share" not in {c for _r, _y, c, _v in approved_values()}


def test_approved_values_is_one_query_whatever_the_number_of_reports():
    for code in ("360102", "360103", "360104", "360111"):
        for year in (2020, 2021, 2022):
            make_report(code, year, S.APPROVED)
    with CaptureQueriesContext(connection) as queries:
        rows = approved_values(years=range(2020, 2023))
    assert len(rows) == 4 * 3 * len(GOOD_VALUES)
    assert len(queries) == 1


# --- reading rights -------------------------------------------------------------------------


@pytest.fixture
def reports():
    return {
        "donghu_draft": make_report("360102", 2025, S.DRAFT),
        "donghu_returned": make_report("360102", 2024, S.RETURNED),
        "donghu_submitted": make_report("360102", 2023, S.SUBMITTED),
        "donghu_approved": make_report("360102", 2022, S.APPROVED),
        "xihu_draft": make_report("360103", 2025, S.DRAFT),
        "xihu_forwarded": make_report("360103", 2024, S.FORWARDED),
        "nanchang_draft": make_report("360100", 2025, S.DRAFT),
        "nanchang_submitted": make_report("360100", 2024, S.SUBMITTED),
        "jiujiang_approved": make_report("360400", 2022, S.APPROVED),
        "province_submitted": make_report("360000", 2024, S.SUBMITTED),
    }


def visible(user, reports):
    ids = set(readable_reports(user).values_list("pk", flat=True))
    return {name for name, r in reports.items() if r.pk in ids}


def test_county_staff_read_their_own_reports_only(users, reports):
    assert visible(users["donghu"], reports) == {
        "donghu_draft",
        "donghu_returned",
        "donghu_submitted",
        "donghu_approved",
    }
    assert visible(users["xihu"], reports) == {"xihu_draft", "xihu_forwarded"}


def test_city_staff_read_their_drafts_and_the_submitted_reports_of_their_counties(users, reports):
    assert visible(users["nanchang"], reports) == {
        "nanchang_draft",
        "nanchang_submitted",
        "donghu_submitted",
        "donghu_approved",
        "xihu_forwarded",
    }
    assert visible(users["jiujiang"], reports) == {"jiujiang_approved"}


def test_provincial_officials_read_everything_submitted_but_no_drafts(users, reports):
    assert visible(users["province"], reports) == {
        "donghu_submitted",
        "donghu_approved",
        "xihu_forwarded",
        "nanchang_submitted",
        "jiujiang_approved",
        "province_submitted",
    }


def test_department_staff_read_submitted_reports_of_their_subtree(users, reports):
    assert visible(users["dept"], reports) == {
        "donghu_submitted",
        "donghu_approved",
        "xihu_forwarded",
        "nanchang_submitted",
    }


def test_congress_members_read_approved_reports_only(users, reports):
    assert visible(users["congress"], reports) == {"donghu_approved", "jiujiang_approved"}


def test_admins_read_everything(users, reports):
    assert visible(users["admin"], reports) == set(reports)


def test_anonymous_users_read_nothing(reports):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser(), reports) == set()


def test_review_queues(users, reports):
    city = set(review_queue(users["nanchang"], stage="city").values_list("pk", flat=True))
    assert city == {reports["donghu_submitted"].pk}
    province = set(review_queue(users["province"], stage="province").values_list("pk", flat=True))
    assert province == {
        reports["xihu_forwarded"].pk,
        reports["nanchang_submitted"].pk,
        reports["province_submitted"].pk,
    }
    assert not review_queue(users["donghu"], stage="city").exists()
    assert not review_queue(users["nanchang"], stage="province").exists()
