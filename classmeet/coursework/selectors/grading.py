"""Reads of grading one assignment: its "to grade" queue and one student's work with the grade."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, Prefetch, Q, QuerySet
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.models import Enrollment

from ..models import (
    Assignment,
    AssignmentStudent,
    Grade,
    GradeChange,
    Submission,
    SubmissionAttempt,
)

STUDENT_ORDER = ("last_name", "first_name", "username")


def assigned_students(*, assignment: Assignment) -> QuerySet[User]:
    """The enrolled students the assignment is for (all of them, or those named), by name."""
    enrolled = Enrollment.objects.filter(course_id=assignment.course_id).values("student_id")
    named = AssignmentStudent.objects.filter(assignment_id=assignment.pk)
    return (
        User.objects.filter(pk__in=enrolled)
        .filter(~Exists(named) | Q(pk__in=named.values("student_id")))
        .order_by(*STUDENT_ORDER)
    )


class Status:
    """A student's place in the queue (one of them; the counts overlap, the status does not)."""

    GRADED = "graded"
    TO_GRADE = "to_grade"  # submitted (late or not), no grade yet or resubmitted since
    MISSING = "missing"  # nothing submitted, past the due date
    NOT_SUBMITTED = "not_submitted"  # nothing submitted yet, before the due date


@dataclass(frozen=True)
class QueueRow:
    student: User
    submission: Submission | None
    grade: Grade | None
    status: str

    @property
    def is_late(self) -> bool:
        return self.submission is not None and self.submission.is_late


@dataclass(frozen=True)
class GradingQueue:
    rows: list[QueueRow]
    submitted: int  # students with a submission, late ones included
    late: int
    missing: int
    graded: int
    to_grade: int


def _is_graded(grade: Grade | None) -> bool:
    return grade is not None and grade.graded_at is not None


def _status(*, submission: Submission | None, grade: Grade | None, past_due: bool) -> str:
    if submission is not None and (
        not _is_graded(grade)
        or (
            grade is not None
            and grade.graded_at is not None
            and submission.last_submitted_at is not None
            and submission.last_submitted_at > grade.graded_at
        )
    ):
        return Status.TO_GRADE
    if _is_graded(grade):
        return Status.GRADED
    return Status.MISSING if past_due else Status.NOT_SUBMITTED


def grading_queue(*, assignment: Assignment, now: datetime | None = None) -> GradingQueue:
    """Every student the assignment is for, with their submission, grade and status, and the
    queue's counts. Three queries, whatever the class size."""
    now = now or timezone.now()
    past_due = now > assignment.due_at
    students = list(assigned_students(assignment=assignment))
    submissions = {s.student_id: s for s in Submission.objects.filter(assignment_id=assignment.pk)}
    grades = {g.student_id: g for g in Grade.objects.filter(item_id=assignment.grade_item_id)}
    rows = []
    for student in students:
        submission, grade = submissions.get(student.pk), grades.get(student.pk)
        status = _status(submission=submission, grade=grade, past_due=past_due)
        rows.append(QueueRow(student=student, submission=submission, grade=grade, status=status))
    return GradingQueue(
        rows=rows,
        submitted=sum(1 for r in rows if r.submission is not None),
        late=sum(1 for r in rows if r.is_late),
        missing=sum(1 for r in rows if r.submission is None and past_due),
        graded=sum(1 for r in rows if _is_graded(r.grade)),
        to_grade=sum(1 for r in rows if r.status == Status.TO_GRADE),
    )


@dataclass(frozen=True)
class StudentWork:
    """What the grading page shows of one student: the submission (None: nothing handed in)
    with its attempts and files, the grade with its history, and the neighbours in the queue."""

    student: User
    submission: Submission | None
    attempts: list[SubmissionAttempt]
    grade: Grade | None
    changes: list[GradeChange]
    previous_id: int | None
    next_id: int | None

    @property
    def latest_attempt(self) -> SubmissionAttempt | None:
        return self.attempts[-1] if self.attempts else None


def student_work_get(*, assignment: Assignment, student_id: int) -> StudentWork | None:
    """One assigned student's work on the assignment, or None if it is not for that student."""
    ids = list(assigned_students(assignment=assignment).values_list("pk", flat=True))
    if student_id not in ids:
        return None
    at = ids.index(student_id)
    student = User.objects.get(pk=student_id)
    submission = (
        Submission.objects.filter(assignment_id=assignment.pk, student_id=student_id)
        .prefetch_related(
            Prefetch(
                "attempts",
                queryset=SubmissionAttempt.objects.order_by("number").prefetch_related("files"),
            )
        )
        .first()
    )
    grade = (
        Grade.objects.filter(item_id=assignment.grade_item_id, student_id=student_id)
        .select_related("graded_by")
        .prefetch_related(
            Prefetch(
                "changes",
                queryset=GradeChange.objects.select_related("changed_by").order_by(
                    "-changed_at", "-id"
                ),
            )
        )
        .first()
    )
    return StudentWork(
        student=student,
        submission=submission,
        attempts=list(submission.attempts.all()) if submission is not None else [],
        grade=grade,
        changes=list(grade.changes.all()) if grade is not None else [],
        previous_id=ids[at - 1] if at > 0 else None,
        next_id=ids[at + 1] if at + 1 < len(ids) else None,
    )


def submission_for_student(*, assignment: Assignment, student_id: int) -> Submission | None:
    return Submission.objects.filter(assignment_id=assignment.pk, student_id=student_id).first()
