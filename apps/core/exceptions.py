"""The one error body of the whole API (shared/DESIGN.md):

    {"detail": "...", "errors": {"field": ["...", ...]}}

`errors` appears only for errors that name a field; messages that name none go into `detail`.
Django's ValidationError and PermissionDenied raised by services become 400 and 403 here,
so views call services directly (no translation per app). An upload's row errors keep their
own list (`{"row": n, "message": "..."}`) under `errors`, answered by the upload endpoint.
A database that cannot be reached, or a connection lost mid-request, is a 503 in the same body
(the request's transaction was rolled back by PostgreSQL), never a 500 with a traceback.

This module is the lowest layer: it imports no portal app.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .conflicts import PreconditionFailed as VersionPreconditionFailed
from .conflicts import VersionConflict

NON_FIELD_KEYS = ("non_field_errors", "__all__", "detail")
DATABASE_RETRY_AFTER = 30  # seconds (Retry-After of a 503)
DATABASE_UNAVAILABLE = gettext_noop(
    "The database could not be reached and the request was not completed. Try again in a moment."
)
logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "The object is not in a state that allows this."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = "The object has changed since the version named in If-Match."
    default_code = "precondition_failed"


def from_django(exc: Exception) -> Exception:
    """Django's exceptions as the DRF ones (ValidationError keeps its field names; a save
    against an older version is 409 naming the current version)."""
    if isinstance(exc, VersionPreconditionFailed):
        return PreconditionFailed({"detail": exc.messages, "version": exc.messages})
    if isinstance(exc, VersionConflict):
        return Conflict({"detail": exc.messages, "version": exc.messages})
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return serializers.ValidationError(exc.message_dict)
        return serializers.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*(exc.args[:1] or ()))
    return exc


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def error_body(data, *, default: str) -> dict:
    """Any DRF error payload (string, list, dict of fields) in the one shape."""
    if isinstance(data, dict):
        errors = {k: _messages(v) for k, v in data.items() if k not in NON_FIELD_KEYS}
        general = [m for k in NON_FIELD_KEYS if k in data for m in _messages(data[k])]
    else:
        errors, general = {}, _messages(data)
    body = {"detail": " ".join(general) if general else default}
    if errors:
        body["errors"] = errors
    return body


def api_exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: DRF's handler, Django's exceptions, one body."""
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable during an API request: %s", exc, exc_info=exc)
        return Response(
            {"detail": _(DATABASE_UNAVAILABLE)},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
        )
    exc = from_django(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        default = _("The request has errors in the fields named.")
    else:
        default = str(getattr(exc, "default_detail", "")) or _("The request failed.")
    response.data = error_body(response.data, default=default)
    return response


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """An API path that names no resource (e.g. a year that is not a number): 404 in the one
    error body, as the API's own 404s, not Django's HTML page."""
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)


ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error body of the API.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for people."},
        "errors": {
            "type": "object",
            "description": "Messages per field (only for errors that name a field).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}
ERROR_RESPONSES = {
    "400": "Invalid input: `errors` names the fields.",
    "401": "No valid credentials: the token is missing, unknown or expired (`WWW-Authenticate: Token`).",
    "403": "The role may not take this action (or, signed in by session, the CSRF token is missing).",
    "404": "No such object, or outside what the user may read.",
    "409": "The object is not in a state that allows this, or it was saved by someone else since the "
    "version sent (`errors.version` names the current version).",
    "503": "The database could not be reached; nothing was changed (`Retry-After` says when to try again).",
}
UNSAFE = ("post", "put", "patch", "delete")
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": dict(ERROR_REF)}}}


def _with_error_body(response: dict) -> None:
    """An operation's own 4xx body (e.g. an upload's rows) may also be the one error body: a
    request the serializer rejects before the operation's own check answers that. A 4xx
    documented without a body has the error body."""
    content = response.setdefault("content", {})
    if not content:
        content["application/json"] = {"schema": dict(ERROR_REF)}
    for media in content.values():
        schema = media.get("schema")
        if schema and schema != ERROR_REF and ERROR_REF not in schema.get("anyOf", []):
            media["schema"] = {"anyOf": [schema, ERROR_REF]}


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the `Error` component on every operation's
    400/401/403/404/503 (409 for writes, 412 where `If-Match` is taken), unless the operation
    documents its own; an operation's own 4xx body is documented as that body or the `Error` one."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, response in responses.items():
                if code.startswith("4"):
                    _with_error_body(response)
            anonymous = {} in operation.get("security", [{}])
            for code, description in ERROR_RESPONSES.items():
                if (code == "409" and method not in UNSAFE) or (code == "401" and anonymous):
                    continue
                responses.setdefault(code, _error_response(description))
            if any(p.get("name") == "If-Match" for p in operation.get("parameters", [])):
                responses.setdefault(
                    "412", _error_response("`If-Match` names an older version of the object.")
                )
    return result
