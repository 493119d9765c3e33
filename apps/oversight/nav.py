from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS = [
    NavItem(
        _("Inquiries"),
        "oversight:inquiry-list",
        _(
            "Inquiries (询问, 专题询问, 质询) of the people's congress standing committees to the government "
            "and its departments: answers, follow-ups, deadlines and what is overdue."
        ),
        Action.READ_INQUIRIES,
    ),
    NavItem(
        _("Oversight summaries"),
        "oversight:summaries",
        _(
            "The yearly summaries the government issues to the people's congress: figures, problems, next steps; PDF and Word."
        ),
        Action.READ_SUMMARIES,
    ),
    NavItem(
        _("Inspection scorecard"),
        "oversight:scorecard",
        _(
            "执法检查: for a region and year, each obligation of the decision the portal can evidence, "
            "met or not, with the counts behind it and a link to the evidence."
        ),
        Action.READ_SCORECARD,
    ),
]
