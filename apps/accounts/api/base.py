"""The one base of every API view: it declares the view's actions and applies scoping once.

Every viewset derives from `ScopedViewSet` (or `ScopedReadOnlyViewSet`), every plain API view
from `ScopedAPIView`, and declares as class attributes:

- `read_action`: what GET/HEAD/OPTIONS need (the role must hold it somewhere, else 403;
  anonymous: 401/403);
- `write_action`: what any other method needs (default: none, i.e. the view only reads; an
  unsafe method is then refused like a read the role lacks);
- `action_actions`: optional `{viewset action name: action or tuple of actions}` for extra
  actions that need something else than the default (a tuple: any one of them; the service
  then checks the one asked for).

Rows come from `scoped_queryset(user)`: by default the class's `queryset` narrowed by
`scoping.restrict()` for `read_action` on `region_field`. Detail lookups go through the same
queryset, so an object outside the user's jurisdiction is a 404, never a leak. Writes go
through services, which check the object's region again; their PermissionDenied (403) and
ValidationError (400 naming the field) become the one error body in `apps.core.exceptions`.
"""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import permissions, viewsets
from rest_framework.views import APIView

from apps.accounts import scoping
from apps.accounts.decorators import Actions, as_tuple, holds_any


class ScopedPermission(permissions.BasePermission):
    """The request's declared action is held somewhere (public actions: by anyone, signed in or not).

    A write to one object (a detail route) first needs the read action, so that an object the
    user may not read is a 404 whatever the method; once the object is found, the write action
    is checked (403). Other writes need the write action before anything is parsed.
    """

    def has_permission(self, request, view) -> bool:
        if request.method not in permissions.SAFE_METHODS and _is_detail(view):
            return holds_any(request.user, view.read_action)
        return holds_any(request.user, required_action(view, request))

    def has_object_permission(self, request, view, obj) -> bool:
        return holds_any(request.user, required_action(view, request))


def _is_detail(view) -> bool:
    kwargs = getattr(view, "kwargs", None) or {}
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
    return lookup is not None and lookup in kwargs


def required_action(view, request) -> Actions:
    per_action = getattr(view, "action_actions", None) or {}
    name = getattr(view, "action", None)
    if name in per_action:
        return per_action[name]
    if request.method in permissions.SAFE_METHODS:
        return view.read_action
    return view.write_action or view.read_action


class ScopedMixin:
    """Declarations and the scoped queryset shared by `ScopedViewSet` and `ScopedAPIView`."""

    read_action: Actions  # required: a subclass that declares nothing fails the matrix test
    write_action: Actions | None = None
    action_actions: dict[str, Actions] = {}
    region_field: str = "region"
    permission_classes = [ScopedPermission]

    @classmethod
    def declared_actions(cls) -> tuple[scoping.Action, ...]:
        actions = as_tuple(cls.read_action) + as_tuple(cls.write_action or cls.read_action)
        for extra in cls.action_actions.values():
            actions += as_tuple(extra)
        return tuple(dict.fromkeys(actions))

    def scoped_queryset(self, user) -> QuerySet:
        """The rows `user` may read; override for rows not bound to a region by `region_field`."""
        return scoping.restrict(self.queryset.all(), user, self.read_action, region_field=self.region_field)

    def get_queryset(self):
        return self.scoped_queryset(self.request.user)


class ScopedViewSet(ScopedMixin, viewsets.GenericViewSet):
    """A viewset whose every row and action is scoped; add the mixins of the operations it offers."""


class ScopedReadOnlyViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail of the rows `scoping.restrict()` grants for `read_action`."""


class ScopedAPIView(ScopedMixin, APIView):
    """A plain API view (no model rows of its own) with declared actions."""
