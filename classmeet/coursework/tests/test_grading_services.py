"""Grading an assignment, releasing its grades, the queue and categories (services, selectors)."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.models import Course
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.courses.uploads import PDF
from classmeet.coursework.models import (
    Assignment,
    AssignmentStudent,
    GradeCategory,
    GradeChange,
    Submission,
)
from classmeet.coursework.selectors.grading import Status, grading_queue, student_work_get
from classmeet.coursework.services.grades import (
    grade_category_create,
    grade_category_update,
    grade_item_category_set,
    grade_record,
    grade_release,
    late_penalty_percent,
    submission_grade,
)
from classmeet.coursework.tests.factories import AssignmentFactory, GradeItemFactory
from classmeet.coursework.tests.grading_factories import SubmissionAttemptFactory, SubmissionFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _assignment(**kwargs: Any) -> Assignment:
    assignment = AssignmentFactory.create(**kwargs)
    assignment.grade_item.max_points = Decimal(20)
    assignment.grade_item.save()
    return assignment


def _enrolled(course: Course, n: int = 1) -> list[User]:
    return [EnrollmentFactory.create(course=course).student for _ in range(n)]


@pytest.mark.parametrize(
    ("per_day", "days", "expected"),
    [(None, 3, "0"), ("10", 0, "0"), ("10", 3, "30"), ("40", 3, "100"), ("12.5", 2, "25")],
)
def test_late_penalty_is_per_day_and_capped(per_day, days, expected):
    assignment = AssignmentFactory.build(late_penalty_percent=per_day and Decimal(per_day))
    assert late_penalty_percent(assignment=assignment, days_late=days) == Decimal(expected)


def test_submission_grade_applies_the_latest_attempts_penalty():
    assignment = _assignment(accepts_late=True, late_penalty_percent=Decimal(10))
    (student,) = _enrolled(assignment.course)
    submission = SubmissionFactory.create(assignment=assignment, student=student)
    SubmissionAttemptFactory.create(submission=submission, number=2, days_late=2, is_late=True)
    grade = submission_grade(
        assignment=assignment,
        student=student,
        points=Decimal(15),
        feedback="Late but *good*",
        by=assignment.course.teacher,
    )
    assert (grade.entered_points, grade.penalty_percent, grade.points) == (
        Decimal(15),
        Decimal(20),
        Decimal(12),
    )


def test_missing_student_can_be_graded_zero_but_gets_no_returned_file():
    assignment = _assignment(due_at=timezone.now() - timedelta(days=1))
    (student,) = _enrolled(assignment.course)
    grade = submission_grade(
        assignment=assignment,
        student=student,
        points=Decimal(0),
        feedback="",
        by=assignment.course.teacher,
    )
    assert grade.points == Decimal(0)
    with pytest.raises(ValidationError) as error:
        submission_grade(
            assignment=assignment,
            student=student,
            points=Decimal(0),
            feedback="",
            by=assignment.course.teacher,
            returned_file=SimpleUploadedFile("notes.pdf", b"%PDF-1.4\n"),
            returned_name="notes.pdf",
            returned_kind=PDF,
        )
    assert "returned_file" in error.value.message_dict


def test_returned_file_is_stored_and_replaced(django_capture_on_commit_callbacks):
    assignment = _assignment()
    (student,) = _enrolled(assignment.course)
    SubmissionFactory.create(assignment=assignment, student=student)
    teacher = assignment.course.teacher

    def grade_with(data: bytes, name: str) -> Submission:
        with django_capture_on_commit_callbacks(execute=True):
            submission_grade(
                assignment=assignment,
                student=student,
                points=Decimal(10),
                feedback="",
                by=teacher,
                returned_file=SimpleUploadedFile(name, data),
                returned_name=name,
                returned_kind=PDF,
            )
        return Submission.objects.get(assignment=assignment, student=student)

    first = grade_with(b"%PDF-1.4\nfirst", "first.pdf")
    storage, first_path = first.returned_file.storage, first.returned_file.name
    assert storage.exists(first_path)
    assert (first.returned_name, first.returned_content_type) == ("first.pdf", "application/pdf")
    second = grade_with(b"%PDF-1.4\nsecond", "second.pdf")
    assert second.returned_file.read() == b"%PDF-1.4\nsecond"
    assert not storage.exists(first_path)
    second.returned_file.storage.delete(second.returned_file.name)


def test_points_out_of_range_leave_no_grade_and_no_file():
    assignment = _assignment()
    (student,) = _enrolled(assignment.course)
    SubmissionFactory.create(assignment=assignment, student=student)
    with pytest.raises(ValidationError):
        submission_grade(
            assignment=assignment,
            student=student,
            points=Decimal(21),
            feedback="",
            by=assignment.course.teacher,
            returned_file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n"),
            returned_name="a.pdf",
            returned_kind=PDF,
        )
    assert not assignment.grade_item.grades.exists()
    assert not Submission.objects.get().returned_file


def test_release_notifies_graded_students_once(django_capture_on_commit_callbacks):
    assignment = _assignment()
    graded, _ungraded = _enrolled(assignment.course, 2)
    teacher = assignment.course.teacher
    grade_record(item=assignment.grade_item, student=graded, points=Decimal(5), by=teacher)
    with django_capture_on_commit_callbacks(execute=True):
        item = grade_release(item=assignment.grade_item, by=teacher)
    assert item.is_released()
    notes = Notification.objects.filter(kind=Notification.Kind.GRADE_RELEASED)
    assert list(notes.values_list("recipient_id", flat=True)) == [graded.pk]
    assert notes.get().url == f"/coursework/courses/{assignment.course_id}/grades/"
    grade_release(item=item, by=teacher)
    assert notes.count() == 1


def test_a_change_after_release_is_in_the_history_shown_to_graders():
    assignment = _assignment()
    (student,) = _enrolled(assignment.course)
    teacher = assignment.course.teacher
    submission_grade(
        assignment=assignment, student=student, points=Decimal(5), feedback="", by=teacher
    )
    grade_release(item=assignment.grade_item, by=teacher)
    submission_grade(
        assignment=assignment, student=student, points=Decimal(7), feedback="Regraded", by=teacher
    )
    work = student_work_get(assignment=assignment, student_id=student.pk)
    assert work is not None
    assert [(c.old_points, c.new_points, c.changed_by) for c in work.changes] == [
        (Decimal(5), Decimal(7), teacher)
    ]
    assert GradeChange.objects.count() == 1


def test_queue_counts_and_statuses():
    assignment = _assignment(due_at=timezone.now() - timedelta(hours=1), accepts_late=True)
    course, teacher = assignment.course, assignment.course.teacher
    on_time, late, graded, missing = _enrolled(course, 4)
    SubmissionFactory.create(assignment=assignment, student=on_time)
    SubmissionFactory.create(assignment=assignment, student=late, attempt__days_late=1)
    SubmissionFactory.create(
        assignment=assignment,
        student=graded,
        last_submitted_at=timezone.now() - timedelta(hours=2),
    )
    grade_record(item=assignment.grade_item, student=graded, points=Decimal(9), by=teacher)
    queue = grading_queue(assignment=assignment)
    status = {row.student: row.status for row in queue.rows}
    assert status == {
        on_time: Status.TO_GRADE,
        late: Status.TO_GRADE,
        graded: Status.GRADED,
        missing: Status.MISSING,
    }
    assert (queue.submitted, queue.late, queue.missing, queue.graded, queue.to_grade) == (
        3,
        1,
        1,
        1,
        2,
    )


def test_queue_lists_only_the_assigned_students_before_the_due_date():
    assignment = _assignment()
    named, other = _enrolled(assignment.course, 2)
    StudentFactory.create()  # not enrolled
    queue = grading_queue(assignment=assignment)
    assert {row.student for row in queue.rows} == {named, other}
    assert {row.status for row in queue.rows} == {Status.NOT_SUBMITTED}
    AssignmentStudent.objects.create(assignment=assignment, student=named)
    assert [row.student for row in grading_queue(assignment=assignment).rows] == [named]
    assert student_work_get(assignment=assignment, student_id=other.pk) is None


def test_resubmission_after_grading_goes_back_to_the_queue():
    assignment = _assignment()
    (student,) = _enrolled(assignment.course)
    submission = SubmissionFactory.create(
        assignment=assignment, student=student, last_submitted_at=timezone.now()
    )
    grade_record(
        item=assignment.grade_item,
        student=student,
        points=Decimal(9),
        by=assignment.course.teacher,
        now=timezone.now() - timedelta(minutes=5),
    )
    assert grading_queue(assignment=assignment).rows[0].status == Status.TO_GRADE
    assert submission.pk


def test_student_work_has_neighbours_in_name_order():
    assignment = _assignment()
    course = assignment.course
    students = [
        EnrollmentFactory.create(
            course=course, student=StudentFactory.create(last_name=name)
        ).student
        for name in ("Curie", "Avogadro", "Bohr")
    ]
    curie, avogadro, bohr = students
    work = student_work_get(assignment=assignment, student_id=bohr.pk)
    assert work is not None
    assert (work.previous_id, work.next_id, work.submission) == (avogadro.pk, curie.pk, None)


def test_categories_are_unique_per_course_and_stay_in_their_course():
    course = CourseFactory.create()
    quizzes = grade_category_create(course=course, name=" Quizzes ", weight=Decimal(30))
    assert quizzes.name == "Quizzes"
    with pytest.raises(ValidationError):
        grade_category_create(course=course, name="quizzes", weight=Decimal(10))
    with pytest.raises(ValidationError):
        grade_category_create(course=course, name="Too much", weight=Decimal(101))
    other = grade_category_create(course=course, name="Homework", weight=Decimal(50))
    with pytest.raises(ValidationError):
        grade_category_update(category=other, name="Quizzes", weight=Decimal(50))
    assert grade_category_update(category=other, name="Homework", weight=Decimal(60)).weight == 60
    item = GradeItemFactory.create(course=course)
    foreign = grade_category_create(course=CourseFactory.create(), name="X", weight=Decimal(1))
    with pytest.raises(ValidationError):
        grade_item_category_set(item=item, category=foreign)
    grade_item_category_set(item=item, category=quizzes)
    item.refresh_from_db()
    assert item.category == quizzes
    assert [c.position for c in GradeCategory.objects.filter(course=course)] == [1, 2]
