"""What happens in a live room that outlives it: attendance, chat, and who was removed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classmeet.meetings.models import Meeting

CHAT_MAX_LENGTH = 1000


class Attendance(models.Model):
    """One connection (peer) of one user in a meeting room, from join to leave."""

    class ClosedBy(models.TextChoices):
        LEAVE = "leave", _("Left")
        CRASH = "crash", _("Connection lost")
        REMOVED = "removed", _("Removed by the teacher")
        ENDED = "ended", _("Meeting ended")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    peer_id = models.CharField(max_length=64, unique=True)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=16, choices=ClosedBy.choices, blank=True, default="")

    class Meta:
        ordering = ("joined_at", "id")
        indexes = [
            models.Index(fields=("meeting", "user")),
            models.Index(fields=("meeting", "left_at")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=models.F("joined_at")),
                name="attendance_leave_after_join",
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True, closed_by="")
                | (Q(left_at__isnull=False) & ~Q(closed_by="")),
                name="attendance_closed_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.meeting_id} as {self.peer_id}"

    @property
    def is_open(self) -> bool:
        return self.left_at is None


class ChatMessage(models.Model):
    """A chat line sent in a meeting room; deleting it hides it for everyone but keeps the row."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="chat_messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    text = models.TextField(_("message"), max_length=CHAT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ("created_at", "id")
        indexes = [
            models.Index(fields=("meeting", "created_at")),
            models.Index(fields=("author", "created_at")),
        ]

    def __str__(self) -> str:
        return f"{self.author_id} in {self.meeting_id}: {self.text[:40]}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class RoomRemoval(models.Model):
    """The teacher removed this user from this meeting: they may not rejoin it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="removals")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_removals"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "id")
        constraints = [
            models.UniqueConstraint(fields=("meeting", "user"), name="unique_room_removal"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} removed from {self.meeting_id}"
