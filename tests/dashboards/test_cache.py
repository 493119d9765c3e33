"""The cached parts of the figures pages (apps/core/cache.py): a user never gets a fragment built
for another jurisdiction or language, other filters build their own, and a new data version, a
declaration, a target or a report approval is shown on the next request."""

from __future__ import annotations

import re
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core import cache as fragments
from apps.dashboards import barometer as bm
from apps.monitoring.models import Assessment, CompleteYear, RecomputeRun, RunStatus
from apps.plans.models import MeasureStatus
from apps.regions.models import Region
from apps.regions.selectors import by_code
from apps.reports.models import Report
from tests.factories import MeasureFactory, RegionTargetFactory, SectorPlanFactory, user_for, user_with

YEAR = 2032
EIP = "energy_intensity_warning_progress"
DONGHU_NAME, XIHU_NAME = "东湖区", "西湖区"  # counties of Nanchang
JIUJIANG_COUNTY = "濂溪区"  # a county of Jiujiang


def seed(regions, year=YEAR, level="green") -> None:
    rows = []
    for region in regions:
        rows += [Assessment(region=region, year=year, metric=m, level=level) for m in bm.WARNINGS]
        rows.append(
            Assessment(region=region, year=year, metric="energy_intensity_reduction_cum", value=Decimal(1))
        )
    Assessment.objects.bulk_create(rows)


@pytest.fixture
def jiangxi(db):
    seed(list(Region.objects.all()))


def finish_a_run() -> RecomputeRun:
    """What a recompute leaves behind: a newer finished run, i.e. a new data version."""
    now = timezone.now()
    return RecomputeRun.objects.create(status=RunStatus.DONE, started_at=now, finished_at=now)


def page(client, user, path, language="zh-hans"):
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def api(user, path):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.json()


def without_csrf(html: str) -> str:
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


def region_codes(body) -> set[str]:
    rows = body["results"] if isinstance(body, dict) else body
    return {row["region_code"] for row in rows}


# --- jurisdiction -----------------------------------------------------------------------------------


def test_two_cities_on_the_same_url_each_see_only_their_own_counties(jiangxi, client):
    nanchang = user_with("region_staff", "360100")
    jiujiang = user_with("region_staff", "360400")
    path = f"/dashboards/?year={YEAR}"
    first = page(client, nanchang, path)
    second = page(client, jiujiang, path)  # the same URL, the cache now holding Nanchang's body
    assert DONGHU_NAME in first and JIUJIANG_COUNTY not in first
    assert JIUJIANG_COUNTY in second and DONGHU_NAME not in second


def test_a_county_user_never_gets_the_provincial_body(jiangxi, client):
    path = f"/dashboards/?year={YEAR}&region_level=county"
    provincial = page(client, user_for("provincial"), path)
    county = page(client, user_for("county"), path)
    assert JIUJIANG_COUNTY in provincial and XIHU_NAME in provincial
    assert DONGHU_NAME in county and XIHU_NAME not in county and JIUJIANG_COUNTY not in county


def test_the_barometer_api_is_scoped_whatever_was_cached_before(jiangxi):
    path = f"/api/v1/barometer/?year={YEAR}&region_level=county"
    everything = region_codes(api(user_for("provincial"), path))
    own = region_codes(api(user_for("county"), path))
    assert "360402" in everything and own == {"360102"}


def test_the_completeness_grid_of_two_counties_shows_each_its_own_region(db, client):
    donghu = user_with("region_staff", "360102")
    xihu = user_with("region_staff", "360103")
    first = page(client, donghu, "/reports/completeness/")
    second = page(client, xihu, "/reports/completeness/")
    assert DONGHU_NAME in first and XIHU_NAME not in first
    assert XIHU_NAME in second and DONGHU_NAME not in second


def test_the_monitoring_overview_is_scoped_whatever_was_cached_before(jiangxi, client):
    path = f"/monitoring/?year={YEAR}&region_level=county"
    provincial = page(client, user_for("provincial"), path)
    county = page(client, user_for("county"), path)
    assert JIUJIANG_COUNTY in provincial
    assert DONGHU_NAME in county and JIUJIANG_COUNTY not in county


def test_no_cached_fragment_holds_a_csrf_token_or_the_users_name(jiangxi, client):
    user = user_for("provincial", username="zhang-san-official", first_name="张三")
    stored = []
    real_set = fragments.cache.set

    def spy(key, value, *args, **kwargs):
        stored.append(str(value))
        return real_set(key, value, *args, **kwargs)

    with mock.patch.object(fragments.cache, "set", side_effect=spy):
        page(client, user, f"/dashboards/?year={YEAR}")
        page(client, user, "/dashboards/city/360100/")
        page(client, user, "/reports/completeness/")
        page(client, user, f"/monitoring/?year={YEAR}")
    assert len(stored) >= 4
    for value in stored:
        assert "csrfmiddlewaretoken" not in value
        assert "zhang-san-official" not in value and "张三" not in value


# --- language and parameters ------------------------------------------------------------------------


def test_each_language_gets_its_own_body(jiangxi, client):
    user = user_for("provincial")
    path = f"/dashboards/?year={YEAR}"
    english = page(client, user, path, "en")
    chinese = page(client, user, path, "zh-hans")
    lead = "Where every region stands on its six warnings"
    assert lead in english and lead not in chinese


