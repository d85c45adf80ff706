"""The gradebook: categories, items (its columns), grades (its cells) and their history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classmeet.courses.models import Course

# Points everywhere: up to 99,999.99, two decimals (a quarter point is common, a thousandth
# is not).


class GradeCategory(models.Model):
    """A weighted group of a course's items ("Assignments 50%"); a course without any weighs
    every point equally."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="grade_categories")
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("course_id", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=("course", "name"), name="unique_grade_category"),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=100), name="grade_category_weight_range"
            ),
        ]
        verbose_name_plural = _("grade categories")

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"


class GradeItem(models.Model):
    """One column of a course's gradebook. Its owner (an assignment, a quiz, a live poll) keeps
    title, points and date in step with it; students see its grades once it is released."""

    class Kind(models.TextChoices):
        ASSIGNMENT = "assignment", _("Assignment")
        QUIZ = "quiz", _("Quiz")
        LIVE_QUIZ = "live_quiz", _("Live quiz")
        ATTENDANCE = "attendance", _("Attendance")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="grade_items")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    # None: ungraded (an assignment without points): listed, never counted in totals.
    max_points = models.DecimalField(
        _("points"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    category = models.ForeignKey(
        GradeCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    # Orders the columns: an assignment's due date, a quiz's close, a live quiz's meeting start.
    dated_at = models.DateTimeField(null=True, blank=True)
    # Students see this item's grades from this moment (None: not released). An assignment sets
    # it when the grader releases; a quiz at publishing ("immediately") or at its close.
    released_at = models.DateTimeField(null=True, blank=True)
    # Only published items are columns (a draft assignment or quiz is not in the gradebook).
    is_published = models.BooleanField(default=False)
    show_class_average = models.BooleanField(_("show students the class average"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("course_id", "dated_at", "id")
        indexes = [models.Index(fields=("course", "dated_at"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_points__isnull=True) | Q(max_points__gte=0),
                name="grade_item_points_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_released(self, now: datetime | None = None) -> bool:
        return self.released_at is not None and self.released_at <= (now or timezone.now())


class Grade(models.Model):
    """One student's score on one item. `points` is what counts (after any late penalty);
    `entered_points` what the grader typed, or the quiz's auto-grade."""

    item = models.ForeignKey(GradeItem, on_delete=models.CASCADE, related_name="grades")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grades"
    )
    # None: no score yet (a submission waiting to be graded).
    points = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    entered_points = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    penalty_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    feedback = models.TextField(_("feedback"), blank=True)  # Markdown, rendered sanitized
    # No work to score: a live quiz the student did not answer (0 points, shown "absent").
    is_absent = models.BooleanField(default=False)
    # A quiz's score set by staff: later automatic grading leaves it alone.
    is_override = models.BooleanField(default=False)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("item_id", "student_id")
        constraints = [
            models.UniqueConstraint(fields=("item", "student"), name="unique_grade"),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gte=0),
                name="grade_points_not_negative",
            ),
        ]
        # A student's own grades (their grades page, their "to do") start from the student.
        indexes = [models.Index(fields=("student", "item"))]

    def __str__(self) -> str:
        return f"{self.student_id} on {self.item_id}: {self.points}"


class GradeChange(models.Model):
    """A change of a grade after its item was released: who, when, old → new."""

    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    old_points = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    new_points = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    feedback_changed = models.BooleanField(default=False)

    class Meta:
        ordering = ("grade_id", "changed_at", "id")

    def __str__(self) -> str:
        return f"{self.grade_id}: {self.old_points} → {self.new_points}"
