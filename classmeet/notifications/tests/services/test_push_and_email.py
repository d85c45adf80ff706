"""The push to open tabs and the e-mails happen on commit, never for a rolled-back event."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.db import transaction
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.models import Course
from classmeet.notifications import presence
from classmeet.notifications.models import Notification
from classmeet.notifications.services import (
    notification_mark_read,
    notifications_create,
    notifications_email_digest_send,
    notifications_mark_all_read,
    user_group_name,
)
from classmeet.notifications.tasks import notifications_email_digest

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(student):
    """A channel subscribed to the student's notification group, as an open tab's socket is."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(presence.mark_online)(student.pk)
    async_to_sync(layer.group_add)(user_group_name(student.pk), channel)
    return layer, channel


def receive(layer: Any, channel: str) -> Any:
    async def _receive() -> Any:
        import asyncio

        return await asyncio.wait_for(layer.receive(channel), 1)

    return async_to_sync(_receive)()


def nothing_waiting(layer: Any, channel: str) -> bool:
    import asyncio

    async def _try() -> bool:
        try:
            await asyncio.wait_for(layer.receive(channel), 0.1)
        except TimeoutError:
            return True
        return False

    return async_to_sync(_try)()


def notify(student: User, course: Course, **kwargs: Any) -> list[Notification]:
    return notifications_create(
        recipient_ids=[student.pk],
        kind="meeting_scheduled",
        title="Waves",
        url="/meetings/1/",
        course=course,
        **kwargs,
    )


def test_push_happens_on_commit_with_unread_count(
    inbox, student, course, enrollment, django_capture_on_commit_callbacks
):
    layer, channel = inbox
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (created,) = notify(student, course)
    assert nothing_waiting(layer, channel)  # not before the commit
    for callback in callbacks:
        callback()
    event = receive(layer, channel)
    assert event["type"] == "notification.created"
    assert event["unread"] == 1
    assert event["notification"]["id"] == created.pk
    assert event["notification"]["title"] == "Waves"
    assert event["notification"]["url"] == "/meetings/1/"


def test_no_push_when_the_transaction_rolls_back(inbox, student, course, enrollment):
    layer, channel = inbox

    def event_then_failure() -> None:
        with transaction.atomic():
            notify(student, course)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        event_then_failure()
    assert nothing_waiting(layer, channel)


def test_mark_read_pushes_new_unread_count(
    inbox, student, course, enrollment, django_capture_on_commit_callbacks
):
    layer, channel = inbox
    with django_capture_on_commit_callbacks(execute=True):
        (first,) = notify(student, course)
        notify(student, course)
    receive(layer, channel), receive(layer, channel)
    with django_capture_on_commit_callbacks(execute=True):
        notification_mark_read(notification=first)
    assert receive(layer, channel) == {"type": "notification.read", "unread": 1}
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_mark_all_read(user=student) == 1
    assert receive(layer, channel) == {"type": "notification.read", "unread": 0}
    assert not Notification.objects.filter(recipient=student, read_at__isnull=True).exists()


def set_pref(user: User, pref: str) -> None:
    user.email_notifications = pref
    user.save(update_fields=["email_notifications"])


def test_immediate_email_is_sent_on_commit(
    student, course, enrollment, django_capture_on_commit_callbacks
):
    set_pref(student, User.EmailPreference.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (created,) = notify(student, course)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [student.email]
    assert mail.outbox[0].subject == "Waves"
    assert "/meetings/1/" in mail.outbox[0].body
    created.refresh_from_db()
    assert created.emailed_at is not None


def test_immediate_email_of_a_two_line_title_has_a_one_line_subject(
    student, course, enrollment, django_capture_on_commit_callbacks
):
    """A title stored with a line break (written before titles were checked) is still sent."""
    set_pref(student, User.EmailPreference.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        notifications_create(
            recipient_ids=[student.pk], kind="meeting_scheduled", title="A\nB\r\n C", course=course
        )
    assert [m.subject for m in mail.outbox] == ["A B C"]


@pytest.mark.parametrize("pref", [User.EmailPreference.OFF, User.EmailPreference.DAILY])
def test_no_immediate_email_for_other_preferences(
    pref, student, course, enrollment, django_capture_on_commit_callbacks
):
    set_pref(student, pref)
    with django_capture_on_commit_callbacks(execute=True):
        notify(student, course)
    assert mail.outbox == []


def test_daily_digest_sends_one_email_per_user_once(
    student, teacher, course, enrollment, django_capture_on_commit_callbacks
):
    set_pref(student, User.EmailPreference.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        notify(student, course)
        notifications_create(
            recipient_ids=[student.pk], kind="upvote", title="Upvoted", course=course
        )
        notify(teacher, course)  # teacher's preference is off
    read = notify(student, course)[0]
    read.read_at = timezone.now()
    read.save()
    assert notifications_email_digest.delay().get() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [student.email]
    assert "2" in mail.outbox[0].subject
    assert "Upvoted" in mail.outbox[0].body
    assert notifications_email_digest_send() == 0  # nothing new: nothing sent
    assert len(mail.outbox) == 1


def test_daily_digest_skips_future_rows(student, course, enrollment):
    set_pref(student, User.EmailPreference.DAILY)
    notify(student, course)
    assert notifications_email_digest_send(now=timezone.now() - timedelta(hours=1)) == 0


def test_daily_digest_gives_times_in_the_recipients_zone(student, course, enrollment):
    set_pref(student, User.EmailPreference.DAILY)
    student.timezone = "Asia/Kolkata"
    student.save(update_fields=["timezone"])
    sent = notify(student, course)[0]
    Notification.objects.filter(pk=sent.pk).update(
        created_at=datetime(2030, 1, 15, 20, 56, tzinfo=UTC)
    )
    assert notifications_email_digest_send(now=timezone.now() + timedelta(days=3650)) == 1
    assert "- Waves (Jan 16, 2030 02:26 IST)" in mail.outbox[0].body
