"""The menu each user sees: an entry appears only when scoping grants its action.

Apps list their entries in `apps/<app>/nav.py`; the home page shows the same entries with a
short description, so a user always sees exactly what they can do.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
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


def items_for(user) -> list[dict]:
    # request.user is a lazy object: every attribute read goes through it, and the permission
    # checks below read a few dozen (a measurable share of a cached page's time)
    if user.is_authenticated and getattr(user, "_wrapped", None) is not None:
        user = user._wrapped
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
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "description": item.description})
    return visible
