"""DRF token authentication whose tokens expire (apps.accounts.tokens)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from . import tokens


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused with 401 once the token is older than API_TOKEN_TTL."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if tokens.is_expired(token):
            raise AuthenticationFailed(
                _("The API token has expired; obtain a new one from /api/v1/auth/token/.")
            )
        return user, token
