"""Settings for the test suite. DATABASE_URL / REDIS_URL switch to PostgreSQL / Redis in CI."""

import os
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from .base import *  # noqa: F403
from .base import BASE_DIR, REDIS_URL, env

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
# `make test` runs three pytest-xdist workers (tests/xdist_split.py); pytest-django gives each its
# own test database. Each also gets its own media folder and Redis database (the next number):
# the suite's Redis tests, and the servers and workers they start, read REDIS_URL from the env.
# Databases 6 and 13 are the brokers of the Celery tests (tests/celery_workers.py,
# tests/e2e/test_recordings_sfu.py), flushed by them: never a worker's.
BROKER_DATABASES = {6, 13}


def redis_url_for_worker(url: str, worker: int) -> str:
    parsed = urlparse(url)
    database = int(parsed.path.strip("/") or 0)
    for _ in range(worker):
        database = (database + 1) % 16
        while database in BROKER_DATABASES:
            database = (database + 1) % 16
    return urlunparse(parsed._replace(path=f"/{database}"))


XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER:
    MEDIA_ROOT = MEDIA_ROOT.with_name(f"{MEDIA_ROOT.name}-{XDIST_WORKER}")
    if REDIS_URL:
        REDIS_URL = redis_url_for_worker(REDIS_URL, int(XDIST_WORKER.removeprefix("gw")))
        os.environ["REDIS_URL"] = REDIS_URL
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
