from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS = [
    NavItem(
        _("Targets"),
        "targets:list",
        _(
            "Plan periods and each region's five-year and annual targets: energy and CO2 intensity reduction, energy cap, non-fossil share."
        ),
        Action.READ_TARGETS,
    ),
    NavItem(
        _("Target decomposition"),
        "targets:decomposition",
        _("A region's targets beside its cities' or counties' targets, with the weaker ones flagged."),
        Action.READ_TARGETS,
    ),
]
