"""The gradebook's grid and totals, and a student's own grades (selectors)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.coursework.models import GradeCategory, GradeItem
from classmeet.coursework.selectors.gradebook import gradebook_get, my_grades
from classmeet.coursework.services.grades import grade_record
from classmeet.coursework.tests.factories import AssignmentFactory, GradeItemFactory

pytestmark = pytest.mark.django_db


def _grade(item: GradeItem, student: User, points: str) -> None:
    grade_record(item=item, student=student, points=Decimal(points), by=None)


def test_grid_has_published_items_with_points_of_every_kind_in_date_order():
    course = CourseFactory.create()
    now = timezone.now()
    later = GradeItemFactory.create(course=course, dated_at=now + timedelta(days=2))
    live = GradeItemFactory.create(
        course=course, kind=GradeItem.Kind.LIVE_QUIZ, dated_at=now + timedelta(days=1)
    )
    GradeItemFactory.create(course=course, is_published=False)
    GradeItemFactory.create(course=course, max_points=None)
    GradeItemFactory.create()  # another course
    assignment = AssignmentFactory.create(course=course, due_at=now + timedelta(days=3))
    book = gradebook_get(course=course)
    assert book.items == [live, later, assignment.grade_item]
    assert [getattr(i, "assignment_ref", None) for i in book.items] == [None, None, assignment.pk]
    assert not book.is_weighted


def test_totals_count_only_scored_cells():
    course = CourseFactory.create()
    a = GradeItemFactory.create(course=course, max_points=Decimal(10))
    b = GradeItemFactory.create(course=course, max_points=Decimal(30))
    GradeItemFactory.create(course=course, max_points=Decimal(60))  # nobody scored yet
    busy, idle = (EnrollmentFactory.create(course=course).student for _ in range(2))
    _grade(a, busy, "7.5")
    _grade(b, busy, "0")
    book = gradebook_get(course=course)
    rows = {row.student: row for row in book.rows}
    assert rows[busy].cells == [Decimal("7.5"), Decimal(0), None]
    total = rows[busy].total
    assert (total.points, total.max_points, total.percent) == (
        Decimal("7.5"),
        Decimal(40),
        Decimal("18.8"),
    )
    assert rows[idle].cells == [None, None, None]
    assert rows[idle].total.percent is None


def test_weighted_percentage_over_categories_with_scored_items():
    course = CourseFactory.create()
    homework = GradeCategory.objects.create(course=course, name="Homework", weight=Decimal(50))
    quizzes = GradeCategory.objects.create(course=course, name="Quizzes", weight=Decimal(30))
    GradeCategory.objects.create(course=course, name="Participation", weight=Decimal(20))
    h1 = GradeItemFactory.create(course=course, category=homework, max_points=Decimal(10))
    h2 = GradeItemFactory.create(course=course, category=homework, max_points=Decimal(30))
    q1 = GradeItemFactory.create(course=course, category=quizzes, max_points=Decimal(5))
    loose = GradeItemFactory.create(course=course, max_points=Decimal(100))
    student = EnrollmentFactory.create(course=course).student
    _grade(h1, student, "10")
    _grade(h2, student, "20")  # homework 30/40 = 75 %
    _grade(q1, student, "5")  # quizzes 100 %
    _grade(loose, student, "0")  # in no category: in the points total, not in the weighted
    (row,) = gradebook_get(course=course).rows
    # (50 * 0.75 + 30 * 1) / (50 + 30) = 84.375 %; participation has nothing scored.
    assert row.total.weighted == Decimal("84.4")
    assert (row.total.points, row.total.max_points) == (Decimal(35), Decimal(145))


def test_my_grades_are_released_ones_with_the_class_average_when_shown():
    course = CourseFactory.create()
    now = timezone.now()
    shown = GradeItemFactory.create(
        course=course, released_at=now - timedelta(minutes=1), show_class_average=True
    )
    quiet = GradeItemFactory.create(course=course, released_at=now - timedelta(minutes=1))
    hidden = GradeItemFactory.create(course=course)
    me, classmate = (EnrollmentFactory.create(course=course).student for _ in range(2))
    for item in (shown, quiet, hidden):
        _grade(item, me, "6")
        _grade(item, classmate, "9")
    rows = my_grades(course=course, student=me)
    assert [(r.item, r.grade and r.grade.points, r.class_average) for r in rows] == [
        (shown, Decimal(6), Decimal("7.50")),
        (quiet, Decimal(6), None),
    ]
