"""Form helpers every app's UI shares; the domain forms stay in their apps.

Forms only parse input; services decide and raise field-named ValidationErrors, which
`add_service_errors` puts back on the form so nothing the user typed is lost.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList


class PortalErrorList(ErrorList):
    """Errors styled (red, with text) by the portal's `.field-error` class."""

    def __init__(self, initlist=None, error_class=None, **kwargs):
        super().__init__(initlist, error_class=f"field-error {error_class or ''}".strip(), **kwargs)


class PortalFormMixin:
    """Use the portal's error list (so errors read the same on every page)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_class", PortalErrorList)
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    """The browser's date picker, with the ISO value it expects."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: under the field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
