"""Project-level guarantees: deployment settings, compose file, vendored assets, translations."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


def test_compose_describes_web_worker_beat_postgres_and_redis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert "gunicorn carbon_portal.wsgi" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A carbon_portal worker")
    assert services["beat"]["command"].startswith("celery -A carbon_portal beat")
    for name in ("web", "postgres", "redis", "worker"):
        assert "healthcheck" in services[name], name
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert {"pgdata", "redisdata", "media", "private_files"} <= set(compose["volumes"])
    env = services["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and env["CELERY_BROKER_URL"].startswith("redis://")
    assert (ROOT / "Dockerfile").exists()


def _run_manage(*args, env_extra):
    drop = ("DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DEBUG": "0",
            "SECRET_KEY": "x" * 30 + "production-like-secret-key-1234567890",
            "ALLOWED_HOSTS": "carbon.example.gov.cn",
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_missing_secret_key_fails_loudly_in_production():
    result = _run_manage("check", env_extra={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_plotly_and_htmx_are_vendored_and_no_template_uses_a_cdn():
    assert (ROOT / "static/vendor/plotly-3.3.1.min.js").stat().st_size > 1_000_000
    assert (ROOT / "static/vendor/htmx-2.0.8.min.js").stat().st_size > 10_000
    pattern = re.compile(r"""(src|href)=["']https?://""")
    for template in (ROOT / "templates").rglob("*.html"):
        assert not pattern.search(template.read_text()), template


def test_chinese_catalog_is_compiled_and_translates_the_interface():
    assert (ROOT / "locale/zh_Hans/LC_MESSAGES/django.mo").exists()
    with translation.override("zh-hans"):
        assert translation.gettext("Log in") == "登录"
        assert translation.gettext("Carbon Portal") == "碳达峰碳中和监测平台"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"


def test_every_catalog_entry_is_translated():
    polib = pytest.importorskip("polib")
    po = polib.pofile(str(ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
