"""What is still to do: a student's open assignments and quizzes, a grader's ungraded work, and
the students a "due soon" reminder goes to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.core.links import id_url
from classmeet.courses.models import Enrollment
from classmeet.courses.selectors import course_staff_q

from ..models import Assignment, AssignmentStudent, Grade, Quiz, QuizAttempt, Submission
from .assignments import assigned_to_q


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
    enrolled = Exists(Enrollment.objects.filter(course_id=OuterRef("course_id"), student_id=uid))
    assignments = Assignment.objects.filter(
        enrolled,
        _open_q(now),
        assigned_to_q(student_id=uid),
        ~Exists(Submission.objects.filter(assignment_id=OuterRef("pk"), student_id=uid)),
        status=Assignment.Status.PUBLISHED,
    )
    used = (
        QuizAttempt.objects.filter(
            quiz_id=OuterRef("pk"), student_id=uid, submitted_at__isnull=False
        )
        .order_by()
        .values("quiz_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    quizzes = (
        Quiz.objects.filter(
            enrolled, status=Quiz.Status.PUBLISHED, opens_at__lte=now, closes_at__gt=now
        )
        .annotate(used=Coalesce(Subquery(used, output_field=IntegerField()), 0))
        .filter(used__lt=F("attempts_allowed"))
    )
    if until is not None:
        assignments = assignments.filter(due_at__lte=until)
        quizzes = quizzes.filter(closes_at__lte=until)
    # One statement: both lists in the same columns, UNION ALL, sorted by the date.
    columns = ("item_kind", "item_id", "item_title", "item_course", "course_title", "due", "cut")
    rows = (
        assignments.annotate(
            item_kind=Value(ASSIGNMENT),
            item_id=F("pk"),
            item_title=F("title"),
            item_course=F("course_id"),
            course_title=F("course__title"),
            due=F("due_at"),
            cut=F("cutoff_at"),
            left=Value(0),
        )
        .order_by()
        .values_list(*columns, "left")
        .union(
            quizzes.annotate(
                item_kind=Value(QUIZ),
                item_id=F("pk"),
                item_title=F("title"),
                item_course=F("course_id"),
                course_title=F("course__title"),
                due=F("closes_at"),
                cut=Value(None, output_field=DateTimeField()),
                left=F("attempts_allowed") - F("used"),
            )
            .order_by()
            .values_list(*columns, "left"),
            all=True,
        )
        .order_by("due", "item_kind", "item_id")
    )
    return [
        TodoItem(
            kind=kind,
            id=pk,
            title=title,
            course_id=course_id,
            course_title=course_title,
            due_at=due_at,
            overdue=kind == ASSIGNMENT and due_at < now,
            closes_at=cutoff_at,
            attempts_left=left,
        )
        for kind, pk, title, course_id, course_title, due_at, cutoff_at, left in rows
    ]


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
