"""The notifications socket over the real ASGI app: sign-in required, origin checked, per user."""

import logging
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from classmeet.accounts.models import User
from classmeet.courses.models import Enrollment
from classmeet.discussions.services import discussion_create
from classmeet.notifications import presence
from classmeet.notifications.models import Notification
from classmeet.notifications.services import (
    notification_mark_read,
    notifications_create,
    user_group_name,
)
from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/notifications/"
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@database_sync_to_async  # type: ignore[untyped-decorator]  # channels ships no type hints
def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def connect(
    user: User | None = None, origin: tuple[bytes, bytes] = ORIGIN
) -> tuple[WebsocketCommunicator, bool, int | None]:
    headers = [origin, (b"host", b"127.0.0.1:8000")]
    if user is not None:
        headers.append((b"cookie", await session_cookie(user)))
    communicator = WebsocketCommunicator(application, PATH, headers=headers)
    connected, code = await communicator.connect(timeout=10)
    return communicator, connected, code


async def test_anonymous_is_refused_with_4401():
    communicator, connected, _ = await connect()
    assert connected  # accepted only to tell the browser why: it then stops reconnecting
    assert await communicator.receive_output(5) == {"type": "websocket.close", "code": 4401}
    await communicator.disconnect()


async def test_wrong_origin_is_refused(student):
    communicator, connected, _ = await connect(student, origin=(b"origin", b"https://evil.example"))
    assert not connected
    await communicator.disconnect()


async def test_missing_origin_is_refused(student):
    headers = [(b"cookie", await session_cookie(student))]
    communicator = WebsocketCommunicator(application, PATH, headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert not connected
    await communicator.disconnect()


async def test_user_receives_only_their_own(student, teacher, course, enrollment):
    mine, connected, _ = await connect(student)
    assert connected
    theirs, connected, _ = await connect(teacher)
    assert connected

    @database_sync_to_async
    def notify():
        return notifications_create(
            recipient_ids=[student.pk],
            kind=Notification.Kind.MEETING_SCHEDULED,
            title="Waves at 10:00 <b>",
            url="/meetings/",
            course=course,
        )

    (created,) = await notify()
    message = await mine.receive_json_from(10)
    assert message["type"] == "notification"
    assert message["unread"] == 1
    assert message["notification"]["id"] == created.pk
    assert message["notification"]["title"] == "Waves at 10:00 <b>"
    assert await theirs.receive_nothing(0.3)
    await mine.disconnect()
    await theirs.disconnect()


async def test_every_open_tab_receives_it(student, course, enrollment):
    tabs = [(await connect(student))[0] for _ in range(3)]
    await database_sync_to_async(notifications_create)(
        recipient_ids=[student.pk], kind="meeting_changed", title="Moved", course=course
    )
    for tab in tabs:
        assert (await tab.receive_json_from(10))["notification"]["title"] == "Moved"
        await tab.disconnect()


async def test_read_elsewhere_updates_the_count(student, course, enrollment):
    tab, _, _ = await connect(student)
    (created,) = await database_sync_to_async(notifications_create)(
        recipient_ids=[student.pk], kind="meeting_changed", title="Moved", course=course
    )
    await tab.receive_json_from(10)
    fresh = await database_sync_to_async(
        lambda: Notification.objects.select_related("recipient").get(pk=created.pk)
    )()
    await database_sync_to_async(notification_mark_read)(notification=fresh)
    assert await tab.receive_json_from(10) == {"type": "unread", "unread": 0}
    await tab.disconnect()


async def test_frames_from_the_browser_are_ignored(student):
    tab, _, _ = await connect(student)
    await tab.send_json_to({"type": "notification", "unread": 99})
    assert await tab.receive_nothing(0.2)
    await tab.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"text_data": "not json"}, "bad-json"),
        ({"text_data": "{"}, "bad-json"),
        ({"text_data": "[" * 100_000}, "bad-json"),  # nested too deep for the parser
        ({"bytes_data": b"\x00"}, "bad-json"),
        ({"text_data": "[1, 2]"}, "bad-message"),
        ({"text_data": '"x"'}, "bad-message"),
        ({"text_data": "null"}, "bad-message"),
    ],
)
async def test_a_bad_frame_gets_an_error_and_the_socket_lives_on(
    student, course, enrollment, frame, code, caplog
):
    tab, _, _ = await connect(student)
    await tab.send_to(**frame)
    error = await tab.receive_json_from(5)
    assert error["type"] == "error"
    assert error["code"] == code
    assert error["message"]
    # Still open and subscribed: the next notification arrives.
    await database_sync_to_async(notifications_create)(
        recipient_ids=[student.pk], kind="upvote", title="Still here", course=course
    )
    pushed = await tab.receive_json_from(10)
    assert pushed["type"] == "notification"
    assert pushed["notification"]["title"] == "Still here"
    await tab.disconnect()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


