from django import template

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
