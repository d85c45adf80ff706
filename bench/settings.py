"""Settings of the benchmarks: production settings, served over plain HTTP on 127.0.0.1.

The benchmark database is its own (BENCH_DATABASE_URL, default PostgreSQL `classmeet_bench`), and
the channel layer, cache and presence keys get a `bench` prefix so a run never touches the data
of the development server or of a test run sharing the same Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/classmeet_bench"
)
os.environ.setdefault("CHANNEL_LAYER_PREFIX", "bench")
os.environ.setdefault("CACHE_KEY_PREFIX", "bench")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("SENTRY_DSN", "")

from config.settings.production import *  # noqa: F403
from config.settings.production import REST_FRAMEWORK

# Served on plain HTTP by the benchmark: no HTTPS redirect, cookies sent over http://.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# The load runs make thousands of API calls per user: lift the per-user throttle.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"user": "100000000/hour", "anon": "100000000/hour"},
}
# collectstatic of the benchmarks goes to its own directory (the production storage, compressed
# and hashed), so it never races the development server's `make assets`.
STATIC_ROOT = BASE_DIR / "var" / "bench" / "staticfiles"  # noqa: F405

# The benchmarks run with production's psycopg pool (config/settings/base.py). BENCH_DB_POOL=0
# measures the behaviour before it: a new connection per request and per database_sync_to_async
# call (CONN_MAX_AGE=0), for before/after runs.
if os.environ.get("BENCH_DB_POOL") == "0":
    DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
