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
    # tips (举报): the public's form and lookup; the staff's inbox (whoever triages also answers) and counts
    NavItem(
        _("File a tip"),
        "disclosure:tip-new",
        _("Tell the government what you saw (举报)."),
        Action.FILE_TIP,
        public=True,
    ),
    NavItem(
        _("Track a tip"),
        "disclosure:tip-track",
        _("Status and reply of a tip, by its tracking number."),
        Action.TRACK_TIP,
        public=True,
    ),
    NavItem(
        _("Tips"),
        "disclosure:tip-inbox",
        _("Tips from the public: triage, route, investigate, answer."),
        Action.ANSWER_TIPS,
    ),
    NavItem(
        _("Tip statistics"),
        "disclosure:tip-statistics",
        _("Tips by region, department, category and status."),
        Action.READ_TIP_STATS,
    ),
]
