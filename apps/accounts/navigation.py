"""The menu each user sees: an entry appears only when scoping grants its action.

Apps add their entries to NAV_ITEMS; the home page shows the same entries with a
short description, so a user always sees exactly what they can do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .scoping import Action, can, is_admin


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    description: str | Promise
    action: Action | None = None  # None: any signed-in user
    admin_only: bool = False
    public: bool = False


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("Regions"),
        "regions:list",
        _("Browse Jiangxi's region tree (GB/T 2260) and each region's departments."),
        Action.READ_REFERENCE,
    ),
    NavItem(
        _("Departments"),
        "organizations:department-list",
        _("Departments named by the decision at every level, and the key sectors they lead."),
        Action.READ_REFERENCE,
    ),
    NavItem(
        _("API"),
        "api-docs",
        _("Interactive documentation of the REST API (token or session authentication)."),
        Action.READ_REFERENCE,
    ),
    NavItem(_("Administration"), "admin:index", _("Manage users, roles and jurisdictions."), admin_only=True),
]


def items_for(user) -> list[dict]:
    visible = []
    for item in NAV_ITEMS:
        if item.admin_only and not is_admin(user):
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
