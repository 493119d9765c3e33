from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .scoping import Action, scope_of


def action_required(action: Action):
    """UI views: anonymous users go to the login page, users without the action get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated and scope_of(request.user, action) is None:
                return redirect_to_login(request.get_full_path())
            if scope_of(request.user, action) is None:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
