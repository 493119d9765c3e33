"""The pages bench harness (bench/pages.py) still works: log in through the form, load a page
with a few concurrent clients, summarise, record. Not timed: only that it does not rot."""

from urllib.parse import urlsplit

import pytest

from bench import pages
from tests.factories import user_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_harness_logs_in_loads_a_page_and_records_its_figures(live_server, reference_data, tmp_path):
    user = user_for("provincial", username="bench_smoke")
    user.set_password("pw-smoke-1234")
    user.save()
    host, port = urlsplit(live_server.url).hostname, urlsplit(live_server.url).port
    cookies = pages.login(host, port, "bench_smoke", "pw-smoke-1234")
    page = pages.Page("completeness grid", "province", "/reports/completeness/")

    measure = pages.measure_page(host, port, page, cookies, clients=2, requests=5, warmup=1)

    assert measure.requests == 5 and measure.statuses == {"200": 5}
    assert 0 < measure.median_ms <= measure.p95_ms <= measure.max_ms
    assert measure.kbytes > 1
    results = tmp_path / "RESULTS.md"
    results.write_text("# Results\n\n## Pages\n\nold figures\n", encoding="utf-8")
    pages.record(results, pages.markdown([measure], {"commit": "abc"}, workers=4, requests=5, max_seconds=1))
    text = results.read_text(encoding="utf-8")
    assert "old figures" not in text and text.count("## Pages") == 1
    assert "| completeness grid | `/reports/completeness/` | 2 | 5 |" in text


def test_a_refused_login_is_an_error_not_a_measurement(live_server, reference_data):
    host, port = urlsplit(live_server.url).hostname, urlsplit(live_server.url).port
    with pytest.raises(RuntimeError, match="refused"):
        pages.login(host, port, "nobody", "wrong")


def test_every_bench_page_names_a_bench_user():
    assert pages.PAGES and all(p.user in pages.USERS or p.user == pages.PUBLIC for p in pages.PAGES)
