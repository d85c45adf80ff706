"""Assignment and submission services: the gradebook column in step, publishing, attempts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.models import Course
from classmeet.courses.tests import files
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.models import (
    Assignment,
    AssignmentAttachment,
    AssignmentStudent,
    GradeCategory,
    GradeItem,
    Submission,
    SubmissionAttempt,
    SubmissionFile,
)
from classmeet.coursework.selectors.assignments import assignment_student_ids
from classmeet.coursework.services import assignments as services
from classmeet.coursework.services.grades import grade_record
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def pdf(name: str = "essay.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, files.PDF)


def create(course: Course, **overrides: Any) -> Assignment:
    fields: dict[str, Any] = {
        "course": course,
        "by": course.teacher,
        "title": "Essay",
        "instructions": "Write **one page**.",
        "points": Decimal(20),
        "due_at": timezone.now() + timedelta(days=3),
        "due_zone": "Europe/Paris",
        "accepts_late": False,
        "late_penalty_percent": None,
        "cutoff_at": None,
        "submission_type": Assignment.SubmissionType.FILE,
        "students": None,
    }
    return services.assignment_create(**(fields | overrides))


# Assignments ----------------------------------------------------------------------------------


def test_create_makes_a_draft_with_its_unpublished_gradebook_column(course, media_root):
    category = GradeCategory.objects.create(course=course, name="Homework", weight=Decimal(50))
    assignment = create(course, category=category, attachments=[pdf("brief.pdf")])
    item = assignment.grade_item
    assert assignment.status == Assignment.Status.DRAFT
    assert (item.kind, item.title, item.max_points, item.dated_at, item.category) == (
        GradeItem.Kind.ASSIGNMENT,
        "Essay",
        Decimal(20),
        assignment.due_at,
        category,
    )
    assert item.is_published is False
    attachment = assignment.attachments.get()
    assert (attachment.original_name, attachment.content_type) == ("brief.pdf", "application/pdf")
    assert "brief" not in attachment.file.name  # stored under a generated name
    assert len(stored_files(media_root)) == 1


def test_create_ungraded_for_named_students(course, enrollment):
    other = EnrollmentFactory.create(course=course).student
    assignment = create(course, points=None, students=[enrollment.student])
    assert assignment.grade_item.max_points is None
    assert list(assignment.assigned.values_list("student_id", flat=True)) == [enrollment.student.pk]
    assert other.pk not in assignment_student_ids(assignment=assignment)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"points": Decimal(-1)}, "points"),
        ({"points": Decimal("1.005")}, "points"),
        ({"points": Decimal("100000")}, "points"),
        ({"cutoff_at": timezone.now(), "accepts_late": True}, "cutoff_at"),
        ({"cutoff_at": timezone.now() + timedelta(days=9)}, "accepts_late"),
        ({"late_penalty_percent": Decimal(101), "accepts_late": True}, "late_penalty_percent"),
        ({"submission_type": "video"}, "submission_type"),
        ({"students": []}, "students"),
    ],
)
def test_create_refuses_bad_fields_and_writes_nothing(course, overrides, field):
    with pytest.raises(ValidationError) as caught:
        create(course, **overrides)
    assert field in caught.value.message_dict
    assert not Assignment.objects.exists()
    assert not GradeItem.objects.exists()


def test_create_refuses_students_outside_the_course_and_categories_of_others(course):
    with pytest.raises(ValidationError) as caught:
        create(course, students=[StudentFactory.create()])
    assert "students" in caught.value.message_dict
    foreign = GradeCategory.objects.create(
        course=AssignmentFactory.create().course, name="X", weight=Decimal(10)
    )
    with pytest.raises(ValidationError) as caught:
        create(course, category=foreign)
    assert "category" in caught.value.message_dict


def test_create_refuses_a_disguised_attachment_and_stores_nothing(course, media_root):
    with pytest.raises(ValidationError) as caught:
        create(course, attachments=[SimpleUploadedFile("notes.pdf", files.ELF)])
    assert "notes.pdf" in caught.value.message_dict["attachments"][0]
    assert not Assignment.objects.exists()
    assert stored_files(media_root) == []


def update(assignment: Assignment, **overrides: Any) -> Assignment:
    fields: dict[str, Any] = {
        "assignment": assignment,
        "title": assignment.title,
        "instructions": assignment.instructions,
        "points": assignment.grade_item.max_points,
        "due_at": assignment.due_at,
        "due_zone": assignment.due_zone,
        "accepts_late": assignment.accepts_late,
        "late_penalty_percent": assignment.late_penalty_percent,
        "cutoff_at": assignment.cutoff_at,
        "submission_type": assignment.submission_type,
        "students": None,
    }
    return services.assignment_update(**(fields | overrides))


def test_update_keeps_the_column_in_step_and_replaces_students(course, enrollment):
    assignment = create(course, students=[enrollment.student])
    due = timezone.now() + timedelta(days=10)
    update(assignment, title="Long essay", points=Decimal(30), due_at=due, students=None)
    item = GradeItem.objects.get(pk=assignment.grade_item_id)
    assert (item.title, item.max_points, item.dated_at) == ("Long essay", Decimal(30), due)
    assert not AssignmentStudent.objects.exists()


def test_update_refuses_points_below_a_grade_given(course, enrollment):
    assignment = create(course)
    grade_record(
        item=assignment.grade_item, student=enrollment.student, points=Decimal(15), by=None
    )
    for points in (Decimal(10), None):
        with pytest.raises(ValidationError) as caught:
            update(assignment, points=points)
        assert "points" in caught.value.message_dict
    assert GradeItem.objects.get().max_points == Decimal(20)


def test_publish_notifies_the_assigned_students_once(
    course, enrollment, django_capture_on_commit_callbacks
):
    unassigned = EnrollmentFactory.create(course=course).student
    assignment = create(course, students=[enrollment.student])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.assignment_publish(assignment=assignment, by=course.teacher) is True
    assert services.assignment_publish(assignment=assignment, by=course.teacher) is False
    assignment.refresh_from_db()
    assert assignment.is_published
    assert assignment.published_at is not None
    assert GradeItem.objects.get().is_published is True
    notice = Notification.objects.get()
    assert (notice.recipient, notice.kind) == (
        enrollment.student,
        Notification.Kind.ASSIGNMENT_PUBLISHED,
    )
    assert notice.url == assignment.get_absolute_url()
    assert not Notification.objects.filter(recipient=unassigned).exists()


def test_delete_takes_the_column_submissions_and_files_along(
    course, enrollment, media_root, django_capture_on_commit_callbacks
):
    assignment = create(course, attachments=[pdf("brief.pdf")])
    services.assignment_publish(assignment=assignment, by=course.teacher)
    services.submission_create(
        assignment=assignment, student=enrollment.student, text="", files=[pdf()], client_token=""
    )
    assert len(stored_files(media_root)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_delete(assignment=assignment)
    assert not GradeItem.objects.exists()
    assert not Submission.objects.exists()
    assert stored_files(media_root) == []


def test_attachment_delete_removes_the_file(course, media_root, django_capture_on_commit_callbacks):
    assignment = create(course, attachments=[pdf("brief.pdf")])
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_attachment_delete(attachment=assignment.attachments.get())
    assert not AssignmentAttachment.objects.exists()
    assert stored_files(media_root) == []


# Submissions ----------------------------------------------------------------------------------


def submit(
    assignment: Assignment,
    student: User,
    *,
    text: str = "",
    files: Sequence[UploadedFile] = (),
    token: str = "",
    now: datetime | None = None,
) -> services.Submitted:
    return services.submission_create(
        assignment=assignment,
        student=student,
        text=text,
        files=list(files),
        client_token=token,
        now=now,
    )


def test_resubmitting_adds_an_attempt_and_keeps_the_first(course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    first = submit(assignment, enrollment.student, files=[pdf("v1.pdf")], token="a")
    second = submit(assignment, enrollment.student, files=[pdf("v2.pdf")], token="b")
    assert (first.created, second.created) == (True, True)
    assert [a.number for a in SubmissionAttempt.objects.order_by("number")] == [1, 2]
    assert list(SubmissionFile.objects.values_list("original_name", flat=True)) == [
        "v1.pdf",
        "v2.pdf",
    ]
    submission = Submission.objects.get()
    assert (submission.attempt_count, submission.is_late) == (2, False)
    assert submission.last_submitted_at == second.attempt.submitted_at


def test_the_same_client_token_records_one_attempt(course, enrollment, media_root):
    assignment = AssignmentFactory.create(course=course)
    first = submit(assignment, enrollment.student, files=[pdf()], token="tok")
    again = submit(assignment, enrollment.student, files=[pdf()], token="tok")
    assert again.created is False
    assert again.attempt.pk == first.attempt.pk
    assert SubmissionAttempt.objects.count() == 1
    assert len(stored_files(media_root)) == 1


def test_late_work_counts_started_days(course, enrollment):
    due = timezone.now() - timedelta(days=2, hours=1)
    assignment = AssignmentFactory.create(course=course, due_at=due, accepts_late=True)
    attempt = submit(assignment, enrollment.student, files=[pdf()]).attempt
    assert (attempt.is_late, attempt.days_late) == (True, 3)
    assert Submission.objects.get().is_late is True
    assert services.lateness(due_at=due, at=due) == (False, 0)
    assert services.lateness(due_at=due, at=due + timedelta(seconds=1)) == (True, 1)
    assert services.lateness(due_at=due, at=due + timedelta(days=1)) == (True, 1)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": Assignment.Status.DRAFT}, "not published"),
        ({"due_at": timezone.now() - timedelta(minutes=1)}, "takes no late work"),
        (
            {
                "due_at": timezone.now() - timedelta(days=2),
                "accepts_late": True,
                "cutoff_at": timezone.now() - timedelta(days=1),
            },
            "cut-off has passed",
        ),
    ],
)
def test_refuses_closed_or_unpublished_assignments(course, enrollment, fields, message):
    assignment = AssignmentFactory.create(course=course, **fields)
    with pytest.raises(ValidationError) as caught:
        submit(assignment, enrollment.student, files=[pdf()])
    assert message in caught.value.messages[0]
    assert not Submission.objects.exists()


def test_open_late_assignment_takes_work_after_the_due_date(course, enrollment):
    due = timezone.now() - timedelta(days=30)
    assignment = AssignmentFactory.create(course=course, due_at=due, accepts_late=True)
    now = due + timedelta(days=30)
    assert submit(assignment, enrollment.student, files=[pdf()], now=now).attempt.days_late == 30


@pytest.mark.parametrize(
    ("kind", "text", "with_file", "field"),
    [
        (Assignment.SubmissionType.FILE, "", False, "files"),
        (Assignment.SubmissionType.FILE, "an answer", True, "text"),
        (Assignment.SubmissionType.TEXT, "  ", False, "text"),
        (Assignment.SubmissionType.TEXT, "an answer", True, "files"),
        (Assignment.SubmissionType.BOTH, "", False, "__all__"),
    ],
)
def test_refuses_what_the_submission_type_does_not_take(
    course, enrollment, kind, text, with_file, field
):
    assignment = AssignmentFactory.create(course=course, submission_type=kind)
    with pytest.raises(ValidationError) as caught:
        submit(assignment, enrollment.student, text=text, files=[pdf()] if with_file else [])
    assert field in caught.value.message_dict
    assert not Submission.objects.exists()


def test_both_takes_text_alone_or_files_alone(course, enrollment):
    assignment = AssignmentFactory.create(
        course=course, submission_type=Assignment.SubmissionType.BOTH
    )
    submit(assignment, enrollment.student, text="My answer")
    submit(assignment, enrollment.student, files=[pdf()])
    assert SubmissionAttempt.objects.count() == 2


def test_refuses_oversized_and_disguised_files_and_stores_nothing(
    course, enrollment, settings, media_root
):
    assignment = AssignmentFactory.create(course=course)
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        submit(assignment, enrollment.student, files=[SimpleUploadedFile("big.txt", b"a" * 101)])
    assert "too large" in caught.value.message_dict["files"][0]
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 10_000
    with pytest.raises(ValidationError) as caught:
        submit(
            assignment,
            enrollment.student,
            files=[pdf(), SimpleUploadedFile("setup.pdf", files.PE)],
        )
    assert caught.value.message_dict["files"][0].startswith("setup.pdf: ")
    assert not Submission.objects.exists()
    assert stored_files(media_root) == []


def test_refuses_too_many_files_and_overlong_tokens(course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    many = [pdf(f"p{i}.pdf") for i in range(services.MAX_SUBMISSION_FILES + 1)]
    with pytest.raises(ValidationError):
        submit(assignment, enrollment.student, files=many)
    with pytest.raises(ValidationError):
        submit(assignment, enrollment.student, files=[pdf()], token="x" * 65)
    assert not Submission.objects.exists()
