"""A cache of the expensive part of a page (issue 10, item 8): built once, served to every request
that would build the same thing.

The figures pages (barometer, region dashboard, completeness grid, monitoring overview) spend
tens to hundreds of milliseconds of CPU turning thousands of stored rows into a table, tiles and
charts. Their content changes only when the data behind it changes, so they keep that part —
the rendered HTML of the tables / tiles / charts, or the computed values — in Django's cache
(`settings.CACHES`: Redis shared by every worker when configured, else each process's memory)
and render the page shell (header with the user's name, messages, CSRF tokens) per request.

Correctness rests on the key, which every caller builds from everything that changes the content:

- the **jurisdiction** (`scope_key(user)`: role, region, department — what `apps.accounts.scoping`
  decides from), or the user (`personal_key`) where content is personal;
- the **language** (added here, always);
- the **query parameters** (`params_key`: all of them, sorted — two spellings of the same view
  at worst cost two entries, never a wrong one);
- a **version of the data** shown, from one cheap query (`table_stamp`, or the data version of
  `apps.monitoring.years`), so a recompute / approval / declaration is seen by the next request;
- the **code** (`code_version()`: templates, Python modules and compiled translations), so a
  deploy never serves fragments rendered by the previous release out of a shared Redis.

A timeout (`DEFAULT_TIMEOUT`) is only a safety net for what no stamp covers (a renamed region).
A cache that is down never breaks a page: the fragment is then built as if it were missing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from functools import cache as memoize
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Count, F, Max, QuerySet
from django.utils.translation import get_language

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds a fragment may live at most, whatever the stamps say (the safety net, not the mechanism).
DEFAULT_TIMEOUT = 600
PREFIX = "fragment"
_MISSING = object()
#: What the rendered output of a release depends on: its templates, code and translations.
_CODE_SUFFIXES = (".py", ".html", ".mo", ".json")


def scope_key(user) -> tuple:
    """What a user's jurisdiction is decided from (`apps.accounts.scoping`): two users with the
    same key may read exactly the same regions and departments, so they may share fragments."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ("anonymous",)
    return (
        "scope",
        bool(getattr(user, "is_superuser", False)),
        bool(getattr(user, "is_active", False)),
        getattr(user, "role", None),
        getattr(user, "region_id", None),
        getattr(user, "department_id", None),
    )


def personal_key(user) -> tuple:
    """For content that is the user's own (their drafts, their name): shared with nobody."""
    return ("user", getattr(user, "pk", None), *scope_key(user)[1:])


def params_key(query, *, drop: Iterable[str] = ()) -> tuple:
    """The query parameters, normalised: sorted by name, every value of a repeated name kept."""
    dropped = set(drop)
    return tuple(sorted((k, tuple(query.getlist(k))) for k in query if k not in dropped))


def table_stamp(queryset: QuerySet, field: str = "updated_at") -> tuple:
    """A version of the rows of `queryset` in one aggregate query: how many, and the latest change.

    Any insert, delete or save (with `auto_now` on `field`) moves it."""
    found = queryset.order_by().aggregate(n=Count("pk"), latest=Max(field))
    latest = found["latest"]
    return (found["n"], latest.isoformat() if hasattr(latest, "isoformat") else latest)


def latest_pk(queryset: QuerySet):
    """The newest primary key of `queryset` (one index lookup): moves with every insert, even where
    counting the rows would cost a scan (millions of figures)."""
    return queryset.order_by().aggregate(latest=Max("pk"))["latest"]


@functools.cache
def history_model(model):
    """The `simple_history` model of `model`, looked up once per process (the `history`
    descriptor builds a manager class with `inspect` on every access)."""
    return model.history.model


def latest_pks(*querysets: QuerySet) -> tuple:
    """The newest primary key of each queryset, in one query of index lookups (`latest_pk` each).

    With a `simple_history` table (`history_model(Model).objects.all()`) this is
    the cheapest version of a table that sees every save and delete through the ORM: each writes
    a history row."""
    selects, params = [], []
    for queryset in querysets:
        if _whole_table(queryset):
            selects.append(_max_pk_sql(queryset.model, connections[queryset.db].ops.quote_name))
            continue
        sql, found = queryset.order_by().annotate(_stamp=F("pk")).values("_stamp").query.sql_with_params()
        selects.append(f"(SELECT MAX(s._stamp) FROM ({sql}) s)")
        params.extend(found)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return tuple(cursor.fetchone())


def _whole_table(queryset: QuerySet) -> bool:
    """An unfiltered `Model.objects.all()`: its stamp needs no compiled ORM query (the pages read
    five such stamps per request; compiling them cost more than running them)."""
    query = queryset.query
    return not (
        query.where
        or query.annotations
        or query.extra
        or query.distinct
        or query.low_mark
        or query.high_mark is not None
    )


@functools.cache
def _max_pk_sql(model, quote) -> str:
    meta = model._meta
    return f"(SELECT MAX({quote(meta.pk.column)}) FROM {quote(meta.db_table)})"


@memoize
def code_version() -> str:
    """A digest of the release's templates, Python modules and translations (once per process).

    Identical checkouts give the same digest, so every worker of a release shares its fragments;
    the next release never reads them."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in ("apps", "templates", "locale", "carbon_portal"):
        root = base / folder
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.suffix in _CODE_SUFFIXES and p.is_file()):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fragment_key(namespace: str, key_parts: Iterable[Any]) -> str:
    """The cache key: namespace, code version, language and a digest of the caller's parts."""
    payload = json.dumps([list(key_parts), get_language() or ""], default=str, sort_keys=True)
    digest = hashlib.sha256(payload.encode()).hexdigest()
    return f"{PREFIX}:{namespace}:{code_version()}:{digest}"


def cached_fragment(
    namespace: str, key_parts: Iterable[Any], build: Callable[[], T], *, timeout: int = DEFAULT_TIMEOUT
) -> T:
    """`build()`'s value, from the cache when the same key was built before (see the module doc).

    `build` must return something that does not depend on the request beyond the key: no CSRF
    token, no user name, no messages. Exceptions from `build` propagate and nothing is stored."""
    key = fragment_key(namespace, key_parts)
    try:
        found = cache.get(key, _MISSING)
    except Exception:  # a cache that is down costs the build, never the page
        log.warning("fragment cache unreachable (get %s)", namespace, exc_info=True)
        found = _MISSING
    if found is not _MISSING:
        return found
    value = build()
    try:
        cache.set(key, value, timeout)
    except Exception:
        log.warning("fragment cache unreachable (set %s)", namespace, exc_info=True)
    return value
