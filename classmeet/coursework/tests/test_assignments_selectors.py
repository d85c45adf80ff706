"""Assignment reads: staff counts, each student's status, detail; constant query counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.tests import files
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.models import Assignment, AssignmentStudent, GradeItem
from classmeet.coursework.selectors import assignments as selectors
from classmeet.coursework.selectors.assignments import StudentStatus
from classmeet.coursework.services.assignments import Submitted, submission_create
from classmeet.coursework.services.grades import grade_record
from classmeet.coursework.tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def submit(
    assignment: Assignment, student: User, *, now: datetime | None = None, n_files: int = 1
) -> Submitted:
    return submission_create(
        assignment=assignment,
        student=student,
        text="",
        files=[SimpleUploadedFile(f"f{i}.pdf", files.PDF) for i in range(n_files)],
        client_token="",
        now=now,
    )


def release(assignment: Assignment) -> None:
    GradeItem.objects.filter(pk=assignment.grade_item_id).update(
        released_at=timezone.now() - timedelta(minutes=1)
    )


def test_staff_list_counts_assigned_submitted_late_and_graded(course, enrollment):
    others = [EnrollmentFactory.create(course=course).student for _ in range(3)]
    for_all = AssignmentFactory.create(course=course, accepts_late=True)
    named = AssignmentFactory.create(course=course, status=Assignment.Status.DRAFT)
    AssignmentStudent.objects.create(assignment=named, student=others[0])
    submit(for_all, enrollment.student)
    submit(for_all, enrollment.student)  # a second attempt is still one submission
    submit(for_all, others[0], now=for_all.due_at + timedelta(hours=1))
    grade_record(item=for_all.grade_item, student=enrollment.student, points=Decimal(5), by=None)
    rows = {r.assignment.pk: r for r in selectors.assignment_list_for_staff(course=course)}
    assert (rows[for_all.pk].assigned, rows[for_all.pk].submitted) == (4, 2)
    assert (rows[for_all.pk].late, rows[for_all.pk].graded) == (1, 1)
    assert (rows[named.pk].assigned, rows[named.pk].submitted, rows[named.pk].graded) == (1, 0, 0)
    assert selectors.assignment_row_for_staff(assignment=named).assigned == 1


def test_student_sees_published_assigned_work_with_their_status(course, enrollment):
    student = enrollment.student
    now = timezone.now()
    AssignmentFactory.create(course=course, title="open")
    submitted = AssignmentFactory.create(course=course, title="submitted")
    late = AssignmentFactory.create(
        course=course, title="late", due_at=now - timedelta(days=1), accepts_late=True
    )
    graded = AssignmentFactory.create(course=course, title="graded")
    graded_unreleased = AssignmentFactory.create(course=course, title="graded, not released")
    AssignmentFactory.create(course=course, title="missing", due_at=now - timedelta(days=1))
    AssignmentFactory.create(course=course, title="draft", status=Assignment.Status.DRAFT)
    someone_else = AssignmentFactory.create(course=course, title="someone else's")
    AssignmentStudent.objects.create(
        assignment=someone_else, student=EnrollmentFactory.create(course=course).student
    )
    AssignmentFactory.create(title="another course")
    for assignment in (submitted, late, graded, graded_unreleased):
        submit(assignment, student)
    for assignment in (graded, graded_unreleased):
        grade_record(item=assignment.grade_item, student=student, points=Decimal(7), by=None)
    release(graded)
    rows = selectors.assignment_list_for_student(course=course, student_id=student.pk)
    statuses = {r.assignment.title: (r.status, r.points) for r in rows}
    assert statuses == {
        "open": (StudentStatus.NOT_SUBMITTED, None),
        "submitted": (StudentStatus.SUBMITTED, None),
        "late": (StudentStatus.LATE, None),
        "graded": (StudentStatus.GRADED, Decimal(7)),
        "graded, not released": (StudentStatus.SUBMITTED, None),  # nothing before release
        "missing": (StudentStatus.MISSING, None),
    }
    assert str(rows[0].status_label)
    upcoming = selectors.assignment_upcoming_for_student(
        course=course, student_id=student.pk, limit=3
    )
    # Still taking work, soonest first: the late-accepting one first, never the missing one.
    assert [r.assignment.title for r in upcoming] == ["late", "open", "submitted"]
    assert (
        selectors.assignment_row_for_student(assignment=someone_else, student_id=student.pk) is None
    )
    # The course page's planned read (core.batch) says the same of what is still open.
    planned = selectors.assignment_upcoming_plan(course=course, student_id=student.pk).result()
    open_rows = selectors.assignment_upcoming_for_student(course=course, student_id=student.pk)
    assert [(r.assignment.pk, r.status) for r in planned] == [
        (r.assignment.pk, r.status) for r in open_rows
    ]
    assert {r.status for r in planned} == {
        StudentStatus.NOT_SUBMITTED,
        StudentStatus.SUBMITTED,
        StudentStatus.LATE,
        StudentStatus.GRADED,
    }


def test_upcoming_for_staff_is_published_and_not_yet_due(course):
    soon = AssignmentFactory.create(course=course, due_at=timezone.now() + timedelta(hours=1))
    AssignmentFactory.create(course=course, due_at=timezone.now() - timedelta(hours=1))
    AssignmentFactory.create(course=course, status=Assignment.Status.DRAFT)
    assert selectors.assignment_upcoming_for_staff(course=course) == [soon]


def test_submission_for_student_has_attempts_newest_first_with_files(course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    assert (
        selectors.submission_for_student(assignment=assignment, student_id=enrollment.student.pk)
        is None
    )
    submit(assignment, enrollment.student, n_files=2)
    submit(assignment, enrollment.student)
    submission = selectors.submission_for_student(
        assignment=assignment, student_id=enrollment.student.pk
    )
    assert submission is not None
    attempts = list(submission.attempts.all())
    assert [a.number for a in attempts] == [2, 1]
    assert [len(a.files.all()) for a in attempts] == [1, 2]


def test_released_grade_only_after_release(course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    grade_record(item=assignment.grade_item, student=enrollment.student, points=Decimal(3), by=None)
    student_id = enrollment.student.pk
    assert (
        selectors.grade_released_for_student(assignment=assignment, student_id=student_id) is None
    )
    release(assignment)
    assignment.grade_item.refresh_from_db()
    grade = selectors.grade_released_for_student(assignment=assignment, student_id=student_id)
    assert grade is not None
    assert grade.points == Decimal(3)


def _fill(course, n: int) -> None:
    """n assignments, each with a submission of two attempts and a grade of a new student."""
    for _ in range(n):
        student = EnrollmentFactory.create(course=course).student
        assignment = AssignmentFactory.create(course=course)
        submit(assignment, student)
        submit(assignment, student, n_files=2)
        grade_record(item=assignment.grade_item, student=student, points=Decimal(1), by=None)


@pytest.mark.parametrize("size", [1, 8])
def test_lists_and_detail_run_constant_queries(course, enrollment, size, django_assert_num_queries):
    _fill(course, size)
    student_id = enrollment.student.pk
    assignment = AssignmentFactory.create(course=course)
    for _ in range(size):
        submit(assignment, enrollment.student, n_files=2)
    with django_assert_num_queries(1):
        assert len(selectors.assignment_list_for_staff(course=course)) == size + 1
    with django_assert_num_queries(1):
        assert (
            len(selectors.assignment_list_for_student(course=course, student_id=student_id))
            == size + 1
        )
    with django_assert_num_queries(1):
        selectors.assignment_upcoming_for_student(course=course, student_id=student_id)
    with django_assert_num_queries(1):
        selectors.assignment_upcoming_for_staff(course=course)
    with django_assert_num_queries(3):
        submission = selectors.submission_for_student(assignment=assignment, student_id=student_id)
        assert submission is not None
        assert sum(len(a.files.all()) for a in submission.attempts.all()) == 2 * size
