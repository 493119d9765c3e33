"""The one decorator of every server-rendered view: it declares the view's action and enforces it.

`@action_required(read, write=...)`: GET/HEAD/OPTIONS need `read`, any other method needs
`write` (default: `read`); a tuple of actions means "any one of them" (the service then checks
the one the request asks for, and the object's region). Anonymous users are sent to the login
page, users whose role never holds the action get 403. The declaration stays on the view
(`view.read_action`, `view.write_action`) so the permission-matrix test finds views that
declare nothing (`declared_actions()`).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .scoping import Action, scope_of

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

Actions = Action | tuple[Action, ...]


def as_tuple(actions: Actions) -> tuple[Action, ...]:
    return actions if isinstance(actions, tuple) else (actions,)


def holds_any(user, actions: Actions) -> bool:
    return any(scope_of(user, action) is not None for action in as_tuple(actions))


def action_for_method(view, method: str) -> Actions:
    """The declared action a request with `method` needs (view function or API view class)."""
    if method in SAFE_METHODS:
        return view.read_action
    return getattr(view, "write_action", None) or view.read_action


def action_required(read: Actions, *, write: Actions | None = None):
    """UI views: anonymous users go to the login page, users without the action get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            needed = read if request.method in SAFE_METHODS else (write or read)
            if holds_any(request.user, needed):
                return view(request, *args, **kwargs)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied

        wrapped.read_action = read
        wrapped.write_action = write or read
        return wrapped

    return decorator


def declared_actions(view) -> tuple[Action, ...] | None:
    """The actions a view (function, class-based view or API view) declares; None when it declares none."""
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if cls is not None and hasattr(cls, "declared_actions"):
        return cls.declared_actions() if getattr(cls, "read_action", None) is not None else None
    for holder in (view, cls):
        read = getattr(holder, "read_action", None) if holder is not None else None
        if read is not None:
            write = getattr(holder, "write_action", None) or read
            return tuple(dict.fromkeys(as_tuple(read) + as_tuple(write)))
    return None


class ActionRequiredMixin:
    """The same for class-based views: declare `read_action` (and `write_action`) on the class."""

    read_action: Actions
    write_action: Actions | None = None

    def dispatch(self, request, *args, **kwargs):
        guarded = action_required(self.read_action, write=self.write_action)(super().dispatch)
        return guarded(request, *args, **kwargs)
