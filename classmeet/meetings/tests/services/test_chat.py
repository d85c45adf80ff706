import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from classmeet.meetings.models import CHAT_MAX_LENGTH, ChatMessage
from classmeet.meetings.services.chat import chat_message_create, chat_message_delete
from classmeet.meetings.tests.factories import ChatMessageFactory

pytestmark = pytest.mark.django_db


def test_chat_message_create_stores_stripped_text(live_meeting, student):
    message = chat_message_create(
        meeting_id=live_meeting.pk, author_id=student.pk, text="  hello\x00 class \n"
    )
    assert message.text == "hello class"
    assert ChatMessage.objects.get().author == student


@pytest.mark.parametrize("text", ["", "   ", "\x00\x07"])
def test_chat_message_create_rejects_empty_text(live_meeting, student, text):
    with pytest.raises(ValidationError) as exc:
        chat_message_create(meeting_id=live_meeting.pk, author_id=student.pk, text=text)
    assert exc.value.code == "empty"
    assert not ChatMessage.objects.exists()


def test_chat_message_create_rejects_overlong_text(live_meeting, student):
    chat_message_create(
        meeting_id=live_meeting.pk, author_id=student.pk, text="a" * CHAT_MAX_LENGTH
    )
    with pytest.raises(ValidationError) as exc:
        chat_message_create(
            meeting_id=live_meeting.pk, author_id=student.pk, text="a" * (CHAT_MAX_LENGTH + 1)
        )
    assert exc.value.code == "too_long"


@override_settings(CLASSMEET_CHAT_RATE_COUNT=3, CLASSMEET_CHAT_RATE_SECONDS=60)
def test_chat_message_create_is_rate_limited_per_author(live_meeting, student, teacher):
    for i in range(3):
        chat_message_create(meeting_id=live_meeting.pk, author_id=student.pk, text=f"m{i}")
    with pytest.raises(ValidationError) as exc:
        chat_message_create(meeting_id=live_meeting.pk, author_id=student.pk, text="one more")
    assert exc.value.code == "rate_limited"
    # Someone else is not slowed down by the first author.
    chat_message_create(meeting_id=live_meeting.pk, author_id=teacher.pk, text="fine")
    assert ChatMessage.objects.count() == 4


def test_chat_message_delete_hides_it_once(live_meeting, teacher):
    message = ChatMessageFactory.create(meeting=live_meeting)
    deleted = chat_message_delete(
        meeting_id=live_meeting.pk, message_id=message.pk, by_id=teacher.pk
    )
    assert deleted.is_deleted
    assert deleted.deleted_by == teacher
    first_time = deleted.deleted_at
    again = chat_message_delete(meeting_id=live_meeting.pk, message_id=message.pk, by_id=teacher.pk)
    assert again.deleted_at == first_time


def test_chat_message_delete_refuses_a_message_of_another_meeting(live_meeting, teacher):
    other = ChatMessageFactory.create()
    with pytest.raises(ValidationError) as exc:
        chat_message_delete(meeting_id=live_meeting.pk, message_id=other.pk, by_id=teacher.pk)
    assert exc.value.code == "not_found"
    other.refresh_from_db()
    assert not other.is_deleted


def test_chat_message_create_stores_a_private_line(live_meeting, student, teacher):
    message = chat_message_create(
        meeting_id=live_meeting.pk, author_id=student.pk, text="a question", recipient_id=teacher.pk
    )
    assert message.is_private
    assert ChatMessage.objects.get().recipient == teacher


def test_chat_message_create_refuses_a_private_line_to_the_author(live_meeting, student):
    with pytest.raises(ValidationError) as exc:
        chat_message_create(
            meeting_id=live_meeting.pk, author_id=student.pk, text="me", recipient_id=student.pk
        )
    assert exc.value.code == "to_self"
    assert not ChatMessage.objects.exists()
