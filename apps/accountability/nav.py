from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS: list[NavItem] = [
    NavItem(
        _("Accountability"),
        "accountability:ledger",
        _("Candidates for notices (通报) and interviews (约谈) by rule, decisions and rectification (整改)."),
        Action.READ_ACCOUNTABILITY,
    ),
]
