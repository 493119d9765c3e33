"""The client's network address, for login lockout, rate limits and audit (shared/DESIGN.md "Cache").

Behind TRUSTED_PROXY_COUNT reverse proxies, each appends the address it received the request
from to X-Forwarded-For, so the client is the entry that many places from the right; whatever
stands further left was written by the client and is never believed. Without proxies the
header is ignored altogether (REMOTE_ADDR). The portal must then be reachable only through
those proxies, or a client could write the header itself.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest, proxies: int | None = None) -> str | None:
    """The address the outermost trusted proxy saw (REMOTE_ADDR when no proxy is trusted)."""
    count = settings.TRUSTED_PROXY_COUNT if proxies is None else proxies
    remote = request.META.get("REMOTE_ADDR") or None
    if count <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(forwarded) < count:  # the request did not pass through every trusted proxy
        return remote
    return forwarded[-count]
