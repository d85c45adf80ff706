"""`manage.py seed_demo`: the live class's course gets assignments, submissions, a quiz and a
gradebook, made through the coursework services, once."""

import io
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from classmeet.courses.models import Course
from classmeet.coursework.models import (
    Assignment,
    Grade,
    GradeCategory,
    GradeChange,
    Question,
    Quiz,
    QuizAttempt,
    Submission,
    SubmissionAttempt,
    SubmissionFile,
)
from classmeet.demo.seeders import DEMO_PASSWORD
from classmeet.meetings.models import Meeting
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


def run_json() -> dict[str, Any]:
    out = io.StringIO()
    call_command("seed_demo", "--json", stdout=out)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def coursework_counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Assignment,
            Submission,
            SubmissionAttempt,
            SubmissionFile,
            Grade,
            GradeChange,
            GradeCategory,
            Quiz,
            Question,
            QuizAttempt,
            Notification,
        )
    )


def test_the_live_class_course_has_graded_late_and_missing_work():
    run_json()
    course = Meeting.objects.get().course
    lab = Assignment.objects.get(course=course, submission_type=Assignment.SubmissionType.FILE)
    assert lab.is_published
    assert lab.due_at < timezone.now()
    assert lab.accepts_submissions()  # late work until the cut-off
    assert lab.late_penalty_percent == Decimal(10)
    by_student = {s.student.username: s for s in Submission.objects.filter(assignment=lab)}
    assert set(by_student) == {"student1", "student2"}  # student3's is missing
    assert not by_student["student1"].is_late
    assert by_student["student2"].is_late
    late_attempt = SubmissionAttempt.objects.get(submission=by_student["student2"])
    assert late_attempt.days_late == 1
    files = SubmissionFile.objects.filter(attempt__submission__assignment=lab)
    assert files.count() == 2
    for row in files:
        with row.file.open("rb") as handle:
            assert handle.read(8) == b"%PDF-1.4"
    assert lab.grade_item.is_released()
    grade = Grade.objects.get(item=lab.grade_item)
    assert grade.student.username == "student1"
    assert grade.points == Decimal(9)
    assert grade.feedback
    assert grade.graded_by == course.teacher
    assert Notification.objects.filter(kind=Notification.Kind.GRADE_RELEASED).count() == 1


def test_a_text_assignment_a_draft_and_two_weighted_categories():
    run_json()
    course = Meeting.objects.get().course
    kinds = {
        a.title: (a.submission_type, a.status) for a in Assignment.objects.filter(course=course)
    }
    assert sorted(kinds.values()) == [
        (Assignment.SubmissionType.BOTH, Assignment.Status.DRAFT),
        (Assignment.SubmissionType.FILE, Assignment.Status.PUBLISHED),
        (Assignment.SubmissionType.TEXT, Assignment.Status.PUBLISHED),
    ]
    categories = {c.name: c.weight for c in GradeCategory.objects.filter(course=course)}
    assert categories == {"Assignments": Decimal(60), "Quizzes": Decimal(40)}
    assert not Assignment.objects.filter(grade_item__category__isnull=True).exists()
    quiz_category = Quiz.objects.get().grade_item.category
    assert quiz_category is not None
    assert quiz_category.name == "Quizzes"
    assert not Assignment.objects.exclude(course=course).exists()


def test_a_published_quiz_of_every_question_kind_with_a_time_limit_and_a_graded_attempt():
    run_json()
    quiz = Quiz.objects.get()
    assert quiz.course == Meeting.objects.get().course
    assert quiz.is_open()
    assert quiz.time_limit_minutes == 20
    assert sorted(quiz.questions.values_list("kind", flat=True)) == sorted(Question.Kind.values)
    assert quiz.grade_item.max_points == Decimal(8)
    attempt = QuizAttempt.objects.get()
    assert attempt.student.username == "student1"
    assert attempt.submitted_at is not None
    assert attempt.submitted_at <= attempt.deadline_at
    assert attempt.deadline_at - attempt.started_at == timedelta(minutes=20)
    assert attempt.score == Decimal(6)  # all right but the multiple choice (one of its two)
    grade = Grade.objects.get(item=quiz.grade_item)
    assert grade.points == Decimal(6)
    assert quiz.grade_item.is_released()  # released as soon as a student submits


def test_json_lists_assignments_quizzes_and_gradebooks():
    data = run_json()
    first = data["courses"][0]
    assert [a["title"] for a in data["assignments"]] == list(
        Assignment.objects.order_by("id").values_list("title", flat=True)
    )
    for entry in data["assignments"] + data["quizzes"]:
        assert {"id", "course_id", "title", "url"} <= set(entry)
        assert entry["course_id"] == first["id"]
    for entry in data["assignments"]:
        assert entry["url"] == f"/coursework/assignments/{entry['id']}/"
    (quiz,) = data["quizzes"]
    assert quiz["url"] == f"/coursework/quizzes/{quiz['id']}/"
    for course in data["courses"]:
        assert course["gradebook_url"] == f"/coursework/courses/{course['id']}/gradebook/"
        assert course["gradebook_csv_url"] == f"/coursework/courses/{course['id']}/gradebook.csv"


def test_a_rerun_creates_no_coursework_and_prints_the_same():
    first = run_json()
    before = coursework_counts()
    assert run_json() == first
    assert coursework_counts() == before


def test_a_rerun_reopens_a_quiz_about_to_close_and_keeps_its_attempt():
    run_json()
    quiz = Quiz.objects.get()
    quiz.opens_at = timezone.now() - timedelta(days=10)
    quiz.closes_at = timezone.now() - timedelta(days=1)
    quiz.save()
    before = coursework_counts()
    run_json()
    quiz.refresh_from_db()
    assert quiz.is_open()
    assert quiz.closes_at > timezone.now() + timedelta(days=6)
    assert quiz.grade_item.dated_at == quiz.closes_at
    assert coursework_counts() == before
    assert QuizAttempt.objects.get().score == Decimal(6)


def test_the_demo_logins_open_the_coursework_pages(client):
    data = run_json()
    course = data["courses"][0]
    lab, _text, draft = data["assignments"]
    quiz = data["quizzes"][0]
    client.post("/auth/signin/", {"username": "student1", "password": DEMO_PASSWORD})
    assert client.get(lab["url"]).status_code == 200
    assert client.get(quiz["url"]).status_code == 200
    assert client.get(draft["url"]).status_code == 404
    grades = client.get(f"/coursework/courses/{course['id']}/grades/")
    assert grades.status_code == 200
    assert "path difference" in grades.content.decode()  # the released feedback
    assert client.get(course["gradebook_url"]).status_code in {403, 404}
    client.post("/auth/logout/")
    client.post("/auth/signin/", {"username": "teacher2", "password": DEMO_PASSWORD})  # assistant
    assert client.get(course["gradebook_url"]).status_code == 200
    csv = client.get(course["gradebook_csv_url"])
    assert csv.status_code == 200
    body = b"".join(csv.streaming_content).decode()
    assert "student1" in body
    assert "student3" in body
    queue = client.get(f"/coursework/assignments/{lab['id']}/grading/")
    assert queue.status_code == 200
    assert client.get(draft["url"]).status_code == 200
    assert Course.objects.count() == 2
