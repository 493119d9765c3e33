"""Panels that apps above `reports` add to a report's page, without `reports` importing them.

An app lists callables in `apps/<app>/report_panels.py` (`PANELS`); each takes the user and the
report and returns `(template, context)` or None. The report page renders them after its
attachments (e.g. the dashboards' recovery plans, saved planner scenarios attached to it).
"""

from __future__ import annotations

from apps.accounts.app_modules import portal_app_modules


def panels_for(user, report) -> list[tuple[str, dict]]:
    found = []
    for _config, module in portal_app_modules("report_panels"):
        for panel in module.PANELS:
            result = panel(user, report)
            if result is not None:
                found.append(result)
    return found
