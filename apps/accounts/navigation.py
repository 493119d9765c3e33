"""The menu each user sees: an entry appears only when scoping grants its action.

Apps list their entries in `apps/<app>/nav.py`; the home page shows the same entries with a
short description, so a user always sees exactly what they can do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .app_modules import portal_app_modules
from .scoping import Action, can, is_admin


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    description: str | Promise
    action: Action | None = None  # None: any signed-in user
    admin_only: bool = False
    public: bool = False
    needs_region: bool = False  # only for users with a jurisdiction (e.g. "my region's …")


# Entries of the accounts app itself; every other app lists its own in `apps/<app>/nav.py` (ITEMS).
OWN_ITEMS: list[NavItem] = [
    NavItem(
        _("API"),
        "api-docs",
        _("Interactive documentation of the REST API (token or session authentication)."),
        Action.READ_REFERENCE,
    ),
    NavItem(_("Administration"), "admin:index", _("Manage users, roles and jurisdictions."), admin_only=True),
    NavItem(
        _("Audit log"),
        "accounts:audit-log",
        _("Who signed in, changed or downloaded what, from where and when (append-only)."),
        Action.READ_AUDIT,
    ),
]


@lru_cache(maxsize=1)
def all_items() -> tuple[NavItem, ...]:
    """Every app's entries in INSTALLED_APPS order, then the accounts app's own."""
    items: list[NavItem] = []
    for _config, module in portal_app_modules("nav"):
        items.extend(module.ITEMS)
    return (*items, *OWN_ITEMS)


@lru_cache(maxsize=256)
def _url(url_name: str, script_prefix: str) -> str | None:
    """An entry's address: the same for every request of a deployment (its script prefix)."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


#: How long a process reuses a user's menu. The menu only links: every view checks the action
#: again, so a role changed by an administrator shows in the menu within this time at the latest.
MENU_SECONDS = 60.0
_menus: dict[tuple, tuple[float, list[dict]]] = {}


def _menu_key(user) -> tuple:
    """What the menu depends on: the user's role and jurisdiction (the rule table's inputs)."""
    if not user.is_authenticated:
        return ("anonymous",)
    return (user.pk, user.is_active, user.is_superuser, user.role, user.region_id, user.department_id)


def items_for(user) -> list[dict]:
    """The entries the user may open (cached per process and jurisdiction for MENU_SECONDS: on a
    cached page the permission checks and reversals were a fifth of the request's time)."""
    # request.user is a lazy object: every attribute read goes through it
    if user.is_authenticated and getattr(user, "_wrapped", None) is not None:
        user = user._wrapped
    key = (*_menu_key(user), get_script_prefix())
    now = time.monotonic()
    hit = _menus.get(key)
    if hit is not None and now - hit[0] < MENU_SECONDS:
        return hit[1]
    visible = []
    for item in all_items():
        if item.admin_only and not is_admin(user):
            continue
        if item.needs_region and not getattr(user, "region_id", None):
            continue
        if not item.public and not user.is_authenticated:
            continue
        if item.action is not None and not can(user, item.action):
            continue
        url = _url(item.url_name, key[-1])
        if url is None:
            continue
        visible.append({"label": item.label, "url": url, "description": item.description})
    if len(_menus) > 1024:
        _menus.clear()
    _menus[key] = (now, visible)
    return visible


@lru_cache(maxsize=2048)
def _menu_html(items: tuple[tuple[str, str], ...], path: str, language: str | None) -> SafeString:
    return format_html_join(
        "",
        "<li>{}</li>",
        (
            (
                format_html('<a href="{}" aria-current="page">{}</a>', url, label)
                if url == path
                else format_html('<a href="{}">{}</a>', url, label),
            )
            for url, label in items
        ),
    )


def menu_html(items: list[dict], path: str) -> SafeString:
    """The menu's list items, the current page marked (rendered once per menu, page and language:
    as template nodes they were a measurable share of a cached page's time)."""
    language = get_language()
    return _menu_html(tuple((i["url"], str(i["label"])) for i in items), path, language)


def forget_menus() -> None:
    """Drop the menus this process keeps (the tests' per-test reset: their user and region rows
    reuse primary keys with other roles and levels)."""
    _menus.clear()
