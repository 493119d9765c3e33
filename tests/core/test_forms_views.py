"""The shared form and view helpers: service errors land on the form, POST binding, one-line
error text, pagination."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from apps.core.forms import DateInput, PortalFormMixin, add_service_errors
from apps.core.views import bound_args, error_text, paginate


class NameForm(PortalFormMixin, forms.Form):
    name = forms.CharField()
    day = forms.DateField(widget=DateInput(), required=False)


def test_service_errors_go_under_their_field_or_on_top():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"name": "Taken.", "elsewhere": "Not a field."}))
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Not a field."]
    form = NameForm({"name": "x"})
    form.is_valid()
    add_service_errors(form, ValidationError("Closed."))
    assert form.non_field_errors() == ["Closed."]
    assert "field-error" in form.errors["__all__"].error_class  # the portal's error style


def test_date_input_is_the_browsers_picker():
    html = NameForm(initial={"day": "2026-11-30"})["day"].as_widget()
    assert 'type="date"' in html and 'value="2026-11-30"' in html


def test_bound_args_bind_a_post_even_when_empty():
    factory = RequestFactory()
    assert bound_args(factory.get("/")) == (None,)
    assert bound_args(factory.get("/"), files=True) == (None, None)
    post = factory.post("/", {})
    data, files = bound_args(post, files=True)
    assert NameForm(data, files).is_bound


def test_error_text_is_one_line():
    assert (
        error_text(ValidationError({"year": "Too early.", "__all__": "Closed."}))
        == "year: Too early.; Closed."
    )
    assert error_text(ValidationError(["One.", "Two."])) == "One. Two."


@pytest.mark.parametrize("asked, shown", [(None, 1), ("2", 2), ("99", 3), ("x", 1)])
def test_paginate(asked, shown):
    request = RequestFactory().get("/", {"page": asked} if asked else {})
    page = paginate(request, list(range(120)))
    assert page.number == shown and page.paginator.per_page == 50
