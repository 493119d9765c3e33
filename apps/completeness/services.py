"""Writes of the completeness app: reporting deadlines (the reminder e-mails: `reminders.py`).

Each write checks permission (`selectors.may_edit_deadlines`), validates, and saves inside
one transaction; the deadline's history records who changed what.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ReportingDeadline
from .selectors import YEAR_MAX, YEAR_MIN, may_edit_deadlines


def _require_deadline_editor(user) -> None:
    if not may_edit_deadlines(user):
        raise PermissionDenied("not allowed: set reporting deadlines")


def validate_deadline(*, year, due_date, note: str) -> None:
    errors: dict[str, str] = {}
    if not isinstance(year, int) or isinstance(year, bool) or not YEAR_MIN <= year <= YEAR_MAX:
        errors["year"] = _("The year must lie between %(min)s and %(max)s.") % {
            "min": YEAR_MIN,
            "max": YEAR_MAX,
        }
    if not isinstance(due_date, date) or isinstance(due_date, datetime):
        errors["due_date"] = _("Enter a valid date.")
    elif "year" not in errors and not (date(year, 1, 1) <= due_date <= date(year + 2, 12, 31)):
        errors["due_date"] = _(
            "The due date of the %(year)s reports must fall between %(start)s and %(end)s."
        ) % {"year": year, "start": f"{year}-01-01", "end": f"{year + 2}-12-31"}
    if len(note or "") > 300:
        errors["note"] = _("At most 300 characters.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def deadline_set(*, user, year: int, due_date: date, note: str = "") -> ReportingDeadline:
    """Create or change the deadline of a report year; the history keeps who changed what."""
    _require_deadline_editor(user)
    note = (note or "").strip()
    validate_deadline(year=year, due_date=due_date, note=note)
    deadline = ReportingDeadline.objects.select_for_update().filter(year=year).first()
    if deadline is None:
        deadline = ReportingDeadline(year=year)
    elif (deadline.due_date, deadline.note) == (due_date, note):
        return deadline  # unchanged: no new history entry
    deadline.due_date, deadline.note, deadline.updated_by = due_date, note, user
    deadline._history_user = user
    deadline.save()
    return deadline


@transaction.atomic
def deadline_delete(*, user, year: int) -> None:
    """Remove a year's deadline (reminders for that year stop); the history keeps the record."""
    _require_deadline_editor(user)
    deadline = ReportingDeadline.objects.select_for_update().filter(year=year).first()
    if deadline is None:
        raise ValidationError({"year": _("No deadline is set for %(year)s.") % {"year": year}})
    deadline._history_user = user
    deadline.delete()
