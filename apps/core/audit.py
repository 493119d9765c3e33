"""The audit log: sign-ins (and failed ones), sign-outs, every change and every download, in one
append-only table (`AuditEntry`), without each view or service having to remember it.

- `AuditMiddleware` records, for a signed-in user, every request that changes something (POST,
  PUT, PATCH, DELETE: approvals, returns, imports, edits, admin changes, and whatever later apps
  add) with its outcome (`write` when it succeeded, `refused` for 4xx), and every download (a
  response sent as an attachment: exports, attachments, documents) with the address and filters
  asked for. Sign-in forms are left to the auth signals below.
- `user_logged_in` / `user_logged_out` / `user_login_failed` receivers record sign-ins with the
  client's address (`core.client.client_ip`, trusted proxies only).

Form fields are never stored (passwords, personal data); the query string is, as it names the
filters of a download. Reading the log is `Action.READ_AUDIT` (administrators only).
"""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from .client import client_ip
from .models import AuditAction, AuditEntry

logger = logging.getLogger(__name__)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Paths whose writes the auth signals record already (the sign-in and sign-out forms, the token).
SIGN_IN_PATHS = ("/accounts/login/", "/accounts/logout/", "/admin/login/", "/admin/logout/")


def record(action: str, *, request: HttpRequest | None = None, user=None, **fields) -> AuditEntry | None:
    """Append one entry; a failure to write the log is logged, never raised into the request."""
    user = user if user is not None else getattr(request, "user", None)
    person = user if getattr(user, "pk", None) else None
    username = fields.pop("username", "")
    try:
        return AuditEntry.objects.create(
            action=action,
            actor_id=person.pk if person else None,
            username=(person.get_username() if person else username)[:150],
            ip=client_ip(request) if request is not None else None,
            method=(getattr(request, "method", None) or "")[:8],
            path=(request.get_full_path() if request is not None and request.path else "")[:500],
            **fields,
        )
    except Exception:  # the log must never break the action it records
        logger.exception("audit entry %s could not be written", action)
        return None


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or match._func_path) if match else ""


class AuditMiddleware:
    """Records changes and downloads of signed-in users (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if request.method in WRITE_METHODS and not request.path.startswith(SIGN_IN_PATHS):
            if response.status_code < 400:
                action = AuditAction.WRITE
            elif response.status_code < 500:
                action = AuditAction.REFUSED
            else:
                return response
            record(action, request=request, view=_view_name(request)[:200], status=response.status_code)
        elif "attachment" in response.get("Content-Disposition", ""):
            record(
                AuditAction.DOWNLOAD,
                request=request,
                view=_view_name(request)[:200],
                status=response.status_code,
                detail={"file": response["Content-Disposition"].split("filename=")[-1].strip('"')[:200]},
            )
        return response


@receiver(user_logged_in, dispatch_uid="core-audit-login")
def _logged_in(sender, request, user, **kwargs) -> None:
    record(AuditAction.LOGIN, request=request, user=user, status=200)


@receiver(user_logged_out, dispatch_uid="core-audit-logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    record(AuditAction.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="core-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username", ""))[:150]
    record(AuditAction.LOGIN_FAILED, request=request, username=username)
