"""Settings shared by every environment. Values come from the environment (django-environ)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="django-insecure-classmeet-dev-only-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "classmeet.rooms",
    "classmeet.recordings",
    "classmeet.api",
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
    "classmeet.core.middleware.UserTimezoneMiddleware",
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
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:signin"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files are private: they live outside any public URL and are served by permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/private-media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Cache and channel layer: Redis when REDIS_URL is set, otherwise in-process.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # One Redis connection pool per process, not per request or socket: see the module.
            "BACKEND": "classmeet.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="classmeet"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis with a batched inbox per process and local delivery: see the module.
            "BACKEND": "classmeet.rooms.layer.RoomChannelLayer",
            "CONFIG": {
                # redis-py 8 defaults socket_timeout to 5 s, which makes the layer's blocking
                # receive time out and closes idle sockets with 1011 (redis-py #4091,
                # channels_redis #422): keep the socket blocking.
                # redis-py's pool holds 100 connections and raises MaxConnectionsError past
                # them, which kills the socket's consumer: 250 busy sockets on one worker got
                # there (tests/faults/test_soak.py). Connections are only opened on demand.
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 1000}],
                "prefix": env("CHANNEL_LAYER_PREFIX", default="asgi"),
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # channels' in-memory layer, cleaning expired messages once a second instead of per receive.
    CHANNEL_LAYERS = {"default": {"BACKEND": "classmeet.rooms.layer.InProcessChannelLayer"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# E-mail: console by default, SMTP when EMAIL_URL is set (smtp://user:pass@host:587/?tls=True).
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Classmeet <noreply@classmeet.local>")

# Celery: Redis broker when REDIS_URL is set, otherwise kombu's filesystem transport (no server).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
_celery_fs = BASE_DIR / "var" / "celery"
# Redis: a message a worker took but never acknowledged (the worker was killed) goes back to the
# queue once it is CELERY_BROKER_VISIBILITY_TIMEOUT seconds old; workers look for such messages
# every CELERY_BROKER_RESTORE_SECONDS.
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "visibility_timeout": env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600),
        "unacked_restore_interval": env.int("CELERY_BROKER_RESTORE_SECONDS", default=60),
        "unacked_restore_throttle": 1,
    }
    if CELERY_BROKER_URL != "filesystem://"
    else {
        "data_folder_in": str(_celery_fs / "queue"),
        "data_folder_out": str(_celery_fs / "queue"),
        "processed_folder": str(_celery_fs / "processed"),
        "control_folder": str(_celery_fs / "control"),
        "store_processed": False,
    }
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Meetings: reminders. Beat queues one scan every CLASSMEET_REMINDER_SCAN_SECONDS; the scan sends
# each due reminder exactly once (see docs/meetings.md). DatabaseScheduler imports this schedule.
CLASSMEET_REMINDER_SCAN_SECONDS = env.int("CLASSMEET_REMINDER_SCAN_SECONDS", default=60)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "meetings-send-due-reminders": {
        "task": "classmeet.meetings.tasks.meeting_reminders_send",
        "schedule": float(CLASSMEET_REMINDER_SCAN_SECONDS),
        # A scan that waited longer than its interval is superseded by the next one
        # (expire_seconds is DatabaseScheduler's name for the `expires` option).
        "options": {"expire_seconds": max(CLASSMEET_REMINDER_SCAN_SECONDS - 1, 1)},
    },
}

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

# REST API (classmeet.api): session auth (CSRF-checked) for the browser, personal tokens for
# scripts; one error body everywhere; per-user and per-anonymous-IP rate limits.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "classmeet.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "classmeet.api.schema.ApiAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "classmeet.api.pagination.ApiPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "classmeet.api.throttles.UserThrottle",
        "classmeet.api.throttles.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="1000/hour"),
        "anon": env("API_THROTTLE_ANON", default="60/hour"),
    },
    "EXCEPTION_HANDLER": "classmeet.api.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Classmeet API",
    "DESCRIPTION": (
        "Courses, enrollment, materials, discussions, notifications and live meetings. "
        "Authenticate with a personal token (`Authorization: Bearer cm_...`, created at "
        "/api/tokens/) or, from the browser, with the session cookie and the CSRF header. "
        'Every error has the body `{"detail": ..., "code": ...}` (plus `errors` on 400).'
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # classmeet.api.urls.IdConverter: ids of 1 to 18 digits.
    "PATH_CONVERTER_OVERRIDES": {"dbid": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Classmeet's own settings.
CLASSMEET_TEACHER_SIGNUP = env("CLASSMEET_TEACHER_SIGNUP", default="open")  # open | invite | closed
CLASSMEET_MATERIAL_MAX_BYTES = env.int("CLASSMEET_MATERIAL_MAX_BYTES", default=50 * 1024 * 1024)
CLASSMEET_THUMBNAIL_MAX_BYTES = env.int("CLASSMEET_THUMBNAIL_MAX_BYTES", default=5 * 1024 * 1024)
CLASSMEET_THUMBNAIL_MAX_PIXELS = env.int("CLASSMEET_THUMBNAIL_MAX_PIXELS", default=25_000_000)
CLASSMEET_JOIN_WINDOW_MINUTES = env.int("CLASSMEET_JOIN_WINDOW_MINUTES", default=10)
# "Start a class now" makes a meeting this long (5-480; shorter if another one follows).
CLASSMEET_INSTANT_MEETING_MINUTES = env.int("CLASSMEET_INSTANT_MEETING_MINUTES", default=60)
# Reminders go this many minutes before the start (0 = "starting now"); fractions are allowed.
CLASSMEET_REMINDER_MINUTES = env.list("CLASSMEET_REMINDER_MINUTES", cast=float, default=[15, 0])
# A "starting now" reminder later than this after the start is no longer sent.
CLASSMEET_REMINDER_GRACE_MINUTES = env.float("CLASSMEET_REMINDER_GRACE_MINUTES", default=10)
# ICE servers handed to browsers. Empty by default: nothing leaves the machine.
CLASSMEET_STUN_URLS = env.list("STUN_URLS", default=[])
CLASSMEET_TURN_URLS = env.list("TURN_URLS", default=[])
CLASSMEET_TURN_SECRET = env("TURN_SECRET", default="")
CLASSMEET_TURN_TTL_SECONDS = env.int("TURN_TTL_SECONDS", default=6 * 3600)
CLASSMEET_ICE_RELAY_ONLY = env.bool("ICE_RELAY_ONLY", default=False)
CLASSMEET_WS_MAX_FRAME_BYTES = env.int("CLASSMEET_WS_MAX_FRAME_BYTES", default=64 * 1024)

# Live room, part 2 (rooms app): chat limits and how much history a (re)joiner gets.
CLASSMEET_CHAT_RATE_COUNT = env.int("CLASSMEET_CHAT_RATE_COUNT", default=5)
CLASSMEET_CHAT_RATE_SECONDS = env.int("CLASSMEET_CHAT_RATE_SECONDS", default=10)
CLASSMEET_CHAT_HISTORY = env.int("CLASSMEET_CHAT_HISTORY", default=200)

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


# Notifications (notifications app): links in e-mails, and the daily digest sent by Celery beat.
from celery.schedules import crontab  # noqa: E402

CLASSMEET_SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CLASSMEET_DIGEST_HOUR_UTC = env.int("CLASSMEET_DIGEST_HOUR_UTC", default=7)
CELERY_BEAT_SCHEDULE["notifications-daily-digest"] = {
    "task": "classmeet.notifications.tasks.notifications_email_digest",
    "schedule": crontab(hour=CLASSMEET_DIGEST_HOUR_UTC, minute=0),
}

# SFU topology (classmeet/rooms/sfu, docs/deploy.md "Janus SFU") -----------------------------
# CLASSMEET_SFU_URL unset: every room stays a peer-to-peer mesh. Set: a room moves to the
# meeting's Janus VideoRoom when CLASSMEET_SFU_THRESHOLD participants are present.
CLASSMEET_SFU_URL = env("CLASSMEET_SFU_URL", default="")  # e.g. http://127.0.0.1:8088/janus
CLASSMEET_SFU_API_SECRET = env("CLASSMEET_SFU_API_SECRET", default="")  # janus.jcfg api_secret
CLASSMEET_SFU_ADMIN_KEY = env("CLASSMEET_SFU_ADMIN_KEY", default="")  # videoroom admin_key
CLASSMEET_SFU_THRESHOLD = env.int("CLASSMEET_SFU_THRESHOLD", default=5)
CLASSMEET_SFU_MAX_STUDENT_VIDEOS = env.int("CLASSMEET_SFU_MAX_STUDENT_VIDEOS", default=9)
CLASSMEET_SFU_TEACHER_BITRATE = env.int("CLASSMEET_SFU_TEACHER_BITRATE", default=1_500_000)
CLASSMEET_SFU_STUDENT_BITRATE = env.int("CLASSMEET_SFU_STUDENT_BITRATE", default=300_000)
CLASSMEET_SFU_TIMEOUT_SECONDS = env.float("CLASSMEET_SFU_TIMEOUT_SECONDS", default=10)
# Participants' Janus credentials: signed with janus.jcfg token_auth_secret, expiring, renewed.
CLASSMEET_SFU_TOKEN_SECRET = env("CLASSMEET_SFU_TOKEN_SECRET", default="")
CLASSMEET_SFU_TOKEN_SECONDS = env.int("CLASSMEET_SFU_TOKEN_SECONDS", default=600)
# Janus lost mid-meeting: rooms with at most this many participants go back to the mesh.
CLASSMEET_SFU_FALLBACK_MESH_MAX = env.int("CLASSMEET_SFU_FALLBACK_MESH_MAX", default=8)
# Leftover Janus rooms of meetings that are over are destroyed by this periodic sweep.
CLASSMEET_SFU_SWEEP_SECONDS = env.int("CLASSMEET_SFU_SWEEP_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["rooms-sfu-sweep"] = {
    "task": "classmeet.rooms.tasks.sfu_rooms_sweep",
    "schedule": float(CLASSMEET_SFU_SWEEP_SECONDS),
    "options": {"expire_seconds": max(CLASSMEET_SFU_SWEEP_SECONDS - 1, 1)},
}

# Lecture recordings (recordings app): recorded by Janus in SFU mode (CLASSMEET_SFU_URL set), in
# the teacher's browser otherwise (uploaded in chunks); processed by Celery with ffmpeg. Files live outside any public URL (permission-checked views).
CLASSMEET_RECORDINGS_ROOT = Path(
    env("CLASSMEET_RECORDINGS_ROOT", default=str(MEDIA_ROOT / "recordings"))
)
# Total bytes every recording (finished files and uploads in progress) may use; 0 = no limit.
CLASSMEET_RECORDINGS_QUOTA_BYTES = env.int(
    "CLASSMEET_RECORDINGS_QUOTA_BYTES", default=50 * 1024 * 1024 * 1024
)
CLASSMEET_RECORDINGS_CHUNK_MAX_BYTES = env.int(
    "CLASSMEET_RECORDINGS_CHUNK_MAX_BYTES", default=4 * 1024 * 1024
)
# Recordings are deleted this many days after they were made; 0 = keep forever.
CLASSMEET_RECORDINGS_RETENTION_DAYS = env.int("CLASSMEET_RECORDINGS_RETENTION_DAYS", default=180)
# A recording that received no chunk for this long (the teacher's browser died) is stopped and
# processed; a job stuck in "processing" this long (its worker was killed) is queued again.
CLASSMEET_RECORDINGS_STALE_SECONDS = env.int("CLASSMEET_RECORDINGS_STALE_SECONDS", default=600)
CLASSMEET_RECORDINGS_FFMPEG = env("CLASSMEET_RECORDINGS_FFMPEG", default="ffmpeg")
CLASSMEET_RECORDINGS_FFPROBE = env("CLASSMEET_RECORDINGS_FFPROBE", default="ffprobe")
CLASSMEET_RECORDINGS_JANUS_PP_REC = env("CLASSMEET_RECORDINGS_JANUS_PP_REC", default="janus-pp-rec")
# Janus recordings are composed into one video of this size (WIDTHxHEIGHT), VP8 at this bitrate.
CLASSMEET_RECORDINGS_VIDEO_SIZE = env("CLASSMEET_RECORDINGS_VIDEO_SIZE", default="1280x720")
CLASSMEET_RECORDINGS_VIDEO_BITRATE = env("CLASSMEET_RECORDINGS_VIDEO_BITRATE", default="1M")
# Processing refuses to start, and stops, when the disk holding the recordings would have less
# free space than this.
CLASSMEET_RECORDINGS_MIN_FREE_BYTES = env.int(
    "CLASSMEET_RECORDINGS_MIN_FREE_BYTES", default=1024 * 1024 * 1024
)
# A processing job proves it is alive this often; a job silent for 3 times as long (its worker
# was killed) may be taken over by a redelivered or requeued message.
CLASSMEET_RECORDINGS_HEARTBEAT_SECONDS = env.float(
    "CLASSMEET_RECORDINGS_HEARTBEAT_SECONDS", default=10.0
)
CELERY_BEAT_SCHEDULE["recordings-housekeeping"] = {
    "task": "classmeet.recordings.tasks.recordings_housekeeping",
    "schedule": 300.0,
}
