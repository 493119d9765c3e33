"""What a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE; SECURITY.md).

The login page shows the form again with one clear, translated message and answers 429; the
API answers 429 with the one error body (`{"detail": ...}`) and a Retry-After header.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .forms import LoginForm

STATUS = 429


def cooloff_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    return _(
        "Too many failed sign-in attempts for this account from your address. Signing in is "
        "blocked for %(minutes)d minutes; try again later, or ask an administrator to unlock "
        "the account."
    ) % {"minutes": cooloff_minutes()}


def retry_after() -> str:
    return str(int(settings.AXES_COOLOFF_TIME.total_seconds()))


def api_lockout_response() -> JsonResponse:
    response = JsonResponse({"detail": lockout_message()}, status=STATUS)
    response["Retry-After"] = retry_after()
    return response


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_lockout_response()
    username = request.POST.get("username", "")[:150]
    form = LoginForm(request, initial={"username": username})  # unbound: checking it again would count
    response = render(
        request,
        "registration/login.html",
        {"form": form, "next": request.POST.get("next", ""), "lockout_message": lockout_message()},
        status=STATUS,
    )
    response["Retry-After"] = retry_after()
    return response
