"""The accounts' middleware: the idle limit of a session, and the user's interface language.

Signed-in sessions end after SESSION_COOKIE_AGE without activity (SECURITY.md).
Django renews a session's expiry when the session is saved. Saving on every request
(SESSION_SAVE_EVERY_REQUEST) would cost a database write per page; instead a timestamp in the
session is renewed when it is at least REFRESH_SECONDS old, which saves the session and so
moves its expiry. The idle limit is thus met to within a minute.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

LAST_SEEN = "_last_seen"
REFRESH_SECONDS = 60


class SessionIdleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and SESSION_KEY in session:
            now = int(time.time())
            if now - int(session.get(LAST_SEEN, 0)) >= REFRESH_SECONDS:
                session[LAST_SEEN] = now
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="accounts-session-last-seen")
def _stamp_session(sender, request, user, **kwargs) -> None:
    """A new session starts fresh (so the first pages after signing in write nothing)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_SEEN] = int(time.time())


class UserLanguageMiddleware:
    """The interface language: the user's own choice, never the browser's Accept-Language.

    After AuthenticationMiddleware (so after LocaleMiddleware, whose choice it replaces on pages):
    a signed-in user's stored choice (`User.language`, saved by the language switcher,
    views.set_language); else the switcher's cookie (anonymous visitors, or users who have not
    chosen yet); else Chinese (LANGUAGE_CODE). A stored choice is also written to the cookie, so
    it holds from the first page after signing in and on the pages after signing out. The API
    (API_PATH_PREFIX) is left to LocaleMiddleware: a program asks for a language with
    Accept-Language.
    """

    API_PATH_PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(self.API_PATH_PREFIX):
            return self.get_response(request)
        language = self.language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        stored = self.stored_choice(request)
        if stored and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != stored:
            set_language_cookie(response, stored)
        return response

    @staticmethod
    def stored_choice(request) -> str:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return ""
        return supported(getattr(user, "language", ""))

    def language_for(self, request) -> str:
        return (
            self.stored_choice(request)
            or supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""))
            or settings.LANGUAGE_CODE
        )


def supported(code: str) -> str:
    """The portal's language for `code` ("" for none or one the portal does not speak)."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return ""


def set_language_cookie(response, language: str) -> None:
    """The language cookie as Django's set_language view writes it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
