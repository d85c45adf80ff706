"""SFU settings, read at call time (tests override them with `settings`); Django settings first,
then the environment, then these defaults. `CLASSMEET_SFU_URL` unset: every room stays a mesh."""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "CLASSMEET_SFU_URL": "",  # the Janus HTTP API, e.g. http://127.0.0.1:8088/janus
    "CLASSMEET_SFU_API_SECRET": "",  # janus.jcfg api_secret
    "CLASSMEET_SFU_ADMIN_KEY": "",  # janus.plugin.videoroom.jcfg admin_key
    "CLASSMEET_SFU_TOKEN_SECRET": "",  # janus.jcfg token_auth_secret (signed, expiring tokens)
    "CLASSMEET_SFU_TOKEN_SECONDS": 600,  # a participant's credential lives this long; renewed
    "CLASSMEET_SFU_FALLBACK_MESH_MAX": 8,  # Janus lost: rooms this small go back to the mesh
    "CLASSMEET_SFU_THRESHOLD": 5,  # the room moves to the SFU when this many are present
    "CLASSMEET_SFU_MAX_STUDENT_VIDEOS": 9,  # student videos playing at once in the grid
    "CLASSMEET_SFU_TEACHER_BITRATE": 1_500_000,  # bits/s: teacher camera and screen share
    "CLASSMEET_SFU_STUDENT_BITRATE": 300_000,  # bits/s: each student camera (room bitrate)
    "CLASSMEET_SFU_TIMEOUT_SECONDS": 10,
}


def get(name: str) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    return os.environ.get(name, DEFAULTS[name])


def url() -> str:
    return str(get("CLASSMEET_SFU_URL") or "")


def enabled() -> bool:
    return bool(url())


def api_secret() -> str:
    return str(get("CLASSMEET_SFU_API_SECRET") or "")


def admin_key() -> str:
    return str(get("CLASSMEET_SFU_ADMIN_KEY") or "")


def token_secret() -> str:
    return str(get("CLASSMEET_SFU_TOKEN_SECRET") or "")


def token_seconds() -> int:
    return max(4, int(get("CLASSMEET_SFU_TOKEN_SECONDS")))


def fallback_mesh_max() -> int:
    return max(0, int(get("CLASSMEET_SFU_FALLBACK_MESH_MAX")))


def threshold() -> int:
    return max(2, int(get("CLASSMEET_SFU_THRESHOLD")))


def max_student_videos() -> int:
    return max(0, int(get("CLASSMEET_SFU_MAX_STUDENT_VIDEOS")))


def teacher_bitrate() -> int:
    return int(get("CLASSMEET_SFU_TEACHER_BITRATE"))


def student_bitrate() -> int:
    return int(get("CLASSMEET_SFU_STUDENT_BITRATE"))


def timeout() -> float:
    return float(get("CLASSMEET_SFU_TIMEOUT_SECONDS"))


def derived_secret(purpose: str, meeting_id: int) -> str:
    """A per-meeting secret every Classmeet process derives alike (from SECRET_KEY)."""
    message = f"classmeet.sfu.{purpose}.{meeting_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]
