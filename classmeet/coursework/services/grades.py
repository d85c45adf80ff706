"""Writing grades: the one place a gradebook cell changes, whoever changes it (a grader, a quiz's
automatic grading, a live quiz), so the history after release is never skipped."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.accounts.models import User

from ..models import Grade, GradeChange, GradeItem

CENT = Decimal("0.01")


def _after_penalty(points: Decimal, penalty_percent: Decimal) -> Decimal:
    factor = max(Decimal(0), Decimal(100) - penalty_percent) / Decimal(100)
    return (points * factor).quantize(CENT, rounding=ROUND_HALF_UP)


def _validate_points(item: GradeItem, points: Decimal | None) -> None:
    if points is None:
        return
    if not points.is_finite() or points < 0:
        raise ValidationError({"points": _("Points cannot be negative.")}, code="points_range")
    if item.max_points is None:
        raise ValidationError(
            {"points": _("This item is ungraded: it takes feedback, not points.")},
            code="ungraded",
        )
    if points > item.max_points:
        raise ValidationError(
            {"points": _("At most %(max)s points.") % {"max": item.max_points}},
            code="points_range",
        )
    if points != points.quantize(CENT):
        raise ValidationError({"points": _("Use at most two decimals.")}, code="points_precision")


@transaction.atomic
def grade_record(
    *,
    item: GradeItem,
    student: User,
    points: Decimal | None,
    by: User | None,
    feedback: str | None = None,
    penalty_percent: Decimal = Decimal(0),
    override: bool = False,
    automatic: bool = False,
    now: datetime | None = None,
) -> Grade:
    """Set one student's grade on one item and return it.

    `points` is what was entered (or auto-graded); the grade counts it less `penalty_percent`
    (a late penalty). `feedback` None keeps the current feedback. An automatic grade (a quiz's)
    leaves a staff override alone; `override` marks the grade as staff-set. A change after the
    item's release is kept in the grade's history (who, when, old → new). The caller has checked
    that `by` may grade and that the student belongs to the item's course.
    """
    _validate_points(item, points)
    now = now or timezone.now()
    grade = _locked_grade(item=item, student=student)
    if automatic and grade.is_override:
        return grade
    counted = None if points is None else _after_penalty(points, penalty_percent)
    feedback_changed = feedback is not None and feedback != grade.feedback
    if (
        grade.graded_at is not None
        and item.is_released(now)
        and (counted != grade.points or feedback_changed)
    ):
        GradeChange.objects.create(
            grade=grade,
            changed_by=by,
            changed_at=now,
            old_points=grade.points,
            new_points=counted,
            feedback_changed=feedback_changed,
        )
    grade.points = counted
    grade.entered_points = points
    grade.penalty_percent = penalty_percent
    if feedback is not None:
        grade.feedback = feedback
    if override:
        grade.is_override = True
    grade.graded_by = by
    grade.graded_at = now
    grade.save()
    return grade


def _locked_grade(*, item: GradeItem, student: User) -> Grade:
    """The grade row, locked for this transaction; created (empty) when missing."""
    found = Grade.objects.select_for_update().filter(item=item, student=student).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():  # a savepoint: a concurrent insert loses only this attempt
            return Grade.objects.create(item=item, student=student)
    except IntegrityError:
        return Grade.objects.select_for_update().get(item=item, student=student)
