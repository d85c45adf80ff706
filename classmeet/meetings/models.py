"""Scheduled live classes of a course, and their record: attendance, chat log, removals and
admissions from the waiting room."""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classmeet.courses.models import Course

CHAT_MAX_LENGTH = 1000


# The shortest and longest meeting, in minutes: anything that started longer ago has ended.
MIN_DURATION = 5
MAX_DURATION = 480


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        ENDED = "ended", _("Ended")

    class Phase(models.TextChoices):
        """What a viewer sees; derived from status and the clock."""

        UPCOMING = "upcoming", _("Upcoming")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("start"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(MIN_DURATION), MaxValueValidator(MAX_DURATION)],
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    ended_at = models.DateTimeField(null=True, blank=True)
    # When the teacher first entered the room, possibly before starts_at (an early start).
    started_at = models.DateTimeField(null=True, blank=True)
    # The waiting room: a student enters only once the staff admit them (then for good).
    waiting_room = models.BooleanField(
        _("students wait to be admitted"),
        default=False,
        help_text=_(
            "Students wait in a waiting room until the teacher or an assistant lets them in; "
            "once admitted they rejoin this meeting without waiting."
        ),
    )
    series = models.UUIDField(null=True, blank=True, editable=False)
    ical_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("starts_at", "id")
        indexes = [
            models.Index(fields=("course", "starts_at")),
            models.Index(fields=("status", "starts_at")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting-detail", kwargs={"meeting_id": self.pk})

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def join_opens_at(self) -> datetime:
        return self.starts_at - timedelta(minutes=settings.CLASSMEET_JOIN_WINDOW_MINUTES)

    def phase(self, now: datetime | None = None) -> "Meeting.Phase":
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return self.Phase.CANCELLED
        if self.status == self.Status.ENDED or now >= self.ends_at:
            return self.Phase.ENDED
        if now >= self.starts_at:
            return self.Phase.LIVE
        return self.Phase.UPCOMING

    def is_joinable(self, now: datetime | None = None) -> bool:
        """Return True while the room is open: from the join window before start until the end."""
        now = now or timezone.now()
        return self.status == self.Status.SCHEDULED and self.join_opens_at <= now < self.ends_at


class MeetingReminder(models.Model):
    """A reminder that was sent: one row per meeting, offset and start time.

    The unique constraint is the claim. The scan inserts the row and the notifications in one
    transaction, so a second scanner blocks on the row and then skips it, and a scanner that dies
    mid-way rolls both back for the next scan to redo. A meeting moved to another start time
    gets new rows for the new time.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    offset_seconds = models.PositiveIntegerField()
    starts_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-sent_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("meeting", "offset_seconds", "starts_at"), name="unique_meeting_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} -{self.offset_seconds}s @ {self.starts_at.isoformat()}"


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
    """A chat line sent in a meeting room; deleting it hides it for everyone but keeps the row.

    A line with a `recipient` is private: in the room only its author and its recipient see it
    (the course staff's chat log lists it, marked private).
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="chat_messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    # CASCADE, not SET_NULL: a private line must never turn public.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="private_chat_messages",
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
        constraints = [
            models.CheckConstraint(
                condition=~Q(recipient=F("author")), name="chatmessage_not_to_author"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_id} in {self.meeting_id}: {self.text[:40]}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_private(self) -> bool:
        return self.recipient_id is not None


class RoomDecision(models.Model):
    """What the staff decided about one user in one meeting's room, by whom and when."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ("at", "id")


class RoomRemoval(RoomDecision):
    """The teacher removed this user from this meeting: they may not rejoin it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="removals")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_removals"
    )

    class Meta(RoomDecision.Meta):
        constraints = [
            models.UniqueConstraint(fields=("meeting", "user"), name="unique_room_removal"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} removed from {self.meeting_id}"


class RoomAdmission(RoomDecision):
    """The staff let this user in from the waiting room: they rejoin this meeting at once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="admissions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_admissions"
    )

    class Meta(RoomDecision.Meta):
        constraints = [
            models.UniqueConstraint(fields=("meeting", "user"), name="unique_room_admission"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} admitted to {self.meeting_id}"
