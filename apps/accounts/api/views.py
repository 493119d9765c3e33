from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from apps.accounts import lockout, tokens
from apps.accounts.api.base import ScopedAPIView, ScopedMixin
from apps.accounts.scoping import Action
from apps.core.exceptions import ERROR_SCHEMA

from .serializers import MeSerializer, TokenSerializer


class MeView(ScopedAPIView):
    """The signed-in user, their role and jurisdiction."""

    read_action = Action.READ_REFERENCE  # every role holds it; anonymous: 401

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class TokenView(ScopedMixin, ObtainAuthToken):
    """Exchange a username and password for an API token (open to everyone: it is the sign-in).

    The token expires after API_TOKEN_TTL; a new one replaces the previous token. Repeated
    failures lock the username for this address out (django-axes): 429 with Retry-After.
    """

    read_action = write_action = Action.PUBLIC_PAGE

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: TokenSerializer,
            429: OpenApiResponse(ERROR_SCHEMA, description="Too many failed attempts: locked for a while."),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        # django-axes flags the DRF request it was given (not the Django request its middleware sees)
        if getattr(request, "axes_locked_out", False):
            return lockout.api_lockout_response()
        if not valid:
            raise serializers.ValidationError(serializer.errors)
        token = tokens.issue_token(serializer.validated_data["user"])
        return Response(TokenSerializer({"token": token.key, "expires_at": tokens.expires_at(token)}).data)
