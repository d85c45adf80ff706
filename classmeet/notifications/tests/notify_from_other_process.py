"""Create one notification from a separate process through the Redis channel layer.

Run by test_redis_cross_process.py like a Celery worker would: its own interpreter, its own
database connection, the channel layer configured from the environment.
usage: python notify_from_other_process.py RECIPIENT_ID TITLE
"""

import json
import os
import sys

import django


def main() -> None:
    recipient_id, title = int(sys.argv[1]), sys.argv[2]
    django.setup()
    from django.test import override_settings

    from classmeet.notifications.models import Notification
    from classmeet.notifications.services import notifications_create

    layers = json.loads(os.environ["CLASSMEET_TEST_CHANNEL_LAYERS"])
    with override_settings(CHANNEL_LAYERS=layers):
        notifications_create(
            recipient_ids=[recipient_id], kind=Notification.Kind.MEETING_STARTING_SOON, title=title
        )


if __name__ == "__main__":
    main()
