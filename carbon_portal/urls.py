from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from apps.accounts import views as account_views
from apps.core.exceptions import api_not_found

api_v1 = [
    path("", include("apps.regions.api.urls")),
    path("", include("apps.organizations.api.urls")),
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.indicators.api.urls")),
    path("", include("apps.targets.api.urls")),
    path("", include("apps.plans.api.urls")),
    # Before the reports routes, so "reports/<pk>/" cannot capture "reports/completeness/" and the like.
    path("", include("apps.completeness.api.urls")),
    path("", include("apps.reports.api.urls")),
    path("", include("apps.monitoring.api.urls")),
    path("", include("apps.dashboards.api.urls")),
    path("", include("apps.accountability.api.urls")),
    path("", include("apps.oversight.api.urls")),
    path("", include("apps.disclosure.api.urls")),
    # Last: a path under the API that none of the above takes (a year that is not a number) is a
    # 404 in the API's error body. Paths ending in "/", and file-like paths ("draft.pdf") that no
    # route takes: APPEND_SLASH would otherwise redirect those into this route.
    re_path(r"^(?:[\s\S]*/)?$", api_not_found, name="api-not-found"),
    re_path(r"^[\s\S]*\.[^/]*$", api_not_found, name="api-not-found-file"),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path("accounts/", include("apps.accounts.urls")),
    path("regions/", include("apps.regions.urls")),
    path("organizations/", include("apps.organizations.urls")),
    path("indicators/", include("apps.indicators.urls")),
    path("targets/", include("apps.targets.urls")),
    path("plans/", include("apps.plans.urls")),
    # Completeness pages keep their /reports/... paths; listed first, like the report routes' own order.
    path("reports/", include("apps.completeness.urls")),
    path("reports/", include("apps.reports.urls")),
    path("monitoring/", include("apps.monitoring.urls")),
    path("dashboards/", include("apps.dashboards.urls")),
    path("accountability/", include("apps.accountability.urls")),
    path("oversight/", include("apps.oversight.urls")),
    path("disclosure/", include("apps.disclosure.urls")),
    # the language switcher (before Django's own i18n URLs): remembers a signed-in user's choice
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's split view loads its set-up script as a file (no inline script: CSP); ReDoc's
    # page has one inline start-up script, so it alone may run inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "api/redoc/",
        csp_update({"script-src": ["'unsafe-inline'"]})(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
