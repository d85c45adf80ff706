"""A meeting's live polls (rooms/polls.py runs them in the room) and the answers kept at close.

While a poll is open its answers live next to the room's presence (Redis or the process); the
row is written when it opens and completed when it closes: answers, counts and, for a poll with
correct answers that is not anonymous, a gradebook column (`grade_item`). An anonymous poll's
answers have no student.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classmeet.meetings.models import Meeting

from .grades import GradeItem
from .quizzes import Question


class LivePoll(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="live_polls")
    question = models.CharField(_("question"), max_length=500)
    options = models.JSONField(default=list)  # 2-10 strings
    multiple = models.BooleanField(default=False)
    # Indexes into options; None: a poll without a right answer (never graded).
    correct = models.JSONField(null=True, blank=True)
    anonymous = models.BooleanField(default=False)
    points = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal(1))
    source_question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_polls"
    )
    grade_item = models.OneToOneField(
        GradeItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_poll"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Results, written at close: answers per option, students who answered, students present.
    counts = models.JSONField(default=list)
    answered = models.PositiveIntegerField(default=0)
    present = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("meeting_id", "opened_at", "id")
        constraints = [
            # One open poll per meeting, whichever process opens it.
            models.UniqueConstraint(
                fields=("meeting",),
                condition=Q(closed_at__isnull=True),
                name="one_open_live_poll",
            ),
        ]

    def __str__(self) -> str:
        return self.question[:80]

    @property
    def is_graded(self) -> bool:
        return bool(self.correct) and not self.anonymous


class LivePollAnswer(models.Model):
    """One student's final answer (student None: an anonymous poll's answer)."""

    poll = models.ForeignKey(LivePoll, on_delete=models.CASCADE, related_name="answers")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="live_poll_answers",
    )
    choice = models.JSONField(default=list)  # indexes into the poll's options
    is_correct = models.BooleanField(null=True)  # None: the poll has no right answer

    class Meta:
        ordering = ("poll_id", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("poll", "student"),
                condition=Q(student__isnull=False),
                name="one_live_poll_answer_per_student",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} on {self.poll_id}: {self.choice}"
