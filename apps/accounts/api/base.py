"""Base viewsets that apply scoping once, so no endpoint can forget it."""

from rest_framework import permissions, viewsets

from apps.accounts import scoping


class ScopedPermission(permissions.IsAuthenticated):
    """Signed in, and the role holds the viewset's read action somewhere."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return scoping.scope_of(request.user, view.read_action) is not None


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists and details only rows `scoping.restrict()` grants for `read_action`.

    Detail lookups go through the same restricted queryset, so an object outside the
    user's jurisdiction is a 404, never a leak.
    """

    read_action: scoping.Action = scoping.Action.READ_REFERENCE
    region_field: str = "region"
    permission_classes = [ScopedPermission]

    def get_queryset(self):
        return scoping.restrict(
            super().get_queryset(), self.request.user, self.read_action, region_field=self.region_field
        )
