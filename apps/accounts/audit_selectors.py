"""Reads of the audit log (administrators only: `Action.READ_AUDIT`, checked by the view)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import AuditAction, AuditEntry


def _day(text: str, field: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = _("Give a date as YYYY-MM-DD.")
        return None


def filtered(params) -> tuple[QuerySet[AuditEntry], dict[str, str], dict[str, str]]:
    """The entries matching `action`, `user`, `path` (contains) and `from`/`to` (local days)."""
    errors: dict[str, str] = {}
    filters = {k: (params.get(k) or "").strip() for k in ("action", "user", "path", "from", "to")}
    qs = AuditEntry.objects.all()
    if filters["action"]:
        if filters["action"] in AuditAction.values:
            qs = qs.filter(action=filters["action"])
        else:
            errors["action"] = _("Unknown action.")
    if filters["user"]:
        qs = qs.filter(username__icontains=filters["user"])
    if filters["path"]:
        qs = qs.filter(path__icontains=filters["path"])
    tz = timezone.get_current_timezone()
    start = _day(filters["from"], "from", errors)
    end = _day(filters["to"], "to", errors)
    if start:
        qs = qs.filter(at__gte=datetime.combine(start, time.min, tzinfo=tz))
    if end:
        qs = qs.filter(at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))
    return qs.order_by("-at", "-pk"), filters, errors
