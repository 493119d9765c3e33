from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain(value):
    """A stored Decimal as typed (500, not 500.000000); '—' when empty."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value
