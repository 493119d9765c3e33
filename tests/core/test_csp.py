"""Content-Security-Policy: scripts only from the portal's own files, never inline (issue 11)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import user_for

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            found += [f"{path.relative_to(TEMPLATES)}: {m.group()[:60]}" for m in pattern.finditer(text)]
    assert found == []


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/dashboards/", "/plans/", "/monitoring/", "/api/docs/"])
def test_pages_forbid_inline_and_foreign_scripts(client, url):
    client.force_login(user_for("provincial"))
    response = client.get(url)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert all("http" not in source for sources in policy.values() for source in sources)


@pytest.mark.django_db
def test_the_login_page_has_the_policy_too(client):
    assert _policy(client.get("/accounts/login/"))["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_only_redoc_may_run_its_inline_start_up_script(client):
    client.force_login(user_for("provincial"))
    assert "'unsafe-inline'" in _policy(client.get("/api/redoc/"))["script-src"]
