"""The channel layer and the live room's tunables (classmeet/rooms)."""

from .environment import REDIS_URL, env

# The Redis layers CLASSMEET_CHANNEL_LAYER may pick. `room` (ours) is the one to run;
# channels_redis's `pubsub` is there to compare against (docs/benchmarks.md "Signaling relay").
REDIS_CHANNEL_LAYERS = {
    "room": "classmeet.rooms.channel_layers.RoomChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}

# Channel layer: Redis when REDIS_URL is set, otherwise in-process.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis with a batched inbox per process and local delivery: see the module.
            "BACKEND": REDIS_CHANNEL_LAYERS[
                env.str("CLASSMEET_CHANNEL_LAYER", default="") or "room"
            ],
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
    # channels' in-memory layer, cleaning expired messages once a second instead of per receive.
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "classmeet.rooms.channel_layers.InProcessChannelLayer"}
    }

# ICE servers handed to browsers. Empty by default: nothing leaves the machine.
CLASSMEET_STUN_URLS = env.list("STUN_URLS", default=[])
CLASSMEET_TURN_URLS = env.list("TURN_URLS", default=[])
CLASSMEET_TURN_SECRET = env("TURN_SECRET", default="")
CLASSMEET_TURN_TTL_SECONDS = env.int("TURN_TTL_SECONDS", default=6 * 3600)
CLASSMEET_ICE_RELAY_ONLY = env.bool("ICE_RELAY_ONLY", default=False)
CLASSMEET_WS_MAX_FRAME_BYTES = env.int("CLASSMEET_WS_MAX_FRAME_BYTES", default=64 * 1024)

# Chat limits and how much history a (re)joiner gets.
CLASSMEET_CHAT_RATE_COUNT = env.int("CLASSMEET_CHAT_RATE_COUNT", default=5)
CLASSMEET_CHAT_RATE_SECONDS = env.int("CLASSMEET_CHAT_RATE_SECONDS", default=10)
CLASSMEET_CHAT_HISTORY = env.int("CLASSMEET_CHAT_HISTORY", default=200)
