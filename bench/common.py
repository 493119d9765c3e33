"""Shared bits of the benchmark: where the bench database is, how its subprocesses are configured.

The benchmark never touches the developer's database: everything runs against
``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/carbon_bench``), with Celery
eager (no broker: the measured work is the task body) and ``DEBUG`` off (Django would otherwise
keep every query in memory and distort the memory figures).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/carbon_bench"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL


def dsn(url: str | None = None, dbname: str | None = None) -> str:
    """A libpq connection string for psycopg2 from a postgres:// URL (optionally another database)."""
    parts = urlsplit(url or database_url())
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"BENCH_DATABASE_URL must be a PostgreSQL URL, not {parts.scheme}://")
    fields = {
        "host": parts.hostname or "",
        "port": str(parts.port or ""),
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "dbname": dbname or unquote(parts.path.lstrip("/")),
    }
    return " ".join(f"{k}='{v}'" for k, v in fields.items() if v)


def database_name(url: str | None = None) -> str:
    return unquote(urlsplit(url or database_url()).path.lstrip("/"))


def with_database_name(url: str, name: str) -> str:
    """The same server and user, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@contextmanager
def using_database(url: str) -> Iterator[None]:
    """Point every helper of the bench (``dsn``, ``django_env``, the bench scripts it starts) at
    another database for a while: the load test (``bench/load.py``) has its own."""
    before = os.environ.get("BENCH_DATABASE_URL")
    os.environ["BENCH_DATABASE_URL"] = url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("BENCH_DATABASE_URL", None)
        else:
            os.environ["BENCH_DATABASE_URL"] = before


def django_env() -> dict[str, str]:
    """Environment of every Django subprocess of the benchmark."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-secret-key",
        SECURE_SSL_REDIRECT="0",
        CELERY_BROKER_URL="",  # eager: tasks run in-process
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="carbon_portal.settings",
    )
    env.pop("CELERY_RESULT_BACKEND", None)
    return env


def setup_django() -> None:
    """Configure this process like :func:`django_env` and call ``django.setup()``."""
    os.environ.update(django_env())
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def record_section(results_md: Path, heading: str, section: str) -> None:
    """Put the "## <heading>" section last in RESULTS.md, replacing the previous one."""
    text = results_md.read_text(encoding="utf-8") if results_md.exists() else ""
    start = text.find(f"\n## {heading}\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end:] if end >= 0 else "")
    results_md.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")


def python() -> str:
    """The interpreter running the benchmark (the project venv's under ``make bench``)."""
    return sys.executable
