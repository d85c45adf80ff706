"""In-app notifications, one row per recipient."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION_CREATED = "discussion_created", _("New discussion")
        COMMENT_CREATED = "comment_created", _("New comment")
        UPVOTE = "upvote", _("Upvote")
        MEETING_SCHEDULED = "meeting_scheduled", _("Meeting scheduled")
        MEETING_CHANGED = "meeting_changed", _("Meeting changed")
        MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
        MEETING_STARTING_SOON = "meeting_starting_soon", _("Meeting starting soon")
        MEETING_STARTING_NOW = "meeting_starting_now", _("Meeting starting now")
        RECORDING_READY = "recording_ready", _("Recording ready")
        ENROLLED = "enrolled", _("Enrolled")
        ASSISTANT_ADDED = "assistant_added", _("Added as assistant")
        ASSIGNMENT_PUBLISHED = "assignment_published", _("New assignment")
        ASSIGNMENT_DUE_SOON = "assignment_due_soon", _("Assignment due soon")
        QUIZ_PUBLISHED = "quiz_published", _("New quiz")
        GRADE_RELEASED = "grade_released", _("Grade released")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    course = models.ForeignKey(
        "courses.Course", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("recipient", "-created_at")),
            models.Index(
                fields=("recipient",),
                name="notification_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
