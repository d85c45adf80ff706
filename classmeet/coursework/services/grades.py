"""Writing grades: the one place a gradebook cell changes, whoever changes it (a grader, a quiz's
automatic grading, a live quiz), so the history after release is never skipped. Also grading an
assignment (late penalty, returned file), releasing an item's grades, and the course's grade
categories."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.accounts.models import User
from classmeet.courses.models import Course
from classmeet.courses.uploads import Kind
from classmeet.notifications.models import Notification
from classmeet.notifications.services import notifications_create

from ..models import (
    Assignment,
    Grade,
    GradeCategory,
    GradeChange,
    GradeItem,
    Submission,
    SubmissionAttempt,
)

logger = logging.getLogger(__name__)

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
    absent: bool = False,
    now: datetime | None = None,
) -> Grade:
    """Set one student's grade on one item and return it.

    `points` is what was entered (or auto-graded); the grade counts it less `penalty_percent`
    (a late penalty). `feedback` None keeps the current feedback. An automatic grade (a quiz's)
    leaves a staff override alone; `override` marks the grade as staff-set. A change after the
    item's release is kept in the grade's history (who, when, old → new). The caller has checked
    that `by` may grade and that the student belongs to the item's course. `absent` marks a
    grade given for work never done (a live quiz not answered); any other grade clears it.
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
    grade.is_absent = absent
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


# Grading an assignment -------------------------------------------------------------------------


def late_penalty_percent(*, assignment: Assignment, days_late: int) -> Decimal:
    """The penalty of work `days_late` days late: the assignment's percent per day, at most 100."""
    if not days_late or not assignment.late_penalty_percent:
        return Decimal(0)
    return min(Decimal(100), assignment.late_penalty_percent * days_late)


def latest_days_late(*, submission: Submission | None) -> int:
    """The latest attempt's days late (0 without a submission). One query."""
    if submission is None:
        return 0
    latest = SubmissionAttempt.objects.filter(submission=submission).order_by("-number").first()
    return latest.days_late if latest is not None else 0


@transaction.atomic
def submission_grade(
    *,
    assignment: Assignment,
    student: User,
    points: Decimal | None,
    feedback: str,
    by: User,
    returned_file: UploadedFile | None = None,
    returned_name: str = "",
    returned_kind: Kind | None = None,
    remove_returned: bool = False,
    now: datetime | None = None,
) -> Grade:
    """Grade one student's work on an assignment (submitted, late or missing) and return the grade.

    The late penalty (percent per day times the latest attempt's days late, at most 100) is
    applied by `grade_record`. A returned file replaces the one returned before; it needs a
    submission to go with (a student who handed nothing in gets points and feedback only). The
    caller has checked that `by` may grade and that the assignment is for the student.
    """
    submission = (
        Submission.objects.select_for_update()
        .filter(assignment=assignment, student=student)
        .first()
    )
    if returned_file is not None and submission is None:
        raise ValidationError(
            {"returned_file": _("Nothing was submitted: there is no work to return.")},
            code="no_submission",
        )
    penalty = late_penalty_percent(
        assignment=assignment, days_late=latest_days_late(submission=submission)
    )
    grade = grade_record(
        item=assignment.grade_item,
        student=student,
        points=points,
        by=by,
        feedback=feedback,
        penalty_percent=penalty,
        now=now,
    )
    if submission is not None and (returned_file is not None or remove_returned):
        _returned_file_set(
            submission=submission, file=returned_file, name=returned_name, kind=returned_kind
        )
    return grade


def _returned_file_set(
    *, submission: Submission, file: UploadedFile | None, name: str, kind: Kind | None
) -> None:
    """Store (or, with no file, remove) the grader's returned copy. The replaced file is deleted
    once the transaction commits; a new file whose row cannot be written is deleted at once."""
    old = submission.returned_file.name if submission.returned_file else ""
    storage = submission.returned_file.storage
    if file is not None:
        submission.returned_file.save("returned", file, save=False)
        submission.returned_name = name
        submission.returned_content_type = kind.mime if kind is not None else ""
        submission.returned_size = file.size or 0
    else:
        submission.returned_file.name = ""
        submission.returned_name = ""
        submission.returned_content_type = ""
        submission.returned_size = None
    new = submission.returned_file.name
    try:
        submission.save(
            update_fields=[
                "returned_file",
                "returned_name",
                "returned_content_type",
                "returned_size",
            ]
        )
    except Exception:
        if new:
            storage.delete(new)
        raise
    if old and old != new:
        transaction.on_commit(lambda: _delete_quietly(storage, old))


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("could not delete stored file %s", name)


# Release ---------------------------------------------------------------------------------------


@transaction.atomic
def grade_release(*, item: GradeItem, by: User, now: datetime | None = None) -> GradeItem:
    """Let students see the item's grades from now on, and tell each student who has a grade.

    Releasing again does nothing (nobody is told twice)."""
    now = now or timezone.now()
    locked = GradeItem.objects.select_for_update().select_related("course").get(pk=item.pk)
    if locked.released_at is not None and locked.released_at <= now:
        return locked
    locked.released_at = now
    locked.save(update_fields=["released_at"])
    item.released_at = now
    student_ids = Grade.objects.filter(item=locked, graded_at__isnull=False).values_list(
        "student_id", flat=True
    )
    course = locked.course
    notifications_create(
        recipient_ids=list(student_ids),
        kind=Notification.Kind.GRADE_RELEASED,
        title=lambda: (
            _("Grade released in %(course)s: %(title)s")
            % {"course": course.title, "title": locked.title}
        ),
        url=reverse("coursework:my-grades", kwargs={"course_id": course.pk}),
        actor=by,
        course=course,
    )
    return locked


def grade_item_class_average_set(*, item: GradeItem, show: bool) -> GradeItem:
    """Whether students see the class average of this item next to their grade."""
    item.show_class_average = show
    item.save(update_fields=["show_class_average"])
    return item


# Categories ------------------------------------------------------------------------------------


def _category_save(category: GradeCategory) -> GradeCategory:
    duplicate = ValidationError(
        {"name": _("This course already has a category of that name.")}, code="unique"
    )
    same_name = GradeCategory.objects.filter(
        course_id=category.course_id, name__iexact=category.name
    ).exclude(pk=category.pk)
    if same_name.exists():
        raise duplicate
    try:
        with transaction.atomic():
            category.full_clean(validate_constraints=False)
            category.save()
    except IntegrityError:  # lost a race with a category of the same name
        raise duplicate from None
    return category


def grade_category_create(*, course: Course, name: str, weight: Decimal) -> GradeCategory:
    """Add a weighted category ("Assignments", 50) to the course; its position is the last."""
    last = GradeCategory.objects.filter(course=course).aggregate(last=Max("position"))["last"]
    category = GradeCategory(
        course=course, name=name.strip(), weight=weight, position=(last or 0) + 1
    )
    return _category_save(category)


def grade_category_update(*, category: GradeCategory, name: str, weight: Decimal) -> GradeCategory:
    category.name = name.strip()
    category.weight = weight
    return _category_save(category)


def grade_category_delete(*, category: GradeCategory) -> None:
    """Delete the category; its items stay, uncategorised."""
    category.delete()


def grade_item_category_set(*, item: GradeItem, category: GradeCategory | None) -> GradeItem:
    """Put the item in one of its course's categories (None: in none)."""
    if category is not None and category.course_id != item.course_id:
        raise ValidationError({"category": _("Choose a category of this course.")})
    item.category = category
    item.save(update_fields=["category"])
    return item
