"""Settings for `make run` on a developer's machine: the embedded default."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
CLASSMEET_TEACHER_SIGNUP = env("CLASSMEET_TEACHER_SIGNUP", default="open")
