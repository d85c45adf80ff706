"""Settings for `make run` on a developer's machine: the embedded default.

DEBUG stays off unless asked for (`make dev`, or DEBUG=true): a visitor sees the product's own
404/403/500 pages, never Django's debug page with the URL map and settings.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)
CLASSMEET_TEACHER_SIGNUP = env("CLASSMEET_TEACHER_SIGNUP", default="open")
