"""Lecture recordings (recordings app).

Recorded by Janus in SFU mode (CLASSMEET_SFU_URL set), in the teacher's browser otherwise
(uploaded in chunks); processed by Celery with ffmpeg. Files live outside any public URL
(permission-checked views). Housekeeping is on the beat schedule (config/settings/celery.py).
"""

from pathlib import Path

from .environment import MEDIA_ROOT, env

CLASSMEET_RECORDINGS_ROOT = Path(
    env("CLASSMEET_RECORDINGS_ROOT", default=str(MEDIA_ROOT / "recordings"))
)
# Total bytes every recording (finished files and uploads in progress) may use; 0 = no limit.
CLASSMEET_RECORDINGS_QUOTA_BYTES = env.int(
    "CLASSMEET_RECORDINGS_QUOTA_BYTES", default=50 * 1024 * 1024 * 1024
)
CLASSMEET_RECORDINGS_CHUNK_MAX_BYTES = env.int(
    "CLASSMEET_RECORDINGS_CHUNK_MAX_BYTES", default=4 * 1024 * 1024
)
# Recordings are deleted this many days after they were made; 0 = keep forever.
CLASSMEET_RECORDINGS_RETENTION_DAYS = env.int("CLASSMEET_RECORDINGS_RETENTION_DAYS", default=180)
# A recording that received no chunk for this long (the teacher's browser died) is stopped and
# processed; a job stuck in "processing" this long (its worker was killed) is queued again.
CLASSMEET_RECORDINGS_STALE_SECONDS = env.int("CLASSMEET_RECORDINGS_STALE_SECONDS", default=600)
CLASSMEET_RECORDINGS_FFMPEG = env("CLASSMEET_RECORDINGS_FFMPEG", default="ffmpeg")
CLASSMEET_RECORDINGS_FFPROBE = env("CLASSMEET_RECORDINGS_FFPROBE", default="ffprobe")
CLASSMEET_RECORDINGS_JANUS_PP_REC = env("CLASSMEET_RECORDINGS_JANUS_PP_REC", default="janus-pp-rec")
# Janus recordings are composed into one video of this size (WIDTHxHEIGHT), VP8 at this bitrate.
CLASSMEET_RECORDINGS_VIDEO_SIZE = env("CLASSMEET_RECORDINGS_VIDEO_SIZE", default="1280x720")
CLASSMEET_RECORDINGS_VIDEO_BITRATE = env("CLASSMEET_RECORDINGS_VIDEO_BITRATE", default="1M")
# Processing refuses to start, and stops, when the disk holding the recordings would have less
# free space than this.
CLASSMEET_RECORDINGS_MIN_FREE_BYTES = env.int(
    "CLASSMEET_RECORDINGS_MIN_FREE_BYTES", default=1024 * 1024 * 1024
)
# A processing job proves it is alive this often; a job silent for 3 times as long (its worker
# was killed) may be taken over by a redelivered or requeued message.
CLASSMEET_RECORDINGS_HEARTBEAT_SECONDS = env.float(
    "CLASSMEET_RECORDINGS_HEARTBEAT_SECONDS", default=10.0
)
