"""Assignment pages: the list, the form, publish and delete, the detail page's submit form and
the downloads, through the test client."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import TeacherFactory
from classmeet.courses.models import Course
from classmeet.courses.services import assistant_add
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
from classmeet.coursework.services.assignments import submission_create
from classmeet.coursework.services.grades import grade_record
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.notifications.models import Notification
from tests.support import ClientResponse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(name: str, **kwargs: int) -> str:
    return reverse(f"coursework:{name}", kwargs=kwargs)


def form_data(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Essay",
        "instructions": "Write **one page**.",
        "points": "20",
        "due_at": "2030-03-01T17:00",
        "submission_type": "file",
        "assign_to": "all",
    } | overrides


def pdf(name: str = "essay.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, files.PDF)


# The list ----------------------------------------------------------------------------------------


def test_staff_list_shows_drafts_and_counts(client, course, enrollment):
    draft = AssignmentFactory.create(course=course, title="Draft one", status="draft")
    published = AssignmentFactory.create(course=course, title="Published one")
    submission_create(
        assignment=published, student=enrollment.student, text="", files=[pdf()], client_token=""
    )
    client.force_login(course.teacher)
    response = client.get(url("assignment-list", course_id=course.pk))
    assert response.status_code == 200
    rows = {r.assignment.pk: r for r in response.context["staff_rows"]}
    assert set(rows) == {draft.pk, published.pk}
    assert (rows[published.pk].submitted, rows[published.pk].assigned) == (1, 1)
    assert "1 of 1" in response.content.decode()


def test_student_list_shows_only_their_published_work_with_status(client, course, enrollment):
    mine = AssignmentFactory.create(course=course, title="Mine")
    AssignmentFactory.create(course=course, title="Draft", status="draft")
    theirs = AssignmentFactory.create(course=course, title="Theirs")
    AssignmentStudent.objects.create(
        assignment=theirs, student=EnrollmentFactory.create(course=course).student
    )
    client.force_login(enrollment.student)
    response = client.get(url("assignment-list", course_id=course.pk))
    assert [r.assignment for r in response.context["student_rows"]] == [mine]
    body = response.content.decode()
    assert "Not submitted" in body
    assert "Draft" not in body
    assert "Theirs" not in body


@pytest.mark.parametrize("size", [1, 10])
def test_list_and_detail_queries_do_not_grow(
    client, course, enrollment, size, django_assert_max_num_queries
):
    assignment = AssignmentFactory.create(course=course)
    for _ in range(size):
        AssignmentFactory.create(course=course)
        EnrollmentFactory.create(course=course)
        submission_create(
            assignment=assignment,
            student=enrollment.student,
            text="",
            files=[pdf(), pdf("b.pdf")],
            client_token="",
        )
        assignment.attachments.create(
            file=SimpleUploadedFile("x", b"x"), original_name="a.pdf", content_type="x", size=1
        )
    for user in (course.teacher, enrollment.student):
        client.force_login(user)
        # Session, user, course with membership, the page's own reads.
        with django_assert_max_num_queries(6):
            client.get(url("assignment-list", course_id=course.pk))
    client.force_login(enrollment.student)
    with django_assert_max_num_queries(12):
        response = client.get(assignment.get_absolute_url())
    assert len(response.context["submission"].attempts.all()) == size
    client.force_login(course.teacher)
    with django_assert_max_num_queries(7):
        client.get(assignment.get_absolute_url())


# Create, edit, publish, delete ---------------------------------------------------------------


def test_teacher_creates_a_draft_in_their_zone(client, course, teacher):
    teacher.timezone = "Europe/Paris"
    teacher.save(update_fields=["timezone"])
    client.force_login(teacher)
    response = client.post(
        url("assignment-create", course_id=course.pk),
        form_data(attachments=[pdf("brief.pdf"), pdf("rubric.pdf")]),
    )
    assignment = Assignment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == assignment.get_absolute_url()
    assert assignment.status == Assignment.Status.DRAFT
    assert assignment.due_at == datetime(2030, 3, 1, 16, 0, tzinfo=UTC)  # 17:00 in Paris
    assert assignment.due_zone == "Europe/Paris"
    assert assignment.grade_item.max_points == Decimal(20)
    assert sorted(a.original_name for a in assignment.attachments.all()) == [
        "brief.pdf",
        "rubric.pdf",
    ]


def test_create_reads_the_browser_zone_without_a_profile_zone(client, course, teacher):
    client.force_login(teacher)
    client.post(
        url("assignment-create", course_id=course.pk),
        form_data(browser_time_zone="Asia/Tokyo"),
    )
    assignment = Assignment.objects.get()
    assert assignment.due_at == datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
    assert assignment.due_zone == "Asia/Tokyo"


def test_create_for_chosen_students(client, course, enrollment):
    client.force_login(course.teacher)
    response = client.post(
        url("assignment-create", course_id=course.pk),
        form_data(assign_to="chosen", students=[enrollment.student.pk]),
    )
    assert response.status_code == 302
    assert AssignmentStudent.objects.get().student == enrollment.student


def test_a_course_with_categories_offers_them(client, course):
    homework = GradeCategory.objects.create(course=course, name="Homework", weight=Decimal(40))
    GradeCategory.objects.create(
        course=AssignmentFactory.create().course, name="Elsewhere", weight=Decimal(10)
    )
    client.force_login(course.teacher)
    page = client.get(url("assignment-create", course_id=course.pk)).content.decode()
    assert "Homework" in page
    assert "Elsewhere" not in page
    client.post(url("assignment-create", course_id=course.pk), form_data(category=homework.pk))
    assert Assignment.objects.get(course=course).grade_item.category == homework


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"due_at": "not a date"}, "due_at"),
        ({"points": "-3"}, "points"),
        ({"assign_to": "chosen"}, "students"),
        ({"students": ["999999"], "assign_to": "chosen"}, "students"),
        (
            {"accepts_late": "on", "cutoff_at": "2030-02-01T10:00"},
            "cutoff_at",
        ),
        ({"attachments": [SimpleUploadedFile("virus.pdf", files.ELF)]}, "attachments"),
    ],
)
def test_create_shows_errors_and_saves_nothing(client, course, overrides, field):
    client.force_login(course.teacher)
    response = client.post(url("assignment-create", course_id=course.pk), form_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Assignment.objects.exists()


def test_create_answers_the_upload_script_in_json(client, course, settings):
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 10
    client.force_login(course.teacher)
    response = client.post(
        url("assignment-create", course_id=course.pk),
        form_data(attachments=[SimpleUploadedFile("big.txt", b"a" * 11)]),
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 400
    errors = json.loads(response.content)["errors"]
    assert "too large" in errors["attachments"][0]
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 10_000
    response = client.post(
        url("assignment-create", course_id=course.pk),
        form_data(),
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert json.loads(response.content) == {
        "ok": True,
        "redirect": Assignment.objects.get().get_absolute_url(),
    }


def test_edit_shows_and_reads_the_due_date_in_its_own_zone(client, course, enrollment):
    assignment = AssignmentFactory.create(
        course=course, due_at=datetime(2030, 3, 1, 16, 0, tzinfo=UTC), due_zone="Europe/Paris"
    )
    AssignmentStudent.objects.create(assignment=assignment, student=enrollment.student)
    assistant = TeacherFactory.create(timezone="Asia/Tokyo")
    assistant_add(course=course, user=assistant)
    client.force_login(assistant)
    page = client.get(url("assignment-edit", assignment_id=assignment.pk))
    assert 'value="2030-03-01T17:00"' in page.content.decode()
    assert "Europe/Paris" in page.content.decode()
    response = client.post(
        url("assignment-edit", assignment_id=assignment.pk),
        form_data(title="Long essay", points="30", due_at="2030-03-02T17:00"),
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.due_at == datetime(2030, 3, 2, 16, 0, tzinfo=UTC)
    item = GradeItem.objects.get()
    assert (item.title, item.max_points, item.dated_at) == (
        "Long essay",
        Decimal(30),
        assignment.due_at,
    )
    assert not AssignmentStudent.objects.exists()  # assigned to everybody now


def test_edit_refuses_points_below_a_given_grade(client, course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    grade_record(item=assignment.grade_item, student=enrollment.student, points=Decimal(8), by=None)
    client.force_login(course.teacher)
    response = client.post(
        url("assignment-edit", assignment_id=assignment.pk), form_data(points="5")
    )
    assert response.status_code == 400
    assert "points" in response.context["form"].errors


def test_publish_notifies_students_and_a_second_publish_does_nothing(
    client, course, enrollment, django_capture_on_commit_callbacks
):
    assignment = AssignmentFactory.create(course=course, status="draft", published_at=None)
    client.force_login(course.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("assignment-publish", assignment_id=assignment.pk))
    assert response.status_code == 302
    client.post(url("assignment-publish", assignment_id=assignment.pk))
    assert (
        Notification.objects.filter(
            recipient=enrollment.student, kind=Notification.Kind.ASSIGNMENT_PUBLISHED
        ).count()
        == 1
    )
    assert GradeItem.objects.get().is_published


def test_delete_asks_then_deletes(client, course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    client.force_login(course.teacher)
    page = client.get(url("assignment-delete", assignment_id=assignment.pk))
    assert "cannot be undone" in page.content.decode()
    response = client.post(url("assignment-delete", assignment_id=assignment.pk))
    assert response["Location"] == url("assignment-list", course_id=course.pk)
    assert not Assignment.objects.exists()
    assert not GradeItem.objects.exists()


def test_attachment_remove_and_download(client, course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    attachment = assignment.attachments.create(
        file=SimpleUploadedFile("stored", files.PDF),
        original_name="Brief \u2013 week 1.pdf",
        content_type="application/pdf",
        size=len(files.PDF),
    )
    client.force_login(enrollment.student)
    response = client.get(url("attachment-download", attachment_id=attachment.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "filename*=UTF-8''Brief%20%E2%80%93%20week%201.pdf" in response["Content-Disposition"]
    assert client.post(url("attachment-delete", attachment_id=attachment.pk)).status_code == 403
    client.force_login(course.teacher)
    response = client.post(url("attachment-delete", attachment_id=attachment.pk))
    assert response["Location"] == url("assignment-edit", assignment_id=assignment.pk)
    assert not AssignmentAttachment.objects.exists()


# Detail and submitting ----------------------------------------------------------------------


def submit(
    client: Client, assignment: Assignment, headers: dict[str, str] | None = None, **data: Any
) -> ClientResponse:
    return client.post(url("assignment-submit", assignment_id=assignment.pk), data, headers=headers)


def test_detail_renders_sanitized_instructions_and_a_one_time_token(client, course, enrollment):
    assignment = AssignmentFactory.create(
        course=course, instructions="**Read** <script>alert(1)</script>"
    )
    client.force_login(enrollment.student)
    first = client.get(assignment.get_absolute_url())
    body = first.content.decode()
    assert "<strong>Read</strong>" in body
    assert "<script>alert" not in body
    second = client.get(assignment.get_absolute_url())
    tokens = [r.context["form"].initial["client_token"] for r in (first, second)]
    assert tokens[0] != tokens[1]
    assert f'value="{tokens[0]}"' in body


def test_student_submits_files_and_sees_each_attempt(client, course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    client.force_login(enrollment.student)
    response = submit(client, assignment, uploads=[pdf("v1.pdf"), pdf("v2.pdf")], client_token="t1")
    assert response.status_code == 302
    assert response["Location"] == f"{assignment.get_absolute_url()}#submission"
    submit(client, assignment, uploads=[pdf("v3.pdf")], client_token="t2")
    page = client.get(assignment.get_absolute_url())
    body = page.content.decode()
    assert "Attempt 2" in body
    assert "Attempt 1" in body
    assert "v1.pdf" in body
    assert "On time" in body
    assert "Submit again" in body


def test_a_double_submit_records_one_attempt_and_says_so(client, course, enrollment):
    assignment = AssignmentFactory.create(course=course, submission_type="text")
    client.force_login(enrollment.student)
    submit(client, assignment, text="Answer", client_token="same")
    response = submit(client, assignment, text="Answer", client_token="same")
    assert response.status_code == 302
    assert SubmissionAttempt.objects.count() == 1
    page = client.get(assignment.get_absolute_url())
    assert "submitted already" in page.content.decode()


def test_late_attempt_is_marked_late(client, course, enrollment):
    assignment = AssignmentFactory.create(
        course=course, due_at=timezone.now() - timedelta(days=1, hours=2), accepts_late=True
    )
    client.force_login(enrollment.student)
    submit(client, assignment, uploads=[pdf()])
    body = client.get(assignment.get_absolute_url()).content.decode()
    assert "Late by 2 days" in body


@pytest.mark.parametrize(
    ("fields", "data", "message"),
    [
        ({}, {}, "Choose a file to submit."),
        ({"submission_type": "text"}, {"text": " "}, "Write your answer before submitting."),
        ({}, {"uploads": [SimpleUploadedFile("a.pdf", files.PE)]}, "a.pdf: "),
        ({}, {"uploads": [pdf()], "client_token": "<bad>"}, "out of date"),
    ],
)
def test_refused_submits_show_the_reason_and_record_nothing(
    client, course, enrollment, fields, data, message
):
    assignment = AssignmentFactory.create(course=course, **fields)
    client.force_login(enrollment.student)
    response = submit(client, assignment, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Submission.objects.exists()


def test_submit_after_the_due_date_is_refused_with_the_reason(client, course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    client.force_login(enrollment.student)
    page = client.get(assignment.get_absolute_url())
    assert page.context["form"] is not None
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    response = submit(client, assignment, uploads=[pdf()])
    assert response.status_code == 400
    assert "The due date has passed" in response.content.decode()
    assert not Submission.objects.exists()
    later = client.get(assignment.get_absolute_url())
    assert "form" not in later.context
    assert "no longer takes work" in later.content.decode()


def test_oversized_submit_is_dropped_while_it_arrives(client, course, enrollment, settings):
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 50
    assignment = AssignmentFactory.create(course=course)
    client.force_login(enrollment.student)
    response = submit(
        client,
        assignment,
        uploads=[SimpleUploadedFile("big.pdf", b"%PDF" + b"a" * 100)],
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 400
    assert "too large" in json.loads(response.content)["errors"]["uploads"][0]
    assert not Submission.objects.exists()


def test_staff_cannot_submit(client, course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    client.force_login(course.teacher)
    assert submit(client, assignment, uploads=[pdf()]).status_code == 403
    assert "form" not in client.get(assignment.get_absolute_url()).context


def test_student_sees_the_released_grade_with_feedback(client, course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    grade_record(
        item=assignment.grade_item,
        student=enrollment.student,
        points=Decimal("8.5"),
        by=None,
        feedback="*Well* done",
    )
    client.force_login(enrollment.student)
    assert "Your grade" not in client.get(assignment.get_absolute_url()).content.decode()
    GradeItem.objects.update(released_at=timezone.now() - timedelta(minutes=1))
    body = client.get(assignment.get_absolute_url()).content.decode()
    assert "8.50 / 10 points" in body
    assert "<em>Well</em> done" in body


# Submitted files -------------------------------------------------------------------------------


def _submitted_file(assignment: Assignment, student: User) -> SubmissionFile:
    submission_create(
        assignment=assignment, student=student, text="", files=[pdf("mine.pdf")], client_token=""
    )
    return SubmissionFile.objects.get(attempt__submission__student=student)


def test_submitted_file_is_for_its_author_and_the_staff_only(client, course, enrollment):
    assignment = AssignmentFactory.create(course=course)
    found = _submitted_file(assignment, enrollment.student)
    download = url("submission-file-download", file_id=found.pk)
    classmate = EnrollmentFactory.create(course=course).student
    assistant = TeacherFactory.create()
    assistant_add(course=course, user=assistant)
    expected: list[tuple[User, int]] = [
        (enrollment.student, 200),
        (course.teacher, 200),
        (assistant, 200),
        (classmate, 404),
        (TeacherFactory.create(), 404),
    ]
    for user, status in expected:
        client.force_login(user)
        response = client.get(download)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Disposition"] == 'attachment; filename="mine.pdf"'
            assert response["Cache-Control"] == "private, no-store"


def test_a_missing_stored_file_is_a_404_not_a_500(client, course, enrollment, media_root: Path):
    assignment = AssignmentFactory.create(course=course)
    found = _submitted_file(assignment, enrollment.student)
    (media_root / found.file.name).unlink()
    client.force_login(enrollment.student)
    assert client.get(url("submission-file-download", file_id=found.pk)).status_code == 404


def test_unknown_ids_are_404(client, course: Course, enrollment):
    client.force_login(course.teacher)
    for name, kwarg in (
        ("assignment-detail", "assignment_id"),
        ("assignment-edit", "assignment_id"),
        ("attachment-download", "attachment_id"),
        ("submission-file-download", "file_id"),
    ):
        assert client.get(url(name, **{kwarg: 987654})).status_code == 404
