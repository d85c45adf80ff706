"""Settings for the test suite. DATABASE_URL / REDIS_URL switch to PostgreSQL / Redis in CI."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "classmeet-test-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Unit tests use in-process layers and caches; tests about Redis build their own on REDIS_URL.
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env("TEST_MEDIA_ROOT", default=str(BASE_DIR / "var" / "test-media")))
AXES_ENABLED = True
CLASSMEET_TEACHER_SIGNUP = "open"
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]  # noqa: F405
# Browser tests run a live server in this process: serve static files straight from the apps.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# On PostgreSQL the suite runs with production's connection pool (base.py), so the live servers
# and channels' database threads use it as production does. Django closes the pool before it
# drops the test database; a connection a test keeps on a thread of its own must go back first.
# A file database (not :memory:) so the live server's threads share it with the test; one per
# test process, so that two runs side by side never share a file.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")
    }
# classmeet.core.ratelimit: the suite signs in and up far more often than a person; tests of the
# limits themselves set small rates with the `settings` fixture.
CLASSMEET_RATELIMITS = {
    "signup": "100000/minute",
    "signin": "100000/minute",
    "password-reset": "100000/minute",
}
