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


@register.filter
def grouped(value):
    """A number for people: thousands separators, no trailing zeros (1,309; 12.5); '—' when empty."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        from apps.indicators.bounds import number

        return number(value)
    return value
