from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS = [
    NavItem(
        _("Regions"),
        "regions:list",
        _("Browse Jiangxi's region tree (GB/T 2260) and each region's departments."),
        Action.READ_REFERENCE,
    ),
]
