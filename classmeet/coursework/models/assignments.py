"""Assignments, who they are assigned to, and the students' submissions with every attempt."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from classmeet.courses.models import Course

from .grades import GradeItem


def attachment_path(instance: AssignmentAttachment, filename: str) -> str:
    # Stored names never contain the user's file name (no path tricks reach the disk).
    return f"coursework/{instance.assignment.course_id}/attachments/{uuid.uuid4().hex}"


def submission_file_path(instance: SubmissionFile, filename: str) -> str:
    return f"coursework/submissions/{instance.attempt.submission_id}/{uuid.uuid4().hex}"


def returned_file_path(instance: Submission, filename: str) -> str:
    return f"coursework/submissions/{instance.pk}/returned-{uuid.uuid4().hex}"


class Assignment(models.Model):
    class SubmissionType(models.TextChoices):
        FILE = "file", _("File upload")
        TEXT = "text", _("Text")
        BOTH = "both", _("File upload and text")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("assignment status", "Draft")
        PUBLISHED = "published", pgettext_lazy("assignment status", "Published")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    # Its gradebook column: points (None = ungraded), category, release of the grades.
    grade_item = models.OneToOneField(
        GradeItem, on_delete=models.CASCADE, related_name="assignment"
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)  # Markdown, rendered sanitized
    due_at = models.DateTimeField(_("due"))
    # The zone the teacher set the due date in: the edit form shows it there again; everybody
    # else sees it in their own zone.
    due_zone = models.CharField(max_length=64, default="UTC")
    accepts_late = models.BooleanField(_("accept late work"), default=False)
    late_penalty_percent = models.DecimalField(
        _("late penalty (% per day)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    # Late work only: nothing is accepted after it. None with accepts_late: open for good.
    cutoff_at = models.DateTimeField(_("hard cut-off"), null=True, blank=True)
    submission_type = models.CharField(
        _("submission type"),
        max_length=10,
        choices=SubmissionType.choices,
        default=SubmissionType.FILE,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("due_at", "id")
        indexes = [
            models.Index(fields=("course", "due_at")),
            # The due-reminder scan: published assignments due in the next day, by due date.
            models.Index(
                fields=("due_at",), condition=Q(status="published"), name="assignment_due_published"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cutoff_at__isnull=True) | Q(cutoff_at__gte=F("due_at")),
                name="assignment_cutoff_after_due",
            ),
            models.CheckConstraint(
                condition=Q(late_penalty_percent__isnull=True)
                | (Q(late_penalty_percent__gte=0) & Q(late_penalty_percent__lte=100)),
                name="assignment_late_penalty_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("coursework:assignment-detail", kwargs={"assignment_id": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def closes_at(self) -> datetime | None:
        """The last moment a submission is accepted (None: never closes)."""
        if not self.accepts_late:
            return self.due_at
        return self.cutoff_at

    def accepts_submissions(self, now: datetime | None = None) -> bool:
        closes = self.closes_at
        return self.is_published and (closes is None or (now or timezone.now()) <= closes)


class AssignmentStudent(models.Model):
    """The students an assignment is assigned to; an assignment without rows is for everybody
    enrolled."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="assigned")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("assignment", "student"), name="unique_assignment_student"
            ),
        ]
        indexes = [models.Index(fields=("student", "assignment"))]

    def __str__(self) -> str:
        return f"{self.assignment_id} for {self.student_id}"


class AssignmentAttachment(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("assignment_id", "id")

    def __str__(self) -> str:
        return self.original_name


class Submission(models.Model):
    """A student's work on one assignment: the attempts, newest last, and what the grader
    returned. The row exists from the first attempt on; no row = nothing submitted."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    attempt_count = models.PositiveIntegerField(default=0)
    last_submitted_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(default=False)  # the latest attempt's
    # The grader's annotated copy, returned to the student with the grade.
    returned_file = models.FileField(upload_to=returned_file_path, max_length=255, blank=True)
    returned_name = models.CharField(max_length=255, blank=True)
    returned_content_type = models.CharField(max_length=100, blank=True)
    returned_size = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("assignment_id", "student_id")
        constraints = [
            models.UniqueConstraint(fields=("assignment", "student"), name="unique_submission"),
        ]
        indexes = [models.Index(fields=("student", "assignment"))]

    def __str__(self) -> str:
        return f"{self.student_id} on {self.assignment_id}"


class SubmissionAttempt(models.Model):
    """One hand-in. A resubmission adds an attempt: earlier ones are kept."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    is_late = models.BooleanField(default=False)
    days_late = models.PositiveIntegerField(default=0)  # started days after the due date
    # The submit form's (or the API's Idempotency-Key) one-time token: a double submit of the same
    # form records one attempt.
    client_token = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("submission_id", "number")
        constraints = [
            models.UniqueConstraint(fields=("submission", "number"), name="unique_attempt_number"),
            models.UniqueConstraint(
                fields=("submission", "client_token"),
                condition=~Q(client_token=""),
                name="unique_attempt_client_token",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} #{self.number}"


class SubmissionFile(models.Model):
    attempt = models.ForeignKey(SubmissionAttempt, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=submission_file_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ("attempt_id", "id")

    def __str__(self) -> str:
        return self.original_name


class AssignmentReminder(models.Model):
    """A "due in 24 hours" reminder that was sent: the unique constraint is the claim (like
    meetings.MeetingReminder). A moved due date gets a row of its own."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminders")
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-sent_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("assignment", "due_at"), name="unique_assignment_reminder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} @ {self.due_at.isoformat()}"
