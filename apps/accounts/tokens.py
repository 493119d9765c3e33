"""API tokens that expire and rotate (SECURITY.md "Login and tokens").

A token is valid for settings.API_TOKEN_TTL after it was issued (`Token.created`); obtaining a
new one at /api/v1/auth/token/ replaces the user's previous token, so a leaked old token stops
working as soon as its owner signs in again, and at the latest when it expires.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import User


def expires_at(token: Token) -> datetime:
    return token.created + settings.API_TOKEN_TTL


def is_expired(token: Token, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= expires_at(token)


def issue_token(user: User) -> Token:
    """A new token for `user`, replacing any earlier one (concurrent requests serialised per user)."""
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)
