"""Cards that apps above `dashboards` add to a region's dashboard, without `dashboards` importing
them (as `apps.reports.panels` does for the report page).

An app lists callables in `apps/<app>/region_panels.py` (`PANELS`); each takes the user and the
region and returns `(template, context)` or None. Their HTML is kept with the dashboard's cached
figures part (per jurisdiction, region, query, day and data version), so a panel must not render
anything request-bound (no form with a CSRF token); the module's `STAMPS()` returns the querysets
whose newest row versions what its panels show (`apps.core.cache.latest_pks`: history tables see
every save), read in the page's one stamp query.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from apps.accounts.app_modules import portal_app_modules


def region_panels_html(request, region) -> SafeString:
    parts = []
    for _config, module in portal_app_modules("region_panels"):
        for panel in module.PANELS:
            result = panel(request.user, region)
            if result is not None:
                template, context = result
                parts.append(render_to_string(template, context, request=request))
    return mark_safe("".join(parts))


def panel_stamps() -> list[QuerySet]:
    """The querysets that version every panel's content (each app's `STAMPS()`)."""
    found: list[QuerySet] = []
    for _config, module in portal_app_modules("region_panels"):
        stamps = getattr(module, "STAMPS", None)
        if stamps is not None:
            found.extend(stamps())
    return found
