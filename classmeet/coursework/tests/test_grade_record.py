from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.coursework.models import Grade, GradeChange
from classmeet.coursework.services.grades import grade_record
from classmeet.coursework.tests.factories import GradeItemFactory

pytestmark = pytest.mark.django_db


def test_records_points_and_feedback_and_applies_the_penalty():
    item = GradeItemFactory.create(max_points=Decimal(20))
    student = StudentFactory.create()
    grade = grade_record(
        item=item,
        student=student,
        points=Decimal("15.5"),
        by=item.course.teacher,
        feedback="Good",
        penalty_percent=Decimal(10),
    )
    assert (grade.entered_points, grade.points, grade.feedback) == (
        Decimal("15.5"),
        Decimal("13.95"),
        "Good",
    )
    assert Grade.objects.get().points == Decimal("13.95")


@pytest.mark.parametrize("points", ["-1", "20.01", "1.005", "NaN"])
def test_refuses_points_out_of_range(points):
    item = GradeItemFactory.create(max_points=Decimal(20))
    with pytest.raises(ValidationError):
        grade_record(item=item, student=StudentFactory.create(), points=Decimal(points), by=None)
    assert not Grade.objects.exists()


def test_ungraded_item_takes_feedback_only():
    item = GradeItemFactory.create(max_points=None)
    student = StudentFactory.create()
    with pytest.raises(ValidationError):
        grade_record(item=item, student=student, points=Decimal(1), by=None)
    grade = grade_record(item=item, student=student, points=None, by=None, feedback="Seen")
    assert grade.feedback == "Seen"
    assert grade.points is None


def test_history_only_after_release():
    item = GradeItemFactory.create(max_points=Decimal(10))
    student, teacher = StudentFactory.create(), item.course.teacher
    grade_record(item=item, student=student, points=Decimal(5), by=teacher)
    grade_record(item=item, student=student, points=Decimal(6), by=teacher)
    assert not GradeChange.objects.exists()
    item.released_at = timezone.now() - timedelta(minutes=1)
    item.save()
    grade_record(item=item, student=student, points=Decimal(8), by=teacher, feedback="Regraded")
    change = GradeChange.objects.get()
    assert (change.old_points, change.new_points, change.changed_by, change.feedback_changed) == (
        Decimal(6),
        Decimal(8),
        teacher,
        True,
    )


def test_automatic_grade_leaves_an_override_alone():
    item = GradeItemFactory.create(kind="quiz", max_points=Decimal(10))
    student = StudentFactory.create()
    grade_record(
        item=item, student=student, points=Decimal(9), by=item.course.teacher, override=True
    )
    grade = grade_record(item=item, student=student, points=Decimal(3), by=None, automatic=True)
    assert grade.points == Decimal(9)
    assert grade.is_override
