from django.utils.translation import gettext_lazy as _

from apps.accounts.navigation import NavItem
from apps.accounts.scoping import Action

ITEMS = [
    NavItem(
        _("Assessments"),
        "monitoring:overview",
        _(
            "Intensity-target completion and red / yellow / green warnings, each figure traceable to its inputs."
        ),
        Action.READ_ASSESSMENTS,
    ),
    NavItem(
        _("Measures scores"),
        "monitoring:scores",
        _("Enter the measures part (0–60) of each region's assessment score, per year."),
        Action.ENTER_MEASURES_SCORE,
    ),
    NavItem(
        _("Complete years"),
        "monitoring:years",
        _("Declare a year's assessment complete: it becomes the year every dashboard opens on."),
        Action.DECLARE_YEAR_COMPLETE,
    ),
    NavItem(
        _("Recompute"),
        "monitoring:runs",
        _("Start a recompute of the assessments and follow its progress."),
        Action.START_RECOMPUTE,
    ),
]
