from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS = [
    NavItem(
        _("My reports"),
        "reports:mine",
        _("Fill in, save and submit your region's annual progress report; follow its review."),
        Action.EDIT_OWN_REPORT,
    ),
    NavItem(
        _("Reports"),
        "reports:list",
        _("Annual progress reports you may read, with filters and CSV / Excel export."),
        Action.READ_SUBMITTED_REPORT,
    ),
    NavItem(
        _("Review queue"),
        "reports:queue-city",
        _(
            "County reports of your city waiting for your review: forward them to the province or return them."
        ),
        Action.REVIEW_COUNTY_REPORT,
    ),
    NavItem(
        _("Approval queue"),
        "reports:queue-province",
        _("Forwarded county reports and submitted city reports waiting for approval."),
        Action.APPROVE_REPORT,
    ),
    NavItem(
        _("Import values"),
        "reports:import",
        _("Load official figures for many regions and years from a CSV or Excel file."),
        Action.IMPORT_VALUES,
    ),
]
