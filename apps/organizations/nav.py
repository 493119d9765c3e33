from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS = [
    NavItem(
        _("Departments"),
        "organizations:department-list",
        _("Departments named by the decision at every level, and the key sectors they lead."),
        Action.READ_REFERENCE,
    ),
]
