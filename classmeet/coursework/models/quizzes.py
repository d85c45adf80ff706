"""Quizzes, their questions and the students' attempts.

A `Question` belongs to a course: to one of its quizzes, or (quiz None) prepared for the live
class, where staff launch it as a poll (issue "live class"). One model for both, so a live quiz
and a quiz are graded the same way.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from classmeet.courses.models import Course

from .grades import GradeItem


class Quiz(models.Model):
    class Scoring(models.TextChoices):
        BEST = "best", _("Best attempt counts")
        LAST = "last", _("Last attempt counts")

    class Release(models.TextChoices):
        IMMEDIATELY = "immediately", _("As soon as a student submits")
        AFTER_CLOSE = "after_close", _("When the quiz closes")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("quiz status", "Draft")
        PUBLISHED = "published", pgettext_lazy("quiz status", "Published")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    grade_item = models.OneToOneField(GradeItem, on_delete=models.CASCADE, related_name="quiz")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)  # Markdown
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    # None: no limit but the window. The server enforces it (QuizAttempt.deadline_at).
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=1, validators=[MinValueValidator(1)]
    )
    scoring = models.CharField(max_length=10, choices=Scoring.choices, default=Scoring.BEST)
    shuffle_options = models.BooleanField(_("shuffle the options"), default=False)
    release = models.CharField(
        _("results"), max_length=20, choices=Release.choices, default=Release.IMMEDIATELY
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("closes_at", "id")
        verbose_name_plural = _("quizzes")
        indexes = [models.Index(fields=("course", "closes_at"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="quiz_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("coursework:quiz-detail", kwargs={"quiz_id": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.is_published and self.opens_at <= now < self.closes_at


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        NUMERIC = "numeric", _("Number")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    # None: a question prepared for the live class, not part of a quiz.
    quiz = models.ForeignKey(
        Quiz, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField(_("question"))
    points = models.DecimalField(
        _("points"),
        max_digits=7,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
    )
    # Numeric questions: right when |answer - numeric_answer| <= numeric_tolerance.
    numeric_answer = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    numeric_tolerance = models.DecimalField(
        max_digits=20, decimal_places=6, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("quiz_id", "position", "id")
        indexes = [models.Index(fields=("course", "quiz", "position"))]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="question_points_not_negative"),
            models.CheckConstraint(
                condition=Q(numeric_tolerance__gte=0), name="question_tolerance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("option"), max_length=500)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ("question_id", "position", "id")

    def __str__(self) -> str:
        return self.text[:80]


class QuizAttempt(models.Model):
    """One student's go at a quiz, from start to submit. The server's deadline is the rule: an
    answer after `deadline_at` plus a small grace is refused, whatever the page's timer says."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    # started_at + the time limit, never after the quiz closes.
    deadline_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    # The order this attempt shows: {"questions": [ids], "choices": {question id: [ids]}}.
    layout = models.JSONField(default=dict)

    class Meta:
        ordering = ("quiz_id", "student_id", "number")
        constraints = [
            models.UniqueConstraint(
                fields=("quiz", "student", "number"), name="unique_quiz_attempt_number"
            ),
            # One attempt in progress per student: a double "start" records one.
            models.UniqueConstraint(
                fields=("quiz", "student"),
                condition=Q(submitted_at__isnull=True),
                name="one_open_quiz_attempt",
            ),
        ]
        indexes = [models.Index(fields=("student", "quiz"))]

    def __str__(self) -> str:
        return f"{self.student_id} on {self.quiz_id} #{self.number}"


class Answer(models.Model):
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice_ids = models.JSONField(default=list)  # chosen Choice ids (single: one)
    numeric_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    points = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True
    )  # set when graded
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("attempt_id", "question_id")
        constraints = [
            models.UniqueConstraint(fields=("attempt", "question"), name="unique_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} → {self.question_id}"
