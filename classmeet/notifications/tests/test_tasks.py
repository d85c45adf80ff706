from celery.schedules import crontab
from django.conf import settings

from config.celery_app import app


def test_daily_digest_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-daily-digest"]
    assert entry["task"] == "classmeet.notifications.tasks.notifications_email_digest"
    assert isinstance(entry["schedule"], crontab)
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert "classmeet.notifications.tasks.notifications_email_immediate" in app.tasks
