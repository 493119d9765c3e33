from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS = [
    NavItem(
        _("Sector plans"),
        "plans:plan-list",
        _(
            "Carbon-peak plans of the key sectors: peak years, targets, measures, milestones and what is overdue."
        ),
        Action.READ_PLANS,
    ),
    NavItem(
        _("Plan measures"),
        "plans:measure-list",
        _("Every measure of the sector plans in your jurisdiction, with status, due dates and progress."),
        Action.READ_PLANS,
    ),
]