async def test_recipient_outside_the_course_receives_nothing(student, outsider, course, enrollment):
    tab, _, _ = await connect(outsider)
    await database_sync_to_async(notifications_create)(
        recipient_ids=[student.pk, outsider.pk],
        kind="meeting_changed",
        title="Moved",
        course=course,
    )
    assert await tab.receive_nothing(0.3)  # the outsider is not in the course: nothing for them
    await tab.disconnect()


async def test_fan_out_pushes_only_to_users_with_a_socket_open(
    student, teacher, course, enrollment, monkeypatch
):
    """A discussion in a course of 30 students: the one with a tab open gets it live, and the
    poster's request sends one group message (to that tab), not one per recipient."""

    @database_sync_to_async
    def enroll_others():
        others = User.objects.bulk_create(
            [User(username=f"quiet{i}", role=User.Role.STUDENT) for i in range(29)]
        )
        Enrollment.objects.bulk_create([Enrollment(course=course, student=u) for u in others])

    await enroll_others()
    tab, _, _ = await connect(student)
    layer = get_channel_layer()
    sent: list[str] = []
    real_group_send = layer.group_send

    async def counting_group_send(group: str, message: dict[str, Any]) -> None:
        sent.append(group)
        await real_group_send(group, message)

    monkeypatch.setattr(layer, "group_send", counting_group_send)
    await database_sync_to_async(discussion_create)(
        course=course, author=teacher, title="Exam", body="Friday"
    )
    message = await tab.receive_json_from(10)
    assert message["type"] == "notification"
    assert message["unread"] == 1
    assert sent == [user_group_name(student.pk)]
    made = await database_sync_to_async(Notification.objects.filter(course=course).count)()
    assert made == 30  # everybody is still notified in the database
    await tab.disconnect()


async def test_a_closed_tab_keeps_its_user_online_until_the_presence_expires(student, settings):
    tab, _, _ = await connect(student)
    assert presence.online_user_ids([student.pk, 0]) == {student.pk}
    await tab.disconnect()
    assert presence.online_user_ids([student.pk]) == {student.pk}  # another tab may be open
    settings.CLASSMEET_NOTIFICATION_PRESENCE_TTL_SECONDS = 0
    await presence.mark_online(student.pk)
    assert presence.online_user_ids([student.pk]) == set()


async def test_error_frames_are_in_the_users_language(test_catalog, student, teacher):
    """Two sockets at once: French for the user who chose French, Spanish for the one who chose
    nothing and whose browser asks for Spanish."""
    message = "That frame is not valid JSON."
    test_catalog("fr", {message: "Ce message n'est pas du JSON valide."})
    test_catalog("es", {message: "Ese mensaje no es JSON válido."})
    student.language = "fr"
    await database_sync_to_async(student.save)(update_fields=["language"])
    french, connected, _ = await connect(student)
    assert connected
    headers = [ORIGIN, (b"host", b"127.0.0.1:8000"), (b"accept-language", b"es-MX,es;q=0.8")]
    headers.append((b"cookie", await session_cookie(teacher)))
    spanish = WebsocketCommunicator(application, PATH, headers=headers)
    assert (await spanish.connect(timeout=10))[0]
    for _round in range(2):
        await french.send_to(text_data="{nope")
        await spanish.send_to(text_data="{nope")
        assert (await french.receive_json_from(5))[
            "message"
        ] == "Ce message n'est pas du JSON valide."
        assert (await spanish.receive_json_from(5))["message"] == "Ese mensaje no es JSON válido."
    await french.disconnect()
    await spanish.disconnect()
