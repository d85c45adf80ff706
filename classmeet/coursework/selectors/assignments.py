"""Reads of assignments and submissions. Each runs a fixed number of queries, whatever the
number of assignments, students or attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classmeet.core.batch import Planned, batched_raw
from classmeet.courses.models import Course, Enrollment

from ..models import (
    Assignment,
    AssignmentAttachment,
    AssignmentStudent,
    Grade,
    Submission,
    SubmissionAttempt,
)


def assigned_to_q(*, student_id: int, prefix: str = "") -> Q:
    """Assignments assigned to this student: to the whole course (no rows) or to them by name.

    Enrollment is the caller's part (a course the student sees)."""
    own = AssignmentStudent.objects.filter(assignment_id=OuterRef(f"{prefix}pk"))
    return ~Exists(own) | Exists(own.filter(student_id=student_id))


def is_assigned(*, assignment: Assignment, student_id: int) -> bool:
    """Whether the assignment is for this student: enrolled in its course, and assigned (to all
    or by name). One query."""
    return (
        Assignment.objects.filter(pk=assignment.pk)
        .filter(assigned_to_q(student_id=student_id))
        .filter(
            Exists(
                Enrollment.objects.filter(course_id=OuterRef("course_id"), student_id=student_id)
            )
        )
        .exists()
    )


def assignment_student_ids(*, assignment: Assignment) -> list[int]:
    """The students the assignment is for: those named, or everybody enrolled (one query)."""
    enrolled = Enrollment.objects.filter(course_id=assignment.course_id)
    named = AssignmentStudent.objects.filter(assignment_id=assignment.pk)
    return list(
        enrolled.filter(
            ~Exists(named) | Exists(named.filter(student_id=OuterRef("student_id")))
        ).values_list("student_id", flat=True)
    )


def assigned_student_ids(*, assignment: Assignment) -> list[int] | None:
    """The students named on the assignment, or None when it is for everybody (one query)."""
    ids = list(assignment.assigned.values_list("student_id", flat=True))
    return ids or None


