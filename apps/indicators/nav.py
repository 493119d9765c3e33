from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS = [
    NavItem(
        _("Indicators"),
        "indicators:list",
        _("The indicator catalog of the annual report: codes, names, units and definitions."),
        Action.READ_REFERENCE,
    ),
    NavItem(
        _("Factors and rules"),
        "indicators:factor-set-list",
        _(
            "Emission factor sets, grid factors and the rule sets applied to each plan period, with their sources and history."
        ),
        Action.READ_REFERENCE,
    ),
]
