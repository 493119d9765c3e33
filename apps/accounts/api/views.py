from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from apps.accounts.api.base import ScopedAPIView, ScopedMixin
from apps.accounts.scoping import Action

from .serializers import MeSerializer


class MeView(ScopedAPIView):
    """The signed-in user, their role and jurisdiction."""

    read_action = Action.READ_REFERENCE  # every role holds it; anonymous: 401

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class TokenView(ScopedMixin, ObtainAuthToken):
    """Exchange a username and password for an API token (open to everyone: it is the sign-in)."""

    read_action = write_action = Action.PUBLIC_PAGE
