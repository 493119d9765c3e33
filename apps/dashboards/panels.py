"""Cards that apps above `dashboards` add to a region's dashboard, without `dashboards` importing
them (as `apps.reports.panels` does for the report page).

An app lists callables in `apps/<app>/region_panels.py` (`PANELS`); each takes the user and the
region and returns `(template, context)` or None. They are rendered on every request after the
cached cards, so each should cost a query or two (the accountability ledger's open
rectifications, for instance).
"""

from __future__ import annotations

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
