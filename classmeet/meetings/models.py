"""Scheduled live classes of a course."""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classmeet.courses.models import Course


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
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    ended_at = models.DateTimeField(null=True, blank=True)
    # When the teacher first entered the room, possibly before starts_at (an early start).
    started_at = models.DateTimeField(null=True, blank=True)
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