def test_other_filters_build_their_own_body(db, client):
    regions = list(Region.objects.filter(level="city"))
    seed(regions)
    Assessment.objects.filter(region__code="360400", metric=EIP).update(level="red")
    user = user_for("provincial")
    everything = api(user, f"/api/v1/barometer/?year={YEAR}")
    red = api(user, f"/api/v1/barometer/?year={YEAR}&level=red&metric={EIP}")
    assert len(region_codes(everything)) == len(regions)
    assert region_codes(red) == {"360400"}


# --- invalidation -----------------------------------------------------------------------------------


def test_a_new_data_version_is_shown_on_the_next_request(db):
    seed(list(Region.objects.filter(level="city")))
    user = user_for("provincial")
    path = f"/api/v1/barometer/?year={YEAR}&level=red&metric={EIP}"
    assert region_codes(api(user, path)) == set()
    # changed in place, as a recompute rewrites its figures: the cached answer still stands ...
    Assessment.objects.filter(region__code="360400", metric=EIP).update(level="red")
    assert region_codes(api(user, path)) == set()
    finish_a_run()  # ... until the run that wrote them finishes
    assert region_codes(api(user, path)) == {"360400"}


def test_figures_written_without_a_run_are_shown_too(db, client):
    user = user_for("provincial")
    path = f"/dashboards/?year={YEAR}&region_level=county&level=green"  # counties with figures
    seed(list(Region.objects.filter(parent__code="360100")))
    assert JIUJIANG_COUNTY not in page(client, user, path)
    seed(list(Region.objects.filter(parent__code="360400")))
    assert JIUJIANG_COUNTY in page(client, user, path)


def test_a_declared_year_becomes_the_default_of_the_pages_at_once(db, client):
    regions = list(Region.objects.filter(level__in=["province", "city"]))
    seed(regions, year=YEAR)
    seed(regions, year=YEAR - 1)
    user = user_for("provincial")
    client.force_login(user)
    assert client.get("/dashboards/city/360100/").context["year"] == YEAR
    assert client.get("/dashboards/").context["year"] == YEAR
    entry = CompleteYear(year=YEAR - 1, declared_by=user, declared_at=timezone.now())
    entry.save()
    assert client.get("/dashboards/city/360100/").context["year"] == YEAR - 1
    assert client.get("/dashboards/").context["year"] == YEAR - 1


def test_a_new_target_rebuilds_the_region_dashboard(db, client):
    seed([by_code("360100")])
    user = user_for("provincial")
    path = "/dashboards/city/360100/"
    with mock.patch(
        "apps.dashboards.views.region._figures_part",
        wraps=__import__("apps.dashboards.views.region", fromlist=["_figures_part"])._figures_part,
    ) as build:
        page(client, user, path)
        page(client, user, path)
        assert build.call_count == 1  # the second request was served from the cache
        RegionTargetFactory(code="360100", value=Decimal("13.5"))
        page(client, user, path)
        assert build.call_count == 2


def test_a_report_approval_is_shown_in_the_grid_on_the_next_request(db, client):
    user = user_for("provincial")
    path = "/reports/completeness/?years=2025&city=360100"
    report = Report.objects.create(region=by_code("360102"), year=2025, status="submitted")
    assert 'st st-submitted"' in _donghu_row(page(client, user, path))
    report.status = "approved"
    report.save()
    assert 'st st-approved"' in _donghu_row(page(client, user, path))


def _donghu_row(html: str) -> str:
    start = html.index(DONGHU_NAME)
    return html[start : html.index("</tr>", start)]


def test_the_cache_is_empty_at_the_start_of_every_test():
    assert cache.get("leak-check") is None
    cache.set("leak-check", 1)


@pytest.mark.parametrize(
    "path",
    [
        f"/dashboards/?year={YEAR}",
        "/dashboards/city/360100/",
        "/reports/completeness/",
        f"/monitoring/?year={YEAR}",
    ],
)
def test_a_page_served_from_the_cache_is_the_page_built_for_it(jiangxi, client, path):
    user = user_for("provincial")
    built = page(client, user, path)
    served = page(client, user, path)
    assert without_csrf(served) == without_csrf(built)  # the shell's token is masked anew
    # the fragment is not escaped a second time
    assert "<main" in served and not re.search(r"&lt;(table|section|div|p|h1|form|nav)\b", served)


def test_a_measure_changing_status_is_counted_on_the_next_request(db, client):
    seed([by_code("360100")])
    plan = SectorPlanFactory(code="360100")
    measure = MeasureFactory(plan=plan, status=MeasureStatus.ON_TRACK)
    client.force_login(user_for("city"))
    rows = client.get("/dashboards/city/360100/").context["measure_rows"]
    assert {s: n for s, _label, n in rows}[MeasureStatus.DELAYED] == 0
    measure.status = MeasureStatus.DELAYED
    measure.save()
    rows = client.get("/dashboards/city/360100/").context["measure_rows"]
    assert {s: n for s, _label, n in rows}[MeasureStatus.DELAYED] == 1
