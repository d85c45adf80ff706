"""Settings shared by every environment: Django itself, apps, middleware, templates, database,
auth, i18n, static and uploaded files, cache, e-mail, security, logging.

Each other concern has a module of its own, imported at the end: channels (channel layer, live
room), celery (broker, the beat schedule), sfu (Janus), recordings, api (REST framework).
Values come from the environment (django-environ, config/settings/environment.py).
"""

import django_stubs_ext

# BASE_DIR, MEDIA_ROOT and REDIS_URL are settings too (recordings and the layers derive from them);
# `X as X` re-exports them for mypy as `from .base import *` does at run time.
from .environment import BASE_DIR as BASE_DIR
from .environment import MEDIA_ROOT as MEDIA_ROOT
from .environment import REDIS_URL as REDIS_URL
from .environment import env as env

# Generic Django classes take type parameters at run time too (`admin.ModelAdmin[Course]`).
django_stubs_ext.monkeypatch()

SECRET_KEY = env("SECRET_KEY", default="django-insecure-classmeet-dev-only-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form gets the site's own 403 page (in the user's language, with the navbar).
CSRF_FAILURE_VIEW = "classmeet.core.views.csrf_failure"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "classmeet.core",
    "classmeet.accounts",
    "classmeet.courses",
    "classmeet.notifications",
    "classmeet.discussions",
    "classmeet.meetings",
    "classmeet.coursework",
    "classmeet.rooms",
    "classmeet.recordings",
    "classmeet.api",
    "classmeet.dashboard",
    "classmeet.demo",
]

MIDDLEWARE = [
    "classmeet.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "classmeet.core.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "classmeet.core.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "classmeet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "classmeet.core.context_processors.site",
                "classmeet.notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    # Connections come from psycopg's pool (one per process), not CONN_MAX_AGE: under ASGI each
    # request's sync code runs on a thread that ends with the request, so a persistent connection
    # is never reused and leaks until garbage collection (Django ticket 33497). The pool hands
    # a connection to a thread for one request or one database_sync_to_async call and takes it
    # back after; sizing in docs/deploy.md "PostgreSQL connections".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # With the pool: a checked connection at each checkout (one empty query), so connections
    # broken by a PostgreSQL restart are dropped instead of failing the request that gets them.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("DATABASE_POOL", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "name": "classmeet",
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            # Waiting longer than this for a connection (all in use, or PostgreSQL down) raises
            # PoolTimeout, an OperationalError: the friendly 503, not a 500.
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
            # A failed reconnection is retried with a growing delay until this, then left to the
            # next request: small, so pages come back within seconds of PostgreSQL's return.
            "reconnect_timeout": env.float("DATABASE_POOL_RECONNECT_TIMEOUT", default=5.0),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend with the session's user read by a written-out statement.
    "classmeet.accounts.backends.UserBackend",
    # Only so that sessions signed in before UserBackend (they name this path) stay signed in;
    # new sign-ins record UserBackend. Can go once those sessions have expired (SESSION_COOKIE_AGE).
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "dashboard:dashboard"
LOGOUT_REDIRECT_URL = "accounts:signin"

LANGUAGE_CODE = "en"
# The languages with a complete catalog under locale/ (docs/translating.md says how to add one).
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ar", "العربية"),
]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language picked on the sign-in page (django.views.i18n.set_language) is kept in this cookie
# for a year; a signed-in user's profile language wins over it (core.middleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # whitenoise's CompressedManifestStaticFilesStorage, each file's URL worked out once.
    "staticfiles": {"BACKEND": "classmeet.core.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/private-media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Cache: Redis when REDIS_URL is set, otherwise in-process.
if REDIS_URL:
    CACHES = {
        "default": {
            # One Redis connection pool per process, not per request or socket: see the module.
            "BACKEND": "classmeet.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="classmeet"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# E-mail: console by default, SMTP when EMAIL_URL is set (smtp://user:pass@host:587/?tls=True).
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Classmeet <noreply@classmeet.local>")
# Sign-in brute-force protection (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# The client address, for axes as for every rate limit: REMOTE_ADDR unless it is a trusted proxy.
AXES_CLIENT_IP_CALLABLE = "classmeet.core.ratelimit.axes_client_ip"
# Proxies whose X-Forwarded-For / X-Real-IP are believed (addresses or networks). None by
# default; production trusts loopback, where deploy/nginx runs (docs/deploy.md).
CLASSMEET_TRUSTED_PROXIES = env.list("CLASSMEET_TRUSTED_PROXIES", default=[])

# Content-Security-Policy (django-csp 4): no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:", "mediastream:"],
        "connect-src": ["'self'", "ws:", "wss:"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Classmeet's own settings.
CLASSMEET_TEACHER_SIGNUP = env("CLASSMEET_TEACHER_SIGNUP", default="open")  # open | invite | closed
CLASSMEET_MATERIAL_MAX_BYTES = env.int("CLASSMEET_MATERIAL_MAX_BYTES", default=50 * 1024 * 1024)
CLASSMEET_THUMBNAIL_MAX_BYTES = env.int("CLASSMEET_THUMBNAIL_MAX_BYTES", default=5 * 1024 * 1024)
CLASSMEET_THUMBNAIL_MAX_PIXELS = env.int("CLASSMEET_THUMBNAIL_MAX_PIXELS", default=25_000_000)
CLASSMEET_JOIN_WINDOW_MINUTES = env.int("CLASSMEET_JOIN_WINDOW_MINUTES", default=10)
# "Start a class now" makes a meeting this long (5-480; shorter if another one follows).
CLASSMEET_INSTANT_MEETING_MINUTES = env.int("CLASSMEET_INSTANT_MEETING_MINUTES", default=60)
# Quizzes: an answer later than an attempt's deadline plus this many seconds is refused (the
# network and a slow submit get this much; the page's timer is not the rule).
CLASSMEET_QUIZ_GRACE_SECONDS = env.int("CLASSMEET_QUIZ_GRACE_SECONDS", default=10)
# Reminders go this many minutes before the start (0 = "starting now"); fractions are allowed.
CLASSMEET_REMINDER_MINUTES = env.list("CLASSMEET_REMINDER_MINUTES", cast=float, default=[15, 0])
# A "starting now" reminder later than this after the start is no longer sent.
CLASSMEET_REMINDER_GRACE_MINUTES = env.float("CLASSMEET_REMINDER_GRACE_MINUTES", default=10)
# Links in e-mails (notifications).
CLASSMEET_SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
    )

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "classmeet.core.logging.RequestContextFilter"}},
    "formatters": {"json": {"()": "classmeet.core.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
    },
}

from .api import *  # noqa: E402, F403
from .celery import *  # noqa: E402, F403
from .channels import *  # noqa: E402, F403
from .recordings import *  # noqa: E402, F403
from .sfu import *  # noqa: E402, F403
