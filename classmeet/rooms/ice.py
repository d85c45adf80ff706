"""The ICE servers a participant's browser gets: STUN from settings, and TURN with time-limited
credentials in coturn's REST format when TURN_URLS and TURN_SECRET are configured."""

import base64
import hashlib
import hmac
import time
from typing import Any

from django.conf import settings


def turn_credentials(*, user_id: int, now: float | None = None) -> tuple[str, str]:
    """Return (username, password): username `<expiry>:<user id>`, password base64(HMAC-SHA1)."""
    expiry = int((now if now is not None else time.time()) + settings.CLASSMEET_TURN_TTL_SECONDS)
    username = f"{expiry}:{user_id}"
    digest = hmac.new(
        settings.CLASSMEET_TURN_SECRET.encode(), username.encode(), hashlib.sha1
    ).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers_for(*, user_id: int) -> list[dict[str, Any]]:
    """Return the RTCIceServer list for this user: empty by default, nothing leaves the machine."""
    servers: list[dict[str, Any]] = []
    if settings.CLASSMEET_STUN_URLS:
        servers.append({"urls": list(settings.CLASSMEET_STUN_URLS)})
    if settings.CLASSMEET_TURN_URLS and settings.CLASSMEET_TURN_SECRET:
        username, credential = turn_credentials(user_id=user_id)
        servers.append(
            {
                "urls": list(settings.CLASSMEET_TURN_URLS),
                "username": username,
                "credential": credential,
            }
        )
    return servers


def ice_transport_policy() -> str:
    """`relay` forces media through TURN (for networks that need it); otherwise `all`."""
    return "relay" if settings.CLASSMEET_ICE_RELAY_ONLY else "all"
