from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS = [
    NavItem(
        _("Oversight summaries"),
        "oversight:summaries",
        _(
            "The yearly summaries the government issues to the people's congress: figures, problems, next steps; PDF and Word."
        ),
        Action.READ_SUMMARIES,
    ),
]
