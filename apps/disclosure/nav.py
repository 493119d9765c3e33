from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS: list[NavItem] = [
    NavItem(
        _("Publications"),
        "disclosure:publications",
        _("Publish a year's figures for the public, see what is public, withdraw with a reason."),
        Action.PUBLISH,
    ),
    NavItem(
        _("Public figures"),
        "disclosure:public",
        _("The figures published for the public, as anyone sees them without signing in."),
        Action.PUBLIC_PAGE,
        public=True,
    ),
]