def _count(queryset: QuerySet[Any], target: str) -> Coalesce:
    """A subquery counting the rows of `queryset` whose `target` is the outer assignment."""
    counted = (
        queryset.filter(**{target: OuterRef("pk")})
        .order_by()
        .values(target)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# Staff ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAssignmentRow:
    """An assignment as its course's staff list it: how many it is for, and how far along."""

    assignment: Assignment
    assigned: int
    submitted: int
    late: int
    graded: int


def _staff_rows(queryset: QuerySet[Assignment]) -> list[StaffAssignmentRow]:
    graded = (
        Grade.objects.filter(item_id=OuterRef("grade_item_id"), graded_at__isnull=False)
        .order_by()
        .values("item_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    named = AssignmentStudent.objects.filter(assignment_id=OuterRef("pk"))
    enrolled = (
        Enrollment.objects.filter(course_id=OuterRef("course_id"))
        .order_by()
        .values("course_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = queryset.select_related("grade_item").annotate(
        n_named=_count(AssignmentStudent.objects.all(), "assignment"),
        n_enrolled=Coalesce(Subquery(enrolled, output_field=IntegerField()), Value(0)),
        n_submitted=_count(Submission.objects.filter(attempt_count__gt=0), "assignment"),
        n_late=_count(Submission.objects.filter(is_late=True), "assignment"),
        n_graded=Coalesce(Subquery(graded, output_field=IntegerField()), Value(0)),
        n_assigned=Case(
            When(Exists(named), then="n_named"),
            default="n_enrolled",
            output_field=IntegerField(),
        ),
    )
    return [
        StaffAssignmentRow(
            assignment=a,
            assigned=a.n_assigned,
            submitted=a.n_submitted,
            late=a.n_late,
            graded=a.n_graded,
        )
        for a in rows
    ]


def assignment_list_for_staff(*, course: Course) -> list[StaffAssignmentRow]:
    """Every assignment of the course, drafts included, by due date, with its counts (one
    query)."""
    return _staff_rows(Assignment.objects.filter(course=course).order_by("due_at", "id"))


def assignment_row_for_staff(*, assignment: Assignment) -> StaffAssignmentRow:
    """One assignment's counts for its detail page (one query)."""
    return _staff_rows(Assignment.objects.filter(pk=assignment.pk))[0]


def assignment_upcoming_for_staff(
    *, course: Course, now: datetime | None = None, limit: int = 5
) -> list[Assignment]:
    """The course's published assignments not yet due, soonest first (one query)."""
    return list(
        Assignment.objects.filter(
            course=course,
            status=Assignment.Status.PUBLISHED,
            due_at__gte=now or timezone.now(),
        ).order_by("due_at", "id")[:limit]
    )


# Students -------------------------------------------------------------------------------------


class StudentStatus(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", _("Not submitted")
    MISSING = "missing", _("Missing")  # closed without anything submitted
    SUBMITTED = "submitted", _("Submitted")
    LATE = "late", _("Submitted late")
    GRADED = "graded", _("Graded")


@dataclass(frozen=True)
class StudentAssignmentRow:
    """An assignment as one student sees it: their own status, and their grade once released."""

    assignment: Assignment
    status: str
    attempts: int
    last_submitted_at: datetime | None
    points: Decimal | None  # only once released

    @property
    def status_label(self) -> str:
        return str(StudentStatus(self.status).label)


def _status(*, student_id: int, now: datetime) -> Case:
    """The student's status of each assignment, worked out by the database (a grade counts
    once released; "missing" once it no longer takes work and nothing came)."""
    mine = Submission.objects.filter(assignment_id=OuterRef("pk"), student_id=student_id)
    graded = Grade.objects.filter(
        item_id=OuterRef("grade_item_id"), student_id=student_id, graded_at__isnull=False
    )
    closed = Q(accepts_late=False, due_at__lt=now) | Q(accepts_late=True, cutoff_at__lt=now)
    return Case(
        When(Exists(graded) & Q(grade_item__released_at__lte=now), then=Value("graded")),
        When(Exists(mine.filter(is_late=True)), then=Value("late")),
        When(Exists(mine), then=Value("submitted")),
        When(closed, then=Value("missing")),
        default=Value("not_submitted"),
        output_field=models.CharField(),
    )


def _student_queryset(
    queryset: QuerySet[Assignment], *, student_id: int, now: datetime
) -> QuerySet[Any]:  # Assignment rows with `my_status`
    """The published assignments of `queryset` assigned to the student, with their status."""
    return (
        queryset.filter(status=Assignment.Status.PUBLISHED)
        .filter(assigned_to_q(student_id=student_id))
        .annotate(my_status=_status(student_id=student_id, now=now))
    )


def _student_rows(
    queryset: QuerySet[Assignment], *, student_id: int, now: datetime, limit: int | None = None
) -> list[StudentAssignmentRow]:
    mine = Submission.objects.filter(assignment_id=OuterRef("pk"), student_id=student_id)
    grade = Grade.objects.filter(
        item_id=OuterRef("grade_item_id"), student_id=student_id, graded_at__isnull=False
    )
    rows = (
        _student_queryset(queryset, student_id=student_id, now=now)
        .select_related("grade_item")
        .annotate(
            my_attempts=Subquery(mine.values("attempt_count")[:1]),
            my_last_at=Subquery(mine.values("last_submitted_at")[:1]),
            my_points=Subquery(grade.values("points")[:1]),
        )
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        StudentAssignmentRow(
            assignment=a,
            status=a.my_status,
            attempts=a.my_attempts or 0,
            last_submitted_at=a.my_last_at,
            points=a.my_points if a.my_status == StudentStatus.GRADED else None,
        )
        for a in rows
    ]


def assignment_list_for_student(
    *, course: Course, student_id: int, now: datetime | None = None
) -> list[StudentAssignmentRow]:
    """The course's published assignments for this student, by due date, each with their own
    status (one query). The caller has checked that the student is enrolled."""
    return _student_rows(
        Assignment.objects.filter(course=course).order_by("due_at", "id"),
        student_id=student_id,
        now=now or timezone.now(),
    )


def _still_open(now: datetime) -> Q:
    return (
        Q(due_at__gte=now)
        | Q(accepts_late=True, cutoff_at__isnull=True)
        | Q(accepts_late=True, cutoff_at__gte=now)
    )


def assignment_upcoming_for_student(
    *, course: Course, student_id: int, now: datetime | None = None, limit: int = 5
) -> list[StudentAssignmentRow]:
    """The student's assignments of the course still taking work, soonest due first (one
    query)."""
    now = now or timezone.now()
    queryset = Assignment.objects.filter(_still_open(now), course=course).order_by("due_at", "id")
    return _student_rows(queryset, student_id=student_id, now=now, limit=limit)


@dataclass(frozen=True)
class UpcomingRow:
    """An assignment of the course page's section, with the student's status (None: staff)."""

    assignment: Assignment
    status: str | None

    @property
    def status_label(self) -> str:
        return str(StudentStatus(self.status).label) if self.status else ""


# The course page's section, written out so it travels with the page's other sections
# (courses.sections, core.batch) without building an ORM query per request (the annotated
# queryset cost the page more than running it). The same rows and statuses as
# `assignment_upcoming_for_staff` and `assignment_upcoming_for_student` (`_status`). Portable SQL.
_A_COLUMNS = ", ".join(f'a."{f.column}"' for f in Assignment._meta.concrete_fields)
_SECTION_STAFF_SQL = (  # constant fragments; every value a parameter
    f'SELECT {_A_COLUMNS}, NULL AS "my_status" FROM "coursework_assignment" a'  # noqa: S608
    ' WHERE a."course_id" = %s AND a."status" = %s AND a."due_at" >= %s'
    ' ORDER BY a."due_at", a."id" LIMIT %s'
)
_SECTION_STUDENT_SQL = (
    f"SELECT {_A_COLUMNS},"  # noqa: S608
    ' CASE WHEN g."id" IS NOT NULL AND i."released_at" <= %s THEN \'graded\''
    " WHEN s.\"is_late\" THEN 'late' WHEN s.\"id\" IS NOT NULL THEN 'submitted'"
    ' WHEN (NOT a."accepts_late" AND a."due_at" < %s)'
    ' OR (a."accepts_late" AND a."cutoff_at" < %s) THEN \'missing\''
    " ELSE 'not_submitted' END AS \"my_status\""
    ' FROM "coursework_assignment" a'
    ' INNER JOIN "coursework_gradeitem" i ON i."id" = a."grade_item_id"'
    ' LEFT OUTER JOIN "coursework_submission" s'
    ' ON s."assignment_id" = a."id" AND s."student_id" = %s'
    ' LEFT OUTER JOIN "coursework_grade" g ON g."item_id" = a."grade_item_id"'
    ' AND g."student_id" = %s AND g."graded_at" IS NOT NULL'
    ' WHERE a."course_id" = %s AND a."status" = %s'
    ' AND (NOT EXISTS (SELECT 1 FROM "coursework_assignmentstudent" x'
    ' WHERE x."assignment_id" = a."id") OR EXISTS (SELECT 1 FROM "coursework_assignmentstudent" x'
    ' WHERE x."assignment_id" = a."id" AND x."student_id" = %s))'
    ' AND (a."due_at" >= %s OR (a."accepts_late" AND (a."cutoff_at" IS NULL'
    ' OR a."cutoff_at" >= %s)))'
    ' ORDER BY a."due_at", a."id" LIMIT %s'
)


def assignment_upcoming_plan(
    *, course: Course, student_id: int | None, now: datetime | None = None, limit: int = 5
) -> Planned[list[UpcomingRow]]:
    """The course page's upcoming assignments, planned with its other sections: for staff
    (`student_id` None) the published ones not yet due; for a student theirs still taking
    work, with their status. One statement."""
    now = now or timezone.now()
    published = Assignment.Status.PUBLISHED
    if student_id is None:
        sql, params = _SECTION_STAFF_SQL, [course.pk, published, now, limit]
    else:
        sql = _SECTION_STUDENT_SQL
        params = [now, now, now, student_id, student_id, course.pk, published, student_id]
        params += [now, now, limit]
    return Planned(
        batched_raw(Assignment, sql, params),
        lambda rows: [UpcomingRow(a, vars(a)["my_status"]) for a in rows],
    )


def assignment_row_for_student(
    *, assignment: Assignment, student_id: int, now: datetime | None = None
) -> StudentAssignmentRow | None:
    """One assignment's status for the student (one query); None if it is not theirs."""
    rows = _student_rows(
        Assignment.objects.filter(pk=assignment.pk),
        student_id=student_id,
        now=now or timezone.now(),
    )
    return rows[0] if rows else None


# Detail ---------------------------------------------------------------------------------------


def attachment_list(*, assignment: Assignment) -> list[AssignmentAttachment]:
    return list(AssignmentAttachment.objects.filter(assignment_id=assignment.pk).order_by("id"))


def submission_for_student(*, assignment: Assignment, student_id: int) -> Submission | None:
    """The student's submission with every attempt (newest first) and its files (three
    queries), or None if they submitted nothing."""
    attempts = SubmissionAttempt.objects.order_by("-number").prefetch_related("files")
    return (
        Submission.objects.filter(assignment_id=assignment.pk, student_id=student_id)
        .prefetch_related(Prefetch("attempts", queryset=attempts))
        .first()
    )


def grade_released_for_student(
    *, assignment: Assignment, student_id: int, now: datetime | None = None
) -> Grade | None:
    """The student's grade once the assignment's grades are released (one query at most)."""
    if not assignment.grade_item.is_released(now):
        return None
    return Grade.objects.filter(
        item_id=assignment.grade_item_id, student_id=student_id, graded_at__isnull=False
    ).first()
