from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS = [
    NavItem(
        _("Dashboards"),
        "dashboards:barometer",
        _(
            "Where every region stands this year: the six warnings as a table and a tile grid, with drill-down."
        ),
        Action.READ_ASSESSMENTS,
    ),
    NavItem(
        _("My region's dashboard"),
        "dashboards:my-region",
        _("Where your region stands: warnings, grade, trends against targets, peak outlook and causes."),
        Action.READ_ASSESSMENTS,
        needs_region=True,
    ),
]
