"""Where this process runs: its directory, its .env, its services and its data directory.

Every other settings module reads the environment through `env` (django-environ) from here.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Redis (cache, channel layer, Celery broker) when REDIS_URL is set, otherwise in-process stand-ins.
REDIS_URL = env("REDIS_URL", default="")
# Uploaded files are private: they live outside any public URL and are served by permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
