"""Chat in a meeting room: persisted per meeting, length- and rate-limited, deletable by the teacher;
a line may be private (to one recipient)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import CHAT_MAX_LENGTH, ChatMessage


def _clean_text(text: str) -> str:
    # Control characters other than newline and tab have no business in a chat line.
    cleaned = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()
    if not cleaned:
        raise ValidationError(_("The message is empty."), code="empty")
    if len(cleaned) > CHAT_MAX_LENGTH:
        raise ValidationError(
            _("The message is longer than %(max)d characters."),
            code="too_long",
            params={"max": CHAT_MAX_LENGTH},
        )
    return cleaned


@transaction.atomic
def chat_message_create(
    *, meeting_id: int, author_id: int, text: str, recipient_id: int | None = None
) -> ChatMessage:
    """Store a chat line, private to `recipient_id` if given; raise ValidationError (code empty,
    too_long, to_self or rate_limited). Who may write privately to whom is the caller's check."""
    cleaned = _clean_text(text)
    if recipient_id == author_id:
        raise ValidationError(_("You cannot write privately to yourself."), code="to_self")
    now = timezone.now()
    window = timedelta(seconds=settings.CLASSMEET_CHAT_RATE_SECONDS)
    recent = ChatMessage.objects.filter(
        meeting_id=meeting_id, author_id=author_id, created_at__gt=now - window
    ).count()
    if recent >= settings.CLASSMEET_CHAT_RATE_COUNT:
        raise ValidationError(
            _("You are sending messages too fast; wait a few seconds."), code="rate_limited"
        )
    return ChatMessage.objects.create(
        meeting_id=meeting_id,
        author_id=author_id,
        recipient_id=recipient_id,
        text=cleaned,
        created_at=now,
    )


@transaction.atomic
def chat_message_delete(*, meeting_id: int, message_id: int, by_id: int) -> ChatMessage:
    """Hide a message of this meeting for everyone; deleting it twice keeps the first deletion."""
    message = (
        ChatMessage.objects.select_for_update().filter(pk=message_id, meeting_id=meeting_id).first()
    )
    if message is None:
        raise ValidationError(_("There is no such message in this meeting."), code="not_found")
    if message.deleted_at is None:
        message.deleted_at = timezone.now()
        message.deleted_by_id = by_id
        message.save(update_fields=["deleted_at", "deleted_by"])
    return message
