"""SFU topology (classmeet/rooms/sfu, docs/deploy.md "Janus SFU").

CLASSMEET_SFU_URL unset: every room stays a peer-to-peer mesh. Set: a room moves to the
meeting's Janus VideoRoom when CLASSMEET_SFU_THRESHOLD participants are present. The sweep of
leftover Janus rooms is on the beat schedule (config/settings/celery.py).
"""

from .environment import env

CLASSMEET_SFU_URL = env("CLASSMEET_SFU_URL", default="")  # e.g. http://127.0.0.1:8088/janus
CLASSMEET_SFU_API_SECRET = env("CLASSMEET_SFU_API_SECRET", default="")  # janus.jcfg api_secret
CLASSMEET_SFU_ADMIN_KEY = env("CLASSMEET_SFU_ADMIN_KEY", default="")  # videoroom admin_key
CLASSMEET_SFU_THRESHOLD = env.int("CLASSMEET_SFU_THRESHOLD", default=5)
CLASSMEET_SFU_MAX_STUDENT_VIDEOS = env.int("CLASSMEET_SFU_MAX_STUDENT_VIDEOS", default=9)
CLASSMEET_SFU_TEACHER_BITRATE = env.int("CLASSMEET_SFU_TEACHER_BITRATE", default=1_500_000)
CLASSMEET_SFU_STUDENT_BITRATE = env.int("CLASSMEET_SFU_STUDENT_BITRATE", default=300_000)
CLASSMEET_SFU_TIMEOUT_SECONDS = env.float("CLASSMEET_SFU_TIMEOUT_SECONDS", default=10)
# Participants' Janus credentials: signed with janus.jcfg token_auth_secret, expiring, renewed.
CLASSMEET_SFU_TOKEN_SECRET = env("CLASSMEET_SFU_TOKEN_SECRET", default="")
CLASSMEET_SFU_TOKEN_SECONDS = env.int("CLASSMEET_SFU_TOKEN_SECONDS", default=600)
# Janus lost mid-meeting: rooms with at most this many participants go back to the mesh.
CLASSMEET_SFU_FALLBACK_MESH_MAX = env.int("CLASSMEET_SFU_FALLBACK_MESH_MAX", default=8)
