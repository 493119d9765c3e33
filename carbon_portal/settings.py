"""One settings module, driven by environment variables (see README, "Configuration").

With no configuration the portal runs on SQLite with Celery tasks executed eagerly;
production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, ALLOWED_HOSTS and
fails loudly when a required production setting is missing.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "apps.core",
    "apps.regions",
    "apps.organizations",
    "apps.accounts",
    "apps.indicators",
    "apps.targets",
    "apps.plans",
    "apps.reports",
    "apps.completeness",
    "apps.monitoring",
    "apps.dashboards",
    "apps.accountability",
    "apps.oversight",
    "apps.disclosure",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.SessionIdleMiddleware",
    # the interface language: the user's stored choice or the switcher's cookie, never Accept-Language
    "apps.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "apps.core.audit.AuditMiddleware",
    # last: turns a login refused by django-axes (lockout) into the lockout page (SECURITY.md)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carbon_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.navigation",
            ],
            # colon, aside, listing, num: how text and numbers read (apps/core/display.py)
            "builtins": ["apps.core.templatetags.display"],
        },
    },
]

WSGI_APPLICATION = "carbon_portal.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login hardening (SECURITY.md "Login and tokens"). New passwords: at least
# PASSWORD_MIN_LENGTH characters, not like the user's name, not a common or all-digit password.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every sign-in (login form and /api/v1/auth/token/) before the password:
# after LOGIN_FAILURE_LIMIT failures for one username from one address, that pair is locked
# for LOGIN_COOLOFF_MINUTES (a success resets the count).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("LOGIN_LOCKOUT", default=True)
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "apps.core.client.client_ip"
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT reverse proxies in front the
# address the outermost of them saw (X-Forwarded-For counted from the right; never a header alone).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# API tokens expire API_TOKEN_TTL_HOURS after they were issued; obtaining one replaces the old.
API_TOKEN_TTL = timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=8))
# A signed-in session ends after SESSION_IDLE_MINUTES without a request (renewed at most once a
# minute by apps.accounts.middleware.SessionIdleMiddleware, so activity costs no write per request).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=60) * 60
SESSION_SAVE_EVERY_REQUEST = False

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Report and plan attachments: never served by URL, only through permission-checked views.
PRIVATE_FILES_ROOT = Path(env.str("PRIVATE_FILES_ROOT", default=str(BASE_DIR / "private_files")))

# E-mail: console in development, SMTP when EMAIL_URL is set.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Absolute links in e-mails (reminders) point here, e.g. https://carbon.example.gov.cn
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="carbon-portal@localhost")

# Security (production values pass `manage.py check --deploy`).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# An intranet host cannot join the browsers' HSTS preload list, so W021 is silenced.
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["security.W021"])

# Celery: without a broker, tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="cache+memory://")
else:
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Nothing lost when the broker or a worker fails (README, "Workers"):
# - No task result is stored: a run's outcome is its RecomputeRun row. Publishing a task then
#   never touches the result backend (with results on, `delay()` first subscribed to the
#   result store and, with Redis down, spent 19 s retrying before it raised into the request).
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND_ALWAYS_RETRY = False
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1, "timeout": 2}}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
# - Publishing from a request gives up within about a second when the broker is unreachable
#   (refused or silent): the caller logs the failure and the sweep below dispatches the run later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# - Time limits for the longest task, the national full recompute: 20–21 s on the bench machine
#   (bench/RESULTS.md, 3,351 regions); the limits allow a machine 25-30x slower or a database
#   under load before a run is stopped (soft: the run is marked failed; hard: the process is killed).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=10 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=12 * 60)
# - Redis gives an unacknowledged message (acks_late: a worker died holding it) to another worker
#   after the visibility timeout: longer than the hard time limit plus the longest retry backoff,
#   so a task still running is never handed out twice by Redis; the sweep is the fast path.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=30 * 60),
    # connecting to publish: one quick retry, at most 2 s per attempt (also a silent host)
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The sweep (apps/monitoring/tasks.py `sweep`, every minute and at worker start) dispatches
# again a run left queued whose dispatch failed (no task published after this many seconds)...
RECOMPUTE_REDISPATCH_AFTER = env.int("RECOMPUTE_REDISPATCH_AFTER", default=60)
# ...and a run left running by a dead worker: on PostgreSQL nobody holds the run's advisory lock
# (a worker's locks end with its connection) and it has shown no progress for this many seconds.
RECOMPUTE_STALE_AFTER = env.int("RECOMPUTE_STALE_AFTER", default=120)
CELERY_BEAT_SCHEDULE: dict = {
    "monitoring-sweep-runs": {
        "task": "apps.monitoring.tasks.sweep_runs",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "monitoring-nightly-recompute": {
        "task": "apps.monitoring.tasks.recompute_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # Annual-report reminder e-mails (apps/completeness/reminders.py); at most one per region-year a day.
    "completeness-send-reminders": {
        "task": "apps.completeness.tasks.send_report_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
    # Tips (举报) whose answer is due soon or overdue (apps/disclosure/tip_reminders.py); once a tip a day.
    "disclosure-send-tip-reminders": {
        "task": "apps.disclosure.tasks.send_tip_reminders",
        "schedule": crontab(hour=8, minute=50),
    },
    # Overdue rectification (整改) tasks (apps/accountability/reminders.py); at most one per task a day.
    "accountability-send-reminders": {
        "task": "apps.accountability.tasks.send_rectification_reminders",
        "schedule": crontab(hour=8, minute=40),
    },
    # Inquiries near or past their deadline (apps/oversight/inquiry_reminders.py); at most one a day each.
    "oversight-inquiry-reminders": {
        "task": "apps.oversight.tasks.send_inquiry_reminders",
        "schedule": crontab(hour=8, minute=45),
    },
}

# The cache of shared/DESIGN.md: Redis (CACHE_URL, else a Redis CELERY_BROKER_URL), shared by
# every process (login lockout counters, rate limits, page caches); local memory otherwise.
CACHE_URL = env.str("CACHE_URL", default="") or (
    env.str("CELERY_BROKER_URL", default="")
    if env.str("CELERY_BROKER_URL", default="").startswith("redis")
    else ""
)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "carbon",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Lockout counters live in the shared cache; without one, in the database (shared by every
# process too), never in one process's memory.
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler" if CACHE_URL else "axes.handlers.database.AxesDatabaseHandler"
)

# Tips (举报) from the public (apps/disclosure, SECURITY.md "Tips"). Rate limits are counted by
# django-ratelimit in the cache above (shared by every process when CACHE_URL is set), per client
# address (apps.core.client.client_ip: TRUSTED_PROXY_COUNT, like the login lockout) and per session.
RATELIMIT_USE_CACHE = "default"
TIP_RATE_PER_IP = env.str("TIP_RATE_PER_IP", default="10/h")
TIP_RATE_PER_SESSION = env.str("TIP_RATE_PER_SESSION", default="5/h")
TIP_LOOKUP_RATE_PER_IP = env.str("TIP_LOOKUP_RATE_PER_IP", default="60/m")
TIP_ATTACHMENTS_MAX = env.int("TIP_ATTACHMENTS_MAX", default=3)
TIP_ATTACHMENT_MAX_BYTES = env.int("TIP_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
# Working days to answer a tip (weekends skipped) and the public holidays to skip as well
# (ISO dates, e.g. the State Council's yearly notice; the portal ships no holiday calendar).
TIP_ANSWER_WORKING_DAYS = env.int("TIP_ANSWER_WORKING_DAYS", default=15)
TIP_HOLIDAYS = env.list("TIP_HOLIDAYS", default=[])

REST_FRAMEWORK = {
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "apps.core.filters.StrictFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.PortalAutoSchema",
    # the one error body of shared/DESIGN.md, also for Django errors raised by services
    "EXCEPTION_HANDLER": "apps.core.exceptions.api_exception_handler",
}

# Content-Security-Policy (django-csp; SECURITY.md "Headers"): scripts only from the portal's own
# static files, never inline; styles may be inline because Plotly and htmx inject <style>
# elements and set style attributes; nothing from another origin (no CDN, government intranet).
# The API docs pages get their own relaxed policy (apps.accounts.views / carbon_portal.urls).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Carbon Portal API",
    "DESCRIPTION": "Jiangxi carbon-peak and carbon-neutrality monitoring portal (API v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.exceptions.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DepartmentKindEnum": "apps.organizations.catalog.KIND_CHOICES",
        "ReportStatusEnum": "apps.reports.models.ReportStatus",
        "SectorPlanStatusEnum": "apps.plans.models.PlanStatus",
        "PlanMeasureStatusEnum": "apps.plans.models.MeasureStatus",
        "PlanHistoryActionEnum": "apps.plans.selectors.HISTORY_ACTIONS",
        "TipStatusEnum": "apps.disclosure.models.TipStatus",
        "TipCategoryEnum": "apps.disclosure.models.TipCategory",
        "InquiryKindEnum": "apps.oversight.models.InquiryKind",
        "InquiryStatusEnum": "apps.oversight.models.InquiryStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Demo users created by `seed_demo` share this password (documented in the README).
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="carbon-demo-2026")

APP_NAME = _("Carbon Portal")
