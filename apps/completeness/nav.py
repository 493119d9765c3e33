from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS = [
    NavItem(
        _("Completeness"),
        "completeness:grid",
        _("Which regions have submitted their annual reports, year by year, against the deadlines."),
        Action.READ_COMPLETENESS,
    ),
]
