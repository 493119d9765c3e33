from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import i18n

from apps.core.exports import labelled_filter_texts, table_response
from apps.core.models import AuditAction
from apps.core.views import paginate

from . import audit_selectors
from .decorators import ActionRequiredMixin, action_required
from .forms import LoginForm
from .middleware import supported
from .scoping import Action


class LoginView(ActionRequiredMixin, auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    read_action = Action.PUBLIC_PAGE


class LogoutView(ActionRequiredMixin, auth_views.LogoutView):
    read_action = Action.PUBLIC_PAGE


@action_required(Action.PUBLIC_PAGE)
def home(request):
    return render(request, "home.html")


@action_required(Action.PUBLIC_PAGE)
def set_language(request):
    """The language switcher: Django's set_language (the cookie), and a signed-in user's choice
    is stored on the user, so it follows them to every browser (middleware.UserLanguageMiddleware)."""
    response = i18n.set_language(request)
    language = supported(request.POST.get("language", "")) if request.method == "POST" else ""
    user = request.user
    if language and user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


@action_required(Action.PUBLIC_PAGE)
def healthz(request):
    """Liveness for the load balancer and compose health checks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


AUDIT_COLUMNS = (
    ("at", _("Time")),
    ("username", _("User")),
    ("action", _("Action")),
    ("method", _("Method")),
    ("path", _("Address in the portal")),
    ("view", _("Function")),
    ("status", _("Answer")),
    ("ip", _("Client address")),
)


def _audit_filter_texts(filters: dict[str, str]) -> list[str]:
    labels = {
        "action": _("Action"),
        "user": _("User"),
        "path": _("Address in the portal"),
        "from": _("From"),
        "to": _("To"),
    }
    return labelled_filter_texts(filters, labels, {"action": dict(AuditAction.choices)})


@action_required(Action.READ_AUDIT)
def audit_log(request):
    """The audit log for administrators: filter by action, user, address and dates; export."""
    entries, filters, errors = audit_selectors.filtered(request.GET)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        rows = (
            (
                timezone.localtime(e.at).replace(tzinfo=None, microsecond=0)
                if fmt == "xlsx"
                else timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.username,
                e.get_action_display(),
                e.method,
                e.path,
                e.view,
                e.status,
                e.ip,
            )
            for e in entries.iterator()
        )
        return table_response(
            "audit-log",
            [str(label) for _c, label in AUDIT_COLUMNS],
            rows,
            fmt,
            sheet_title=_("Audit log"),
            filters=_audit_filter_texts(filters),
        )
    return render(
        request,
        "accounts/audit_log.html",
        {
            "page": paginate(request, entries, 50),
            "filters": filters,
            "errors": errors,
            "actions": AuditAction.choices,
            "columns": AUDIT_COLUMNS,
        },
    )
