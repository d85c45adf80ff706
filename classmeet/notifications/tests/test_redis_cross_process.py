"""With the Redis channel layer, a notification created in another process reaches the socket."""

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from classmeet.accounts.models import User
from classmeet.courses.models import Enrollment
from classmeet.discussions.services import discussion_create
from config.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]

SCRIPT = Path(__file__).with_name("notify_from_other_process.py")


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@database_sync_to_async  # type: ignore[untyped-decorator]  # channels ships no type hints
def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def redis_layers(redis_url: str) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": redis_url, "socket_timeout": None}],
                "prefix": f"test-notify-{uuid.uuid4().hex[:12]}",
            },
        }
    }


async def open_tab(user) -> WebsocketCommunicator:
    tab = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", await session_cookie(user)),
        ],
    )
    connected, _ = await tab.connect(timeout=10)
    assert connected
    return tab


async def test_notification_from_another_process_arrives(redis_url, student):
    layers = redis_layers(redis_url)
    with override_settings(CHANNEL_LAYERS=layers):
        tab = await open_tab(student)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE
            ),
            "DATABASE_URL": database_url(),
            "CLASSMEET_TEST_CHANNEL_LAYERS": json.dumps(layers),
            "PYTHONPATH": os.pathsep.join(sys.path),
        }
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, str(SCRIPT), str(student.pk), "Class starts in 15 minutes"],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        message = await tab.receive_json_from(10)
        assert message["type"] == "notification"
        assert message["notification"]["title"] == "Class starts in 15 minutes"
        assert message["unread"] == 1
        await tab.disconnect()


async def test_big_fan_out_reaches_the_open_tab_over_redis(redis_url, teacher, course, student):
    """400 recipients: the on-commit push goes through the Redis layer without running out of
    connections, and the one student with an open tab gets it."""

    @database_sync_to_async
    def enroll_many():
        others = User.objects.bulk_create(
            [User(username=f"fan{i}", role=User.Role.STUDENT) for i in range(399)]
        )
        Enrollment.objects.bulk_create(
            [Enrollment(course=course, student=u) for u in [*others, student]]
        )

    await enroll_many()
    with override_settings(CHANNEL_LAYERS=redis_layers(redis_url)):
        tab = await open_tab(student)
        await database_sync_to_async(discussion_create)(
            course=course, author=teacher, title="Exam", body="Friday"
        )
        message = await tab.receive_json_from(15)
        assert message["notification"]["title"].endswith('"Exam"')
        await tab.disconnect()
