"""Abuse protection of the public tip channel, without any third-party service (the intranet has
no internet, so no reCAPTCHA): rate limits per client address and per session, counted by
django-ratelimit in the shared cache (settings CACHES: Redis when configured, so every process and
worker counts together), and a cap on the request size before anything is parsed.

The client address is `apps.core.client.client_ip` — REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT
proxies the address the outermost trusted proxy saw — exactly as the login lockout (django-axes)
reads it; a forged X-Forwarded-For counts against the real address. Only hashed counters live in
the cache for the rate's window; no address is stored with a tip.
"""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.core import _split_rate, is_ratelimited

from apps.core.client import client_ip

FILE_GROUP = "disclosure.tip-file"
LOOKUP_GROUP = "disclosure.tip-lookup"
FORM_OVERHEAD_BYTES = 256 * 1024  # the text fields and the multipart framing


def ip_key(group, request) -> str:
    return f"ip:{client_ip(request) or 'unknown'}"


def session_key(group, request) -> str:
    return f"session:{request.session.session_key}"


def _has_session(request) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.session_key)


def filing_limited(request) -> bool:
    """Count one filing attempt of this client; True when over a limit (answer 429): the address's
    and, for a visitor of the form (whose first filing started a session), the session's."""
    over_ip = is_ratelimited(
        request, group=FILE_GROUP, key=ip_key, rate=settings.TIP_RATE_PER_IP, increment=True
    )
    over_session = _has_session(request) and is_ratelimited(
        request,
        group=FILE_GROUP + "-session",
        key=session_key,
        rate=settings.TIP_RATE_PER_SESSION,
        increment=True,
    )
    return over_ip or over_session


def lookup_limited(request) -> bool:
    """Count one tracking-number lookup of this address; True when over the limit (answer 429)."""
    return is_ratelimited(
        request, group=LOOKUP_GROUP, key=ip_key, rate=settings.TIP_LOOKUP_RATE_PER_IP, increment=True
    )


def retry_after(rate: str) -> int:
    """Seconds to the end of a rate's window at most (the `Retry-After` of a 429)."""
    return _split_rate(rate)[1]


def max_request_bytes() -> int:
    return settings.TIP_ATTACHMENTS_MAX * settings.TIP_ATTACHMENT_MAX_BYTES + FORM_OVERHEAD_BYTES


def too_large(request) -> bool:
    """A body larger than every allowed attachment together: refused (413) before it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > max_request_bytes()
