from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from .decorators import ActionRequiredMixin, action_required
from .forms import LoginForm
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
def healthz(request):
    """Liveness for the load balancer and compose health checks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
