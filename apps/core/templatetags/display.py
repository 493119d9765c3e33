"""Template side of `apps.core.display` (a builtin: no `{% load %}` needed)."""

from django import template

from apps.core import display

register = template.Library()


@register.simple_tag
def colon() -> str:
    """`{% trans "Status" %}{% colon %}草稿`: "状态：草稿" / "Status: Draft"."""
    return display.colon()


@register.filter
def aside(text) -> str:
    """`{{ name }}{{ note|aside }}`: "江西省（上级）" / "Jiangxi (parent)"."""
    return display.parenthesized(text)


@register.filter
def listing(items) -> str:
    """`{{ names|listing }}`: "工业、能源" / "industry, energy"."""
    return display.join_list(items)


@register.simple_tag
def full_stop() -> str:
    return display.sentence_end()


@register.filter
def num(value, precision=None) -> str:
    """`{{ value|num:2 }}`: rounded and grouped (see apps.core.display.format_number)."""
    return display.format_number(value, None if precision in (None, "") else int(precision))


@register.simple_tag
def list_sep() -> str:
    """Between items written out in a template: "、" / ", "."""
    return display.list_separator()


@register.filter
def change_reason(reason) -> str:
    """A version's stored change reason: the portal's own reasons translated (core.history)."""
    from apps.core.history import reason_label

    return reason_label(reason or "")


@register.filter
def label_of(form, name) -> str:
    """A form field's label by its name (`{{ filter.form|label_of:name }}`): errors name the
    field people see, not its parameter; the name when the form has no such field."""
    field = getattr(form, "fields", {}).get(name)
    return str(field.label) if field is not None and field.label else str(name)
