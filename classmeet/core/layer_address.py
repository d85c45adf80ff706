"""The Redis address and key prefix of the default channel layer, for stores (presence) that must
be shared exactly as widely as the layer's groups."""

from typing import Any

from django.conf import settings

# The layers whose groups live in Redis (classmeet's own builds on channels_redis).
REDIS_LAYERS = ("channels_redis.", "classmeet.rooms.channel_layers.RoomChannelLayer")


def redis_layer_target() -> tuple[str, str] | None:
    """Return (Redis URL, key prefix) of the default channel layer, or None if not on Redis."""
    layer: dict[str, Any] = dict(settings.CHANNEL_LAYERS.get("default", {}))
    if not str(layer.get("BACKEND", "")).startswith(REDIS_LAYERS):
        return None
    config = layer.get("CONFIG", {})
    host = config.get("hosts", ["redis://127.0.0.1:6379"])[0]
    address = host["address"] if isinstance(host, dict) else str(host)
    return address, str(config.get("prefix", "asgi"))
