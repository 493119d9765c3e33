from django import template

from apps.monitoring import metrics
from apps.monitoring.selectors import format_value

register = template.Library()


@register.filter
def figure(assessment) -> str:
    """A stored figure as exported: full precision, or the warning level."""
    if assessment is None:
        return "—"
    return format_value(assessment.value, assessment.level)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def metric_name(code: str) -> str:
    """A metric's name in the active language (the catalog; the code when unknown)."""
    return metrics.name(code)


@register.filter
def metric_label(code: str) -> str:
    """A metric's name with its unit, for headers and axes."""
    entry = metrics.catalog().get(code)
    return entry.label if entry else code


@register.filter
def shown(assessment) -> str:
    """A stored figure for people: rounded per the catalog, text figures translated."""
    if assessment is None:
        return "—"
    return metrics.display(assessment.metric, assessment.value, assessment.level)


@register.inclusion_tag("includes/level_badge.html")
def level_badge(level: str):
    """A warning level as colour, icon and word (never colour alone)."""
    return {"level": level, "icon": metrics.LEVEL_ICONS.get(level, ""), "label": metrics.text_label(level)}
