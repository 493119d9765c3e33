"""The region dashboard's menu entry, for the integrator to merge into `nav.py` (H1 owns it).

Menu entries are reversed without arguments, so the entry points at `dashboards:my-region`,
which redirects a signed-in user to their own region's dashboard.
"""

from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

REGION_ITEMS = [
    NavItem(
        _("My region's dashboard"),
        "dashboards:my-region",
        _("Where your region stands: warnings, grade, trends against targets, peak outlook and causes."),
        Action.READ_ASSESSMENTS,
    ),
]
