"""The grading pages: the queue, one student's work and its form, release, the returned file."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.models import Assignment, Grade, GradeChange, Submission
from classmeet.coursework.services.grades import grade_release, submission_grade
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.coursework.tests.grading_factories import SubmissionFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment() -> Assignment:
    assignment = AssignmentFactory.create(
        due_at=timezone.now() - timedelta(days=3),
        accepts_late=True,
        late_penalty_percent=Decimal(10),
    )
    assignment.grade_item.max_points = Decimal(20)
    assignment.grade_item.save()
    return assignment


def _student(assignment: Assignment, last_name: str = "Lovelace") -> User:
    student = StudentFactory.create(last_name=last_name)
    EnrollmentFactory.create(course=assignment.course, student=student)
    return student


def _work_url(assignment: Assignment, student: User) -> str:
    return reverse(
        "coursework:grade-submission",
        kwargs={"assignment_id": assignment.pk, "student_id": student.pk},
    )


def _queue_url(assignment: Assignment) -> str:
    return reverse("coursework:grading-queue", kwargs={"assignment_id": assignment.pk})


def test_queue_shows_counts_and_every_assigned_student(client: Client, assignment):
    late = _student(assignment, "Babbage")
    missing = _student(assignment, "Curie")
    SubmissionFactory.create(assignment=assignment, student=late, attempt__days_late=2)
    client.force_login(assignment.course.teacher)
    response = client.get(_queue_url(assignment))
    assert response.status_code == 200
    queue = response.context["queue"]
    assert (queue.submitted, queue.late, queue.missing, queue.graded) == (1, 1, 1, 0)
    html = response.content.decode()
    assert f'data-student="{late.username}" data-status="to_grade"' in html
    assert f'data-student="{missing.username}" data-status="missing"' in html
    assert "Release grades" in html


def test_grading_page_shows_the_work_and_the_penalty_and_saves_the_grade(
    client: Client, assignment
):
    first, second = _student(assignment, "Avogadro"), _student(assignment, "Bohr")
    SubmissionFactory.create(
        assignment=assignment,
        student=first,
        attempt__days_late=2,
        attempt__text="<script>alert(1)</script>**bold**",
    )
    client.force_login(assignment.course.teacher)
    response = client.get(_work_url(assignment, first))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)" not in html
    assert 'id="late-penalty"' in html
    assert _work_url(assignment, second) in html  # next student
    response = client.post(
        _work_url(assignment, first),
        {"points": "15", "feedback": "Nice *work*", "save_next": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == _work_url(assignment, second)
    grade = Grade.objects.get(student=first)
    assert (grade.entered_points, grade.penalty_percent, grade.points) == (
        Decimal(15),
        Decimal(20),
        Decimal(12),
    )


@pytest.mark.parametrize("points", ["21", "-1", "1.005", "abc", "NaN", "1e9", ""])
def test_points_out_of_range_get_a_form_error(client: Client, assignment, points):
    student = _student(assignment)
    client.force_login(assignment.course.teacher)
    response = client.post(_work_url(assignment, student), {"points": points, "feedback": ""})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Grade.objects.filter(points__isnull=False).exists()


def test_missing_student_is_graded_zero(client: Client, assignment):
    student = _student(assignment)
    client.force_login(assignment.course.teacher)
    page = client.get(_work_url(assignment, student)).content.decode()
    assert 'id="nothing-submitted"' in page
    response = client.post(_work_url(assignment, student), {"points": "0", "feedback": ""})
    assert response.status_code == 302
    assert Grade.objects.get(student=student).points == Decimal(0)


def test_returned_file_is_validated_like_materials(client: Client, assignment):
    student = _student(assignment)
    SubmissionFactory.create(assignment=assignment, student=student)
    client.force_login(assignment.course.teacher)
    disguised = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = client.post(
        _work_url(assignment, student),
        {"points": "10", "feedback": "", "returned_file": disguised},
    )
    assert response.status_code == 400
    assert "returned_file" in response.context["form"].errors
    assert not Grade.objects.exists()


def test_returned_file_only_for_its_student_after_release_and_staff(
    client: Client, assignment, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    student, classmate = _student(assignment), _student(assignment, "Other")
    SubmissionFactory.create(assignment=assignment, student=student)
    teacher = assignment.course.teacher
    client.force_login(teacher)
    response = client.post(
        _work_url(assignment, student),
        {
            "points": "10",
            "feedback": "",
            "returned_file": SimpleUploadedFile("marked.pdf", b"%PDF-1.4\n%marked\n"),
        },
    )
    assert response.status_code == 302
    url = reverse(
        "coursework:grade-returned-file",
        kwargs={"assignment_id": assignment.pk, "student_id": student.pk},
    )
    assert client.get(url).status_code == 200
    client.force_login(student)
    assert client.get(url).status_code == 404  # not released yet
    grade_release(item=assignment.grade_item, by=teacher)
    response = client.get(url)
    assert response.status_code == 200
    assert response.getvalue() == b"%PDF-1.4\n%marked\n"
    assert "marked.pdf" in response["Content-Disposition"]
    client.force_login(classmate)
    assert client.get(url).status_code == 404
    Submission.objects.get().returned_file.delete()


def test_student_cannot_grade(client: Client, assignment):
    student = _student(assignment)
    client.force_login(student)
    response = client.post(_work_url(assignment, student), {"points": "20", "feedback": ""})
    assert response.status_code == 403
    assert not Grade.objects.exists()
    assert client.get(_queue_url(assignment)).status_code == 403


def test_unassigned_or_unknown_student_is_404(client: Client, assignment):
    client.force_login(assignment.course.teacher)
    outsider = StudentFactory.create()
    assert client.get(_work_url(assignment, outsider)).status_code == 404


def test_release_button_notifies_and_history_shows_after_a_change(client: Client, assignment):
    student = _student(assignment)
    teacher = assignment.course.teacher
    submission_grade(
        assignment=assignment, student=student, points=Decimal(10), feedback="", by=teacher
    )
    client.force_login(teacher)
    release = reverse("coursework:grade-release", kwargs={"assignment_id": assignment.pk})
    assert client.post(release).status_code == 302
    assert Notification.objects.filter(
        recipient=student, kind=Notification.Kind.GRADE_RELEASED
    ).exists()
    client.post(_work_url(assignment, student), {"points": "12", "feedback": ""})
    assert GradeChange.objects.count() == 1
    page = client.get(_work_url(assignment, student)).content.decode()
    assert 'id="grade-history"' in page
    assert "10 → 12" in page


def test_class_average_switch(client: Client, assignment):
    client.force_login(assignment.course.teacher)
    url = reverse("coursework:grade-class-average", kwargs={"assignment_id": assignment.pk})
    client.post(url, {"show": "1"})
    assignment.grade_item.refresh_from_db()
    assert assignment.grade_item.show_class_average
    client.post(url, {})
    assignment.grade_item.refresh_from_db()
    assert not assignment.grade_item.show_class_average


def test_points_are_written_as_the_pages_language_writes_them(client: Client, assignment):
    """A French page shows "8,5" and takes it back; a point is accepted in every language."""
    student, other = _student(assignment), _student(assignment, "Noether")
    client.force_login(assignment.course.teacher)
    french = {"Accept-Language": "fr"}
    response = client.post(_work_url(assignment, student), {"points": "8,5"}, headers=french)
    assert response.status_code == 302
    assert Grade.objects.get(student=student).entered_points == Decimal("8.5")
    page = client.get(_work_url(assignment, student), headers=french).content.decode()
    assert 'inputmode="decimal"' in page
    assert 'value="8,50"' in page
    response = client.post(_work_url(assignment, other), {"points": "7.25"}, headers=french)
    assert Grade.objects.get(student=other).entered_points == Decimal("7.25")
    english = client.post(_work_url(assignment, other), {"points": "8,5"})
    assert english.status_code == 400
