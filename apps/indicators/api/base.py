"""Writable viewsets on top of the scoped read-only base: reads by `read_action`, writes by `write_action`.

Unsafe methods need the write action somewhere (else 403 before anything is parsed);
the service called then checks the object's region again and raises PermissionDenied
(403) or ValidationError (400 naming the field), so views cannot skip a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import permissions, serializers

from apps.accounts import scoping
from apps.accounts.api.base import ScopedPermission, ScopedReadOnlyViewSet


class ScopedWritePermission(ScopedPermission):
    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return scoping.scope_of(request.user, view.write_action) is not None


class ScopedWritableViewSet(ScopedReadOnlyViewSet):
    """Read like ScopedReadOnlyViewSet; write only through services, with `write_action` held."""

    write_action: scoping.Action = scoping.Action.EDIT_CATALOG
    permission_classes = [ScopedWritePermission]


def django_errors_to_drf(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(
            {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
        )
    return serializers.ValidationError({"non_field_errors": error.messages})


def call_service(service: Callable[..., Any], /, **kwargs) -> Any:
    """Run a write service; its Django ValidationError becomes a DRF 400 naming the field."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise django_errors_to_drf(error)
