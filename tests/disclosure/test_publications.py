"""Publications (issue 12 item 1): who may publish and withdraw, the frozen copy, superseding,
the audit trail, and the public pages, downloads and API that show exactly what is published.

On the session's demo data (`demo`: every Jiangxi region, 2015 to last year, recomputed); each
test first takes the demo's own publication off, in its rolled-back transaction.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.core.models import AuditEntry
from apps.disclosure import groups as registry
from apps.disclosure import publications as service
from apps.disclosure.groups import Group
from apps.disclosure.models import Publication, PublicationStatus
from apps.monitoring.models import Assessment
from apps.regions.selectors import by_code
from tests.factories import user_with
from tests.xlsx import xlsx_table

YEAR, OTHER_YEAR = 2023, 2024
JIUJIANG, NANCHANG, PROVINCE = "360400", "360100", "360000"


@pytest.fixture
def official(demo):
    Publication.objects.all().delete()  # the demo's own publication: each test starts with none
    return User.objects.get(username="province")


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def published_rows(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# ---- publishing ----------------------------------------------------------------------------------


def test_an_official_publishes_through_the_api_and_the_audit_log_records_it(official):
    api = APIClient()
    api.force_login(official)
    answer = api.post("/api/v1/publications/", {"year": YEAR, "region": JIUJIANG}, format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["region"] == JIUJIANG and body["year"] == YEAR and body["status"] == "published"
    assert body["groups"] == registry.keys()  # all groups when omitted
    assert len(body["figures_sha256"]) == 64 and body["data_version"]
    entry = AuditEntry.objects.filter(path="/api/v1/publications/", method="POST").latest("pk")
    assert entry.actor_id == official.pk and entry.status == 201
    listed = api.get("/api/v1/publications/").json()
    assert [p["id"] for p in listed["results"]] == [body["id"]]
    assert api.get(f"/api/v1/publications/{body['id']}/").json()["region_name"] == "九江市"


def test_groups_can_be_chosen_and_unknown_ones_are_refused(official):
    api = api_for(official)
    answer = api.post(
        "/api/v1/publications/", {"year": YEAR, "region": JIUJIANG, "groups": ["warnings"]}, format="json"
    )
    assert answer.status_code == 201 and answer.json()["groups"] == ["warnings"]
    rows = Client().get("/api/v1/public/figures/", {"year": YEAR}).json()
    assert rows and {r["metric"] for r in rows} <= set(registry.get("warnings").metrics)
    bad = api.post(
        "/api/v1/publications/", {"year": YEAR, "region": JIUJIANG, "groups": ["x"]}, format="json"
    )
    assert bad.status_code == 400 and "groups" in bad.json()["errors"]
    nothing = api.post("/api/v1/publications/", {"year": 1990, "region": JIUJIANG}, format="json")
    assert nothing.status_code == 400
    unknown = api.post("/api/v1/publications/", {"year": YEAR, "region": "999999"}, format="json")
    assert unknown.status_code == 400 and "region" in unknown.json()["errors"]


@pytest.mark.parametrize(
    "role,code",
    [
        (Role.REGION_STAFF, JIUJIANG),
        (Role.DEPARTMENT_STAFF, PROVINCE),
        (Role.CONGRESS_MEMBER, PROVINCE),
    ],
)
def test_only_provincial_officials_and_administrators_publish(official, role, code):
    kwargs = {"department_kind": "energy"} if role == Role.DEPARTMENT_STAFF else {}
    user = user_with(role, code, **kwargs)
    answer = api_for(user).post("/api/v1/publications/", {"year": YEAR, "region": JIUJIANG}, format="json")
    assert answer.status_code == 403
    assert api_for(user).get("/api/v1/publications/").status_code == 403
    page = Client()
    page.force_login(user)
    assert page.get("/disclosure/publications/").status_code == 403
    assert APIClient().post("/api/v1/publications/", {"year": YEAR, "region": JIUJIANG}).status_code in (
        401,
        403,
    )
    admin = User.objects.get(username="admin")
    assert api_for(admin).post("/api/v1/publications/", {"year": YEAR, "region": JIUJIANG}).status_code == 201


def test_publishing_again_supersedes_and_withdrawing_takes_it_off_the_public_pages(official):
    first = service.publish(user=official, year=YEAR, region=JIUJIANG)
    second = service.publish(user=official, year=YEAR, region=JIUJIANG)
    first.refresh_from_db()
    assert first.status == PublicationStatus.SUPERSEDED and second.supersedes == first
    assert second.edition.number == 2 and second.edition.supersedes == first.edition
    assert Client().get(f"/disclosure/{YEAR}/{JIUJIANG}/").status_code == 200

    page = Client()
    page.force_login(official)
    refused = page.post(f"/disclosure/publications/{second.pk}/", {"reason": ""})
    assert refused.status_code == 400
    done = page.post(f"/disclosure/publications/{second.pk}/", {"reason": "数据有误，需更正"})
    assert done.status_code == 302
    second.refresh_from_db()
    assert second.status == PublicationStatus.WITHDRAWN and second.withdraw_reason == "数据有误，需更正"
    assert second.withdrawn_by == official
    reasons = list(second.history.values_list("history_change_reason", flat=True))
    assert "数据有误，需更正" in reasons
    anonymous = Client()
    for url in (f"/disclosure/{YEAR}/{JIUJIANG}/", f"/disclosure/{YEAR}/", f"/disclosure/{YEAR}/figures.csv"):
        assert anonymous.get(url).status_code == 404, url
    assert anonymous.get("/api/v1/public/figures/", {"year": YEAR}).status_code == 404
    assert AuditEntry.objects.filter(path=f"/disclosure/publications/{second.pk}/", status=302).exists()
    again = api_for(official).post(f"/api/v1/publications/{second.pk}/withdraw/", {"reason": "x"})
    assert again.status_code == 400


def test_the_ui_publishes_from_the_form_and_lists_the_publications(official):
    page = Client()
    page.force_login(official)
    form = page.get("/disclosure/publications/")
    assert form.status_code == 200 and "九江市" in form.content.decode()
    region = by_code(JIUJIANG)
    answer = page.post(
        "/disclosure/publications/", {"year": YEAR, "region": region.path, "groups": ["warnings"]}
    )
    assert answer.status_code == 302
    publication = Publication.objects.get()
    assert publication.groups == ["warnings"] and publication.published_by == official
    listing = page.get("/disclosure/publications/").content.decode()
    assert "九江市" in listing and str(YEAR) in listing
    assert "/disclosure/publications/" in page.get("/").content.decode()  # in the menu


def test_a_recompute_after_publishing_changes_nothing_public_until_published_again(official):
    service.publish(user=official, year=YEAR, region=JIUJIANG)
    before = Client().get("/api/v1/public/figures/", {"year": YEAR, "region": JIUJIANG}).json()
    row = Assessment.objects.get(region=by_code(JIUJIANG), year=YEAR, metric="energy_intensity")
    row.value = Decimal("123.456")
    row.save()
    Assessment.objects.filter(
        region=by_code(JIUJIANG), year=YEAR, metric="energy_intensity_warning_annual"
    ).update(level="red" if row.level != "red" else "green")
    after = Client().get("/api/v1/public/figures/", {"year": YEAR, "region": JIUJIANG}).json()
    assert after == before
    csv_rows = published_rows(Client().get(f"/disclosure/{YEAR}/{JIUJIANG}/figures.csv"))
    assert "123.456" not in {r["value"] for r in csv_rows}
    service.publish(user=official, year=YEAR, region=JIUJIANG)
    again = Client().get("/api/v1/public/figures/", {"year": YEAR, "region": JIUJIANG}).json()
    assert {"region_code": JIUJIANG, "year": YEAR, "metric": "energy_intensity", "value": "123.456"} in again


# ---- the public pages ---------------------------------------------------------------------------------


def test_the_public_pages_show_the_publication_in_both_languages(official):
    service.publish(user=official, year=YEAR, region=PROVINCE)
    client = Client()
    overview = client.get("/disclosure/")
    assert overview.status_code == 200
    text = overview.content.decode()
    assert (
        str(YEAR) in text and "九江市" in text and "tile-grid" in text and "csrfmiddlewaretoken" not in text
    )
    region = client.get(f"/disclosure/{YEAR}/{JIUJIANG}/").content.decode()
    assert "九江市" in region and "预警" in region and 'class="explain"' in region
    assert "因此为" in region  # the plain-language explanation, in Chinese by default
    english_visitor = Client()
    english_visitor.cookies["django_language"] = "en"  # the switcher's choice (not Accept-Language)
    english = english_visitor.get(f"/disclosure/{YEAR}/{JIUJIANG}/").content.decode()
    assert ", so it is " in english
    assert "csrftoken" not in client.cookies
    for lang, word in (("zh-hans", "能耗强度"), ("en", "Energy intensity")):
        visitor = Client()
        visitor.cookies["django_language"] = lang
        methodology = visitor.get("/disclosure/methodology/")
        assert methodology.status_code == 200 and word in methodology.content.decode()
    switched = client.get("/disclosure/language/en/", {"next": f"/disclosure/{YEAR}/"})
    assert switched.status_code == 302 and switched["Location"] == f"/disclosure/{YEAR}/"
    assert (
        client.get("/disclosure/language/en/", {"next": "https://evil.example/"})["Location"]
        == "/disclosure/"
    )
    assert "/disclosure/" in Client().get("/").content.decode()  # the home page leads here


def test_public_pages_carry_http_caching_headers_and_answer_304(official):
    service.publish(user=official, year=YEAR, region=JIUJIANG)
    client = Client()
    first = client.get(f"/disclosure/{YEAR}/{JIUJIANG}/")
    assert "public" in first["Cache-Control"] and first["ETag"]
    again = client.get(f"/disclosure/{YEAR}/{JIUJIANG}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    service.publish(user=official, year=YEAR, region=JIUJIANG)  # a new state: a new tag
    assert client.get(f"/disclosure/{YEAR}/{JIUJIANG}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_downloads_hold_exactly_what_is_published(official):
    service.publish(user=official, year=YEAR, region=JIUJIANG, groups=["warnings", "energy_total"])
    answer = Client().get(f"/disclosure/{YEAR}/{JIUJIANG}/figures.csv")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    rows = published_rows(answer)
    assert list(rows[0]) == ["region_code", "year", "metric", "value"]
    allowed = set(registry.get("warnings").metrics) | set(registry.get("energy_total").metrics)
    assert {r["metric"] for r in rows} <= allowed
    assert {r["region_code"] for r in rows} == {JIUJIANG}
    stored = Assessment.objects.get(region=by_code(JIUJIANG), year=YEAR, metric="energy_total_assessed")
    assert (
        Decimal(
            next(
                r["value"] for r in rows if r["metric"] == "energy_total_assessed" and r["year"] == str(YEAR)
            )
        )
        == stored.value
    )
    xlsx = Client().get(f"/disclosure/{YEAR}/{JIUJIANG}/figures.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('.xlsx"')
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert any(
        "CC" in str(v) or "转载" in str(v) or "attribution" in str(v) for v in [c.value for c in sheet["A"]]
    )
    _header, rows = xlsx_table(xlsx.content)
    assert JIUJIANG in [row[1] for row in rows]


def test_a_registered_group_appears_with_its_items(official):
    def render(data, path, year):
        from django.utils.html import format_html

        return format_html("<p class='notice'>{}</p>", data["text"])

    registry.register_group(
        Group(
            key="test_notices",
            name_zh="通报",
            name_en="Notices",
            freeze=lambda s: {"text": f"<b>{s.year}</b>"},
            render=render,
            order=99,
        )
    )
    try:
        publication = service.publish(user=official, year=YEAR, region=JIUJIANG, groups=["test_notices"])
        assert publication.groups == ["test_notices"]
        page = Client().get(f"/disclosure/{YEAR}/{JIUJIANG}/").content.decode()
        assert "&lt;b&gt;2023&lt;/b&gt;" in page and "通报" in page
    finally:
        registry.unregister_group("test_notices")


def test_a_tip_may_point_only_at_a_published_figure(official):
    from apps.disclosure.tip_forms import TipForm

    service.publish(user=official, year=YEAR, region=by_code(JIUJIANG))
    base = {"category": "statistics", "region": JIUJIANG, "description": "数据与实际不符。"}
    published = TipForm(data={**base, "figure_year": YEAR, "figure_metric": "energy_intensity"})
    assert published.is_valid(), published.errors
    for year, region in ((OTHER_YEAR, JIUJIANG), (YEAR, NANCHANG)):
        unpublished = TipForm(
            data={**base, "region": region, "figure_year": year, "figure_metric": "energy_intensity"}
        )
        assert not unpublished.is_valid()
        assert "not published" in str(unpublished.errors["figure_metric"])
