"""What is still to do: a student's open assignments and quizzes, a grader's ungraded work, and
the students a "due soon" reminder goes to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.core.links import id_url
from classmeet.courses.models import Enrollment
from classmeet.courses.selectors import course_staff_q

from ..models import Assignment, AssignmentStudent, Grade, Quiz, Submission


def assignment_pending_students(*, assignment: Assignment) -> list[tuple[int, str]]:
    """Return (id, zone name) of the students enrolled in the assignment's course, assigned to
    it, who have submitted nothing yet. One query."""
    named = AssignmentStudent.objects.filter(assignment_id=assignment.pk)
    return list(
        User.objects.filter(
            Exists(
                Enrollment.objects.filter(course_id=assignment.course_id, student_id=OuterRef("pk"))
            ),
            ~Exists(named) | Exists(named.filter(student_id=OuterRef("pk"))),
            ~Exists(
                Submission.objects.filter(assignment_id=assignment.pk, student_id=OuterRef("pk"))
            ),
        )
        .order_by("pk")
        .values_list("pk", "timezone")
    )


# The "To do" page and the dashboard's "Due soon" ----------------------------------------------


@dataclass(frozen=True, slots=True)
class TodoItem:
    """Something a student still has to hand in: an assignment (due_at: its due date) or an
    open quiz (due_at: when it closes)."""

    kind: str  # "assignment" | "quiz"
    id: int
    title: str
    course_id: int
    course_title: str
    due_at: datetime
    overdue: bool = False  # an assignment past its due date that still takes (late) work
    closes_at: datetime | None = None  # an overdue assignment's cut-off (None: open for good)
    attempts_left: int = 0  # a quiz's

    @property
    def url(self) -> str:
        if self.kind == QUIZ:
            return id_url("coursework:quiz-detail", "quiz_id", self.id)
        return id_url("coursework:assignment-detail", "assignment_id", self.id)


@dataclass(frozen=True, slots=True)
class GradingItem:
    """An assignment of a course the user teaches or assists, with submissions to grade."""

    id: int
    title: str
    course_id: int
    course_title: str
    due_at: datetime
    to_grade: int

    @property
    def url(self) -> str:
        return id_url("coursework:assignment-detail", "assignment_id", self.id)


ASSIGNMENT = "assignment"
QUIZ = "quiz"


def _open_q(now: datetime) -> Q:
    """Assignments that still take work at `now` (Assignment.closes_at in SQL)."""
    return (
        Q(accepts_late=False, due_at__gte=now)
        | Q(accepts_late=True, cutoff_at__isnull=True)
        | Q(accepts_late=True, cutoff_at__gte=now)
    )


# The "To do" statement, written out: the dashboard runs it on every student's visit, and
# building the annotated UNION through the ORM cost more than running it (half the dashboard's
# time). Both lists in the same columns, UNION ALL, sorted by the date. Portable SQL; the
# assignment half is `_open_q` and `assigned_to_q` in SQL.
_TODO_ASSIGNMENTS = (
    'SELECT \'assignment\' AS "item_kind", a."id", a."title", a."course_id",'
    ' c."title" AS "course_title", a."due_at" AS "due", a."cutoff_at" AS "cut", 0 AS "left"'
    ' FROM "coursework_assignment" a INNER JOIN "courses_course" c ON c."id" = a."course_id"'
    ' WHERE a."status" = %s'
    ' AND EXISTS (SELECT 1 FROM "courses_enrollment" e'
    ' WHERE e."course_id" = a."course_id" AND e."student_id" = %s)'
    ' AND ((NOT a."accepts_late" AND a."due_at" >= %s)'
    ' OR (a."accepts_late" AND (a."cutoff_at" IS NULL OR a."cutoff_at" >= %s)))'
    ' AND (NOT EXISTS (SELECT 1 FROM "coursework_assignmentstudent" x'
    ' WHERE x."assignment_id" = a."id") OR EXISTS (SELECT 1 FROM "coursework_assignmentstudent" x'
    ' WHERE x."assignment_id" = a."id" AND x."student_id" = %s))'
    ' AND NOT EXISTS (SELECT 1 FROM "coursework_submission" s'
    ' WHERE s."assignment_id" = a."id" AND s."student_id" = %s)'
)
_QUIZ_USED = (
    '(SELECT COUNT(*) FROM "coursework_quizattempt" t'
    ' WHERE t."quiz_id" = q."id" AND t."student_id" = %s AND t."submitted_at" IS NOT NULL)'
)
_TODO_QUIZZES = (  # constant fragments; every value a parameter
    'SELECT \'quiz\', q."id", q."title", q."course_id", c."title", q."closes_at", NULL,'  # noqa: S608
    f' q."attempts_allowed" - {_QUIZ_USED}'
    ' FROM "coursework_quiz" q INNER JOIN "courses_course" c ON c."id" = q."course_id"'
    ' WHERE q."status" = %s'
    ' AND EXISTS (SELECT 1 FROM "courses_enrollment" e'
    ' WHERE e."course_id" = q."course_id" AND e."student_id" = %s)'
    f' AND q."opens_at" <= %s AND q."closes_at" > %s AND {_QUIZ_USED} < q."attempts_allowed"'
)
_TODO_ORDER = " ORDER BY 6, 1, 2"  # the date, then kind and id (positions: portable in a UNION)
_TODO_SQL = f"{_TODO_ASSIGNMENTS} UNION ALL {_TODO_QUIZZES}{_TODO_ORDER}"
_TODO_UNTIL_SQL = (
    f'{_TODO_ASSIGNMENTS} AND a."due_at" <= %s'
    f' UNION ALL {_TODO_QUIZZES} AND q."closes_at" <= %s{_TODO_ORDER}'
)


def _aware(value: object) -> datetime:
    """A column of this statement as a datetime: SQLite's driver gives text (UTC)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def todo_list(
    *, user: AnyUser, now: datetime | None = None, until: datetime | None = None
) -> list[TodoItem]:
    """Return what the student still has to do across all their courses, due soonest first
    (overdue ones first of all): the published assignments assigned to them that they have not
    submitted and that still take work, and the open quizzes with attempts left. With `until`,
    only what is due (or closes) by then.

    One query, whatever the number of courses and items.
    """
    if not is_authenticated(user):
        return []
    now = now or timezone.now()
    uid = user.pk or 0
    db_now = connection.ops.adapt_datetimefield_value(now)
    published = Assignment.Status.PUBLISHED
    assignment_params: list[Any] = [published, uid, db_now, db_now, uid, uid]
    quiz_params: list[Any] = [uid, Quiz.Status.PUBLISHED, uid, db_now, db_now, uid]
    if until is None:
        sql, params = _TODO_SQL, [*assignment_params, *quiz_params]
    else:
        db_until = connection.ops.adapt_datetimefield_value(until)
        sql, params = _TODO_UNTIL_SQL, [*assignment_params, db_until, *quiz_params, db_until]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    items = []
    for kind, pk, title, course_id, course_title, due, cut, left in rows:
        due_at = _aware(due)
        items.append(
            TodoItem(
                kind=kind,
                id=pk,
                title=title,
                course_id=course_id,
                course_title=course_title,
                due_at=due_at,
                overdue=kind == ASSIGNMENT and due_at < now,
                closes_at=None if cut is None else _aware(cut),
                attempts_left=int(left),
            )
        )
    return items


def grading_list(*, user: AnyUser) -> list[GradingItem]:
    """Return the published assignments of the courses the user teaches or assists that have
    submissions without a grade, by due date. One query."""
    if not is_authenticated(user):
        return []
    ungraded = (
        Submission.objects.filter(assignment_id=OuterRef("pk"), attempt_count__gt=0)
        .exclude(
            Exists(
                Grade.objects.filter(
                    item_id=OuterRef(OuterRef("grade_item_id")),
                    student_id=OuterRef("student_id"),
                    points__isnull=False,
                )
            )
        )
        .order_by()
        .values("assignment_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Assignment.objects.filter(
            course_staff_q(user=user, prefix="course__"), status=Assignment.Status.PUBLISHED
        )
        .annotate(to_grade=Subquery(ungraded, output_field=IntegerField()))
        .filter(to_grade__gt=0)
        .order_by("due_at", "pk")
        .values_list("pk", "title", "course_id", "course__title", "due_at", "to_grade")
    )
    return [
        GradingItem(
            id=pk,
            title=title,
            course_id=course_id,
            course_title=course_title,
            due_at=due_at,
            to_grade=to_grade,
        )
        for pk, title, course_id, course_title, due_at, to_grade in rows
    ]
