"""Bad input of issue 12: unpublished figures never appear on a public page, in a public download or
in the public API, whatever the URL or parameter.

2023 is published for one city (九江市) only; then 2024, another city (南昌市), a county of the
published city's neighbour, unknown years and regions are asked for in every public URL with every
parameter: each is a 404, and every answer that is not one holds only 九江市's rows of the published
years (2023 and its trend back to the period's base year).
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.disclosure import publications as service
from apps.disclosure.models import Publication
from apps.regions.models import Region
from apps.regions.selectors import by_code
from tests.xlsx import xlsx_table

YEAR, UNPUBLISHED_YEAR = 2023, 2024
CITY, OTHER_CITY, OTHER_COUNTY = "360400", "360100", "360102"
BASE_YEAR = 2020


@pytest.fixture
def published(demo):
    Publication.objects.all().delete()
    official = User.objects.get(username="province")
    return service.publish(user=official, year=YEAR, region=CITY)


NOT_FOUND = [
    f"/disclosure/{UNPUBLISHED_YEAR}/",
    f"/disclosure/?year={UNPUBLISHED_YEAR}",
    f"/disclosure/?year={BASE_YEAR}",
    "/disclosure/?year=1999",
    "/disclosure/?year=abcd",
    f"/disclosure/{UNPUBLISHED_YEAR}/{CITY}/",
    f"/disclosure/{YEAR}/{OTHER_CITY}/",
    f"/disclosure/{YEAR}/{OTHER_COUNTY}/",
    f"/disclosure/{YEAR}/360000/",
    f"/disclosure/{YEAR}/999999/",
    f"/disclosure/{YEAR}/abc/",
    f"/disclosure/{BASE_YEAR}/{CITY}/",
    "/disclosure/1999/",
    f"/disclosure/{UNPUBLISHED_YEAR}/figures.csv",
    f"/disclosure/{UNPUBLISHED_YEAR}/figures.xlsx",
    f"/disclosure/{YEAR}/figures.pdf",
    f"/disclosure/{UNPUBLISHED_YEAR}/{CITY}/figures.csv",
    f"/disclosure/{UNPUBLISHED_YEAR}/{CITY}/figures.xlsx",
    f"/disclosure/{YEAR}/{OTHER_CITY}/figures.csv",
    f"/disclosure/{YEAR}/{OTHER_CITY}/figures.xlsx",
    f"/disclosure/{YEAR}/{CITY}/figures.json",
    f"/api/v1/public/figures/?year={UNPUBLISHED_YEAR}",
    f"/api/v1/public/figures/?year={UNPUBLISHED_YEAR}&region={CITY}",
    f"/api/v1/public/figures/?year={YEAR}&region={OTHER_CITY}",
    f"/api/v1/public/figures/?region={OTHER_CITY}",
    f"/api/v1/public/figures/?year={YEAR}&region=360000",
    f"/api/v1/public/figures/?year={YEAR}&region=999999",
    f"/api/v1/public/figures/?year={BASE_YEAR}",
    "/api/v1/public/figures/?year=1999",
]

SHOWN = [
    "/disclosure/",
    f"/disclosure/?year={YEAR}",
    f"/disclosure/{YEAR}/",
    f"/disclosure/{YEAR}/?year={UNPUBLISHED_YEAR}&region={OTHER_CITY}&parent={OTHER_CITY}",
    f"/disclosure/{YEAR}/{CITY}/",
    f"/disclosure/{YEAR}/{CITY}/?year={UNPUBLISHED_YEAR}&region={OTHER_CITY}",
    "/disclosure/methodology/",
    "/disclosure/terms/",
]


@pytest.mark.parametrize("url", NOT_FOUND)
def test_what_is_not_published_is_a_404(published, url):
    answer = Client().get(url)
    assert answer.status_code in (404, 400), (url, answer.status_code)
    if url.startswith("/api/") and "abcd" not in url:
        assert answer.status_code == 404, url


def test_unknown_parameters_never_reach_other_figures(published):
    bad = Client().get("/api/v1/public/figures/", {"year": "20x4"})
    assert bad.status_code == 400
    assert Client().get("/api/v1/public/figures/", {"region": "36"}).status_code == 400


def _names_and_years(text: str) -> tuple[set[str], set[int]]:
    """Region names and chart years in a page (the figures' json_script blocks)."""
    years: set[int] = set()
    for block in re.findall(r'<script id="fig-[^"]+" type="application/json">(.*?)</script>', text, re.S):
        figure = json.loads(block)
        for trace in figure.get("data", []):
            if (trace.get("line") or {}).get("dash") == "dashdot":
                continue  # the period target: a published target, drawn over its whole period
            for x in trace.get("x", []) or []:
                if isinstance(x, int):
                    years.add(x)
    return set(), years


@pytest.mark.parametrize("url", SHOWN)
def test_public_pages_show_only_the_published_city_and_years(published, url):
    answer = Client().get(url)
    assert answer.status_code == 200, url
    text = answer.content.decode()
    for name in ("南昌市", "东湖区", "赣州市", "萍乡市"):
        assert name not in text, (url, name)
    _names, years = _names_and_years(text)
    assert years <= set(range(BASE_YEAR, YEAR + 1)), (url, years)
    words = re.sub(r"<script[^>]*>.*?</script>", "", text, flags=re.S)  # the charts: checked above
    words = re.sub(r"\?[^\"']*", "", words)  # the addresses asked for
    # a chart's table has a row per year of its period target line: nothing but the target there
    # (a constant line: each cell empty or the same as in the published year's row)
    for table in re.findall(r"<table>.*?</table>", words, re.S):
        later = re.findall(rf'<tr><th scope="row">{UNPUBLISHED_YEAR}</th>(.*?)</tr>', table)
        shown = re.findall(rf'<tr><th scope="row">{YEAR}</th>(.*?)</tr>', table)
        for row in later:
            cells = re.findall(r'<td class="num">(.*?)</td>', row)
            published_cells = re.findall(r'<td class="num">(.*?)</td>', shown[0]) if shown else []
            assert all(c in ("—", p) for c, p in zip(cells, published_cells, strict=False)), (url, row)
    words = re.sub(rf'<tr><th scope="row">{UNPUBLISHED_YEAR}</th>.*?</tr>', "", words)
    assert not re.search(rf"(?<![\d.,]){UNPUBLISHED_YEAR}(?![\d.,])", words), url


def subtree_codes() -> set[str]:
    """The published city and its counties (a publication covers a region's subtree)."""
    return set(Region.objects.filter(path__startswith=by_code(CITY).path).values_list("code", flat=True))


def _csv(answer) -> list[dict]:
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_downloads_hold_only_the_published_city_and_years(published):
    for url in (f"/disclosure/{YEAR}/figures.csv", f"/disclosure/{YEAR}/{CITY}/figures.csv"):
        for query in ("", f"?year={UNPUBLISHED_YEAR}", f"?region={OTHER_CITY}"):
            rows = _csv(Client().get(url + query))
            assert rows, url
            assert {r["region_code"] for r in rows} <= subtree_codes() and CITY in {
                r["region_code"] for r in rows
            }
            assert {int(r["year"]) for r in rows} <= set(range(BASE_YEAR, YEAR + 1))
    for url in (f"/disclosure/{YEAR}/figures.xlsx", f"/disclosure/{YEAR}/{CITY}/figures.xlsx"):
        _header, rows = xlsx_table(Client().get(url, {"region": OTHER_CITY}).content)
        codes = {str(row[1]) for row in rows if row[1]}  # the region code column
        assert CITY in codes and codes <= subtree_codes(), codes


def test_the_api_returns_only_the_published_city_and_year(published):
    for query in ({}, {"year": YEAR}, {"year": YEAR, "region": CITY}, {"region": CITY}):
        rows = Client().get("/api/v1/public/figures/", query).json()
        assert rows, query
        assert {r["region_code"] for r in rows} <= subtree_codes()
        assert {r["year"] for r in rows} == {YEAR}
        assert set(rows[0]) == {"region_code", "year", "metric", "value"}


def test_withdrawn_is_gone_from_every_public_url(published):
    official = User.objects.get(username="province")
    service.withdraw(user=official, publication=published, reason="错误")
    for url in [u for u in SHOWN if "methodology" not in u and "terms" not in u]:
        answer = Client().get(url)
        assert answer.status_code == 404 or "九江市" not in answer.content.decode(), url
    assert Client().get(f"/disclosure/{YEAR}/{CITY}/figures.csv").status_code == 404
    assert Client().get("/api/v1/public/figures/").status_code == 404


def test_the_public_api_is_in_the_openapi_schema_for_anonymous_access(published):
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/public/figures/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"year", "region"}
    assert "/api/v1/publications/" in schema["paths"]
