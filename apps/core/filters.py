"""Query-string filters that refuse what the OpenAPI schema does not allow (SECURITY.md, "API
schema and fuzzing").

django-filter reads a boolean filter's unknown value (`?is_default=maybe`) as "no filter" and a
number filter on an integer field accepts `?year=0.5` (and finds nothing), while the schema
documents `boolean` and `integer`: a typo would silently answer everything, or nothing. The
backend (REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]) answers 400 naming the parameter instead,
for every filter set, declared or generated from `filterset_fields`. An empty value still means
"no filter", as before.

This module is of the lowest layer: it imports no portal app.
"""

from __future__ import annotations

import re

from django import forms
from django.db import models
from django_filters import filters
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import get_model_field
from rest_framework import serializers

INTEGER = re.compile(r"[+-]?\d+\Z")
BOOLEANS = ("true", "false")


def _is_integer_filter(filterset, name: str, filter_) -> bool:
    if not isinstance(filter_, filters.NumberFilter):
        return False
    model = filterset._meta.model or filterset.queryset.model
    field = get_model_field(model, filter_.field_name) if model is not None else None
    return isinstance(field, models.IntegerField | models.AutoField | models.BigAutoField)


def query_type_errors(filterset) -> dict[str, list[str]]:
    """{parameter: [message]} for each boolean or integer filter whose value is not one."""
    errors: dict[str, list[str]] = {}
    data = filterset.data
    for name, filter_ in filterset.filters.items():
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        for value in values:
            if value in (None, ""):
                continue
            if isinstance(filter_, filters.BooleanFilter) and str(value).lower() not in BOOLEANS:
                errors[name] = [str(serializers.BooleanField.default_error_messages["invalid"])]
            elif _is_integer_filter(filterset, name, filter_) and not INTEGER.match(str(value)):
                errors[name] = [str(forms.IntegerField.default_error_messages["invalid"])]
    return errors


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = query_type_errors(filterset)
            if errors:
                raise serializers.ValidationError(errors)
        return filterset
