"""Signed-in sessions end after SESSION_COOKIE_AGE without activity (SECURITY.md).

Django renews a session's expiry when the session is saved. Saving on every request
(SESSION_SAVE_EVERY_REQUEST) would cost a database write per page; instead a timestamp in the
session is renewed when it is at least REFRESH_SECONDS old, which saves the session and so
moves its expiry. The idle limit is thus met to within a minute.
"""

from __future__ import annotations

import time

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

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
