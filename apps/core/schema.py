"""The OpenAPI schema told as the API answers (SECURITY.md, "API schema and fuzzing").

`PortalAutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) corrects what drf-spectacular cannot
see on read-only fields: a value read through a relation that may be empty (`parent.code` of the
province, a target's `updated_by` after an import) is `null`, and a choice field whose model field
may be blank answers `""`. Both are derived from the model fields on the field's `source`, so no
serializer has to repeat them. A filter's or the page's query parameter may be sent empty. The
error responses every operation may answer are added by the postprocessing hook
`apps.core.exceptions.document_error_responses`.

This module is of the lowest layer: it imports no portal app.
"""

from __future__ import annotations

import copy

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


def source_fields(field: serializers.Field) -> tuple[bool, models.Field | None]:
    """(may the value be null, the model field at the end of the source) for a serializer field
    of a ModelSerializer; (False, None) when the source is not a chain of model fields."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None) or []
    if model is None or not attrs:
        return False, None
    nullable, found = False, None
    for attr in attrs:
        try:
            found = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return nullable, None
        if found.null or (found.one_to_one and found.auto_created):  # reverse one-to-one: maybe none
            nullable = True
        model = found.related_model
        if model is None and attr is not attrs[-1]:
            return nullable, None
    return nullable, found


def allow_empty(parameters: list[dict]) -> list[dict]:
    for parameter in parameters:
        if parameter.get("in") == "query" and not parameter.get("required"):
            parameter["allowEmptyValue"] = True
    return parameters


class PortalAutoSchema(AutoSchema):
    def _get_filter_parameters(self):
        """A filter's query parameter sent empty (`?status=`, `?sent_on=`) means "no filter" — in
        django-filter, ordering and search alike — so the schema allows the empty value."""
        return allow_empty(super()._get_filter_parameters())

    def _get_pagination_parameters(self):
        """`?page=` sent empty is the first page (DRF's PageNumberPagination)."""
        return allow_empty(super()._get_pagination_parameters())

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if not field.read_only or field.source == "*":
            return super()._map_serializer_field(field, direction, bypass_extensions)
        nullable, model_field = source_fields(field)
        if (
            isinstance(field, serializers.ChoiceField)
            and not field.allow_blank
            and model_field is not None
            and getattr(model_field, "blank", False)
            and isinstance(model_field, models.CharField | models.TextField)
        ):
            field = copy.copy(field)
            field.allow_blank = True
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if nullable and schema is not None and not getattr(field, "many", False):
            schema["nullable"] = True
        return schema
