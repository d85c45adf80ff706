"""Celery: the broker, task options and the beat schedule (the one place it is defined).

config/celery_app.py reads every CELERY_* setting from here; DatabaseScheduler imports the
schedule into django_celery_beat's tables when beat starts.
"""

from celery.schedules import crontab

from .environment import BASE_DIR, REDIS_URL, env

# Celery: Redis broker when REDIS_URL is set, otherwise kombu's filesystem transport (no server).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
_celery_fs = BASE_DIR / "var" / "celery"
# Redis: a message a worker took but never acknowledged (the worker was killed) goes back to the
# queue once it is CELERY_BROKER_VISIBILITY_TIMEOUT seconds old; workers look for such messages
# every CELERY_BROKER_RESTORE_SECONDS.
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "visibility_timeout": env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600),
        "unacked_restore_interval": env.int("CELERY_BROKER_RESTORE_SECONDS", default=60),
        "unacked_restore_throttle": 1,
    }
    if CELERY_BROKER_URL != "filesystem://"
    else {
        "data_folder_in": str(_celery_fs / "queue"),
        "data_folder_out": str(_celery_fs / "queue"),
        "processed_folder": str(_celery_fs / "processed"),
        "control_folder": str(_celery_fs / "control"),
        "store_processed": False,
    }
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Meetings: reminders. Beat queues one scan every CLASSMEET_REMINDER_SCAN_SECONDS; the scan sends
# each due reminder exactly once (see docs/meetings.md).
CLASSMEET_REMINDER_SCAN_SECONDS = env.int("CLASSMEET_REMINDER_SCAN_SECONDS", default=60)
# Notifications: the daily digest, sent at this hour (UTC).
CLASSMEET_DIGEST_HOUR_UTC = env.int("CLASSMEET_DIGEST_HOUR_UTC", default=7)
# SFU: leftover Janus rooms of meetings that are over are destroyed by this periodic sweep.
CLASSMEET_SFU_SWEEP_SECONDS = env.int("CLASSMEET_SFU_SWEEP_SECONDS", default=300)

CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "meetings-send-due-reminders": {
        "task": "classmeet.meetings.tasks.meeting_reminders_send",
        "schedule": float(CLASSMEET_REMINDER_SCAN_SECONDS),
        # A scan that waited longer than its interval is superseded by the next one
        # (expire_seconds is DatabaseScheduler's name for the `expires` option).
        "options": {"expire_seconds": max(CLASSMEET_REMINDER_SCAN_SECONDS - 1, 1)},
    },
    # Coursework: "due in 24 hours" reminders, on the meeting reminders' scan interval.
    "coursework-send-due-reminders": {
        "task": "classmeet.coursework.tasks.assignment_reminders_send",
        "schedule": float(CLASSMEET_REMINDER_SCAN_SECONDS),
        "options": {"expire_seconds": max(CLASSMEET_REMINDER_SCAN_SECONDS - 1, 1)},
    },
    "notifications-daily-digest": {
        "task": "classmeet.notifications.tasks.notifications_email_digest",
        "schedule": crontab(hour=CLASSMEET_DIGEST_HOUR_UTC, minute=0),
    },
    "rooms-sfu-sweep": {
        "task": "classmeet.rooms.tasks.sfu_rooms_sweep",
        "schedule": float(CLASSMEET_SFU_SWEEP_SECONDS),
        "options": {"expire_seconds": max(CLASSMEET_SFU_SWEEP_SECONDS - 1, 1)},
    },
    # Quizzes: attempts past their deadline (plus the grace) are submitted with what was saved.
    "coursework-quiz-attempts-expire": {
        "task": "classmeet.coursework.tasks.quiz_attempts_expire",
        "schedule": 60.0,
        "options": {"expire_seconds": 59},
    },
    "recordings-housekeeping": {
        "task": "classmeet.recordings.tasks.recordings_housekeeping",
        "schedule": 300.0,
    },
}
