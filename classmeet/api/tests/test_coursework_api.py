"""The coursework API on bad input (issue 23's list): every refusal is a 4xx in the API's error
body, never a 500, and nothing is lost (a resubmission keeps the earlier attempt; one
Idempotency-Key records one attempt, also when two requests race)."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.api.services import api_token_create
from classmeet.courses.models import CourseAssistant
from classmeet.courses.tests import files
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.coursework.models import (
    Answer,
    Assignment,
    AssignmentStudent,
    Grade,
    QuizAttempt,
    SubmissionAttempt,
)
from classmeet.coursework.services.grades import grade_release
from classmeet.coursework.services.quizzes import attempt_start, grace
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.coursework.tests.grading_factories import SubmissionFactory
from classmeet.coursework.tests.quiz_factories import QuizFactory, single_question

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def refused(response: Any, code: int, field: str | None = None) -> dict[str, Any]:
    """Assert a refusal in the API's error body; return the body."""
    assert response.status_code == code, response.content
    body: dict[str, Any] = response.json()
    assert set(body) >= {"detail", "code"}
    if field is not None:
        assert body["errors"][field], body
    return body


def submit_url(assignment: Assignment) -> str:
    return reverse("api:submission-create", kwargs={"assignment_id": assignment.pk})


@pytest.fixture
def text_assignment(course, enrollment) -> Assignment:
    return AssignmentFactory.create(course=course, submission_type="text")


@pytest.fixture
def file_assignment(course, enrollment) -> Assignment:
    return AssignmentFactory.create(course=course, submission_type="file")


# Submissions --------------------------------------------------------------------------------


def test_a_resubmission_keeps_the_earlier_attempt(token_client, student, text_assignment):
    client = token_client(student)
    first = client.post(submit_url(text_assignment), {"text": "Draft"}, format="multipart")
    second = client.post(submit_url(text_assignment), {"text": "Final"}, format="multipart")
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["number"], second.json()["number"]) == (1, 2)
    mine = client.get(reverse("api:submission-mine", kwargs={"assignment_id": text_assignment.pk}))
    assert [a["text"] for a in mine.json()["results"]] == ["Final", "Draft"]


def test_one_idempotency_key_records_one_attempt(token_client, student, text_assignment):
    client = token_client(student)
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-1"}
    first = client.post(submit_url(text_assignment), {"text": "A"}, format="multipart", **headers)
    again = client.post(submit_url(text_assignment), {"text": "A"}, format="multipart", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert SubmissionAttempt.objects.count() == 1


def test_a_malformed_idempotency_key_is_refused(token_client, student, text_assignment):
    response = token_client(student).post(
        submit_url(text_assignment),
        {"text": "A"},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="x" * 65,
    )
    refused(response, 400, "Idempotency-Key")
    assert not SubmissionAttempt.objects.exists()


def test_submissions_after_the_due_date_without_late_work_are_refused(
    token_client, student, course, enrollment
):
    closed = AssignmentFactory.create(
        course=course, submission_type="text", due_at=timezone.now() - timedelta(minutes=1)
    )
    body = refused(
        token_client(student).post(submit_url(closed), {"text": "Late"}, format="multipart"),
        400,
        "non_field_errors",
    )
    assert "due date has passed" in body["errors"]["non_field_errors"][0]
    assert not SubmissionAttempt.objects.exists()


def test_submissions_after_the_cutoff_are_refused(token_client, student, course, enrollment):
    now = timezone.now()
    closed = AssignmentFactory.create(
        course=course,
        submission_type="text",
        due_at=now - timedelta(days=2),
        accepts_late=True,
        cutoff_at=now - timedelta(days=1),
    )
    body = refused(
        token_client(student).post(submit_url(closed), {"text": "Late"}, format="multipart"), 400
    )
    assert "cut-off" in str(body["errors"])
    assert not SubmissionAttempt.objects.exists()


def test_late_work_before_the_cutoff_is_taken_and_marked_late(
    token_client, student, course, enrollment
):
    now = timezone.now()
    late = AssignmentFactory.create(
        course=course,
        submission_type="text",
        due_at=now - timedelta(hours=1),
        accepts_late=True,
        cutoff_at=now + timedelta(days=1),
    )
    response = token_client(student).post(submit_url(late), {"text": "Sorry"}, format="multipart")
    assert response.status_code == 201, response.content
    assert (response.json()["is_late"], response.json()["days_late"]) == (True, 1)


def test_drafts_and_assignments_for_others_are_hidden_from_students(
    token_client, student, course, enrollment
):
    draft = AssignmentFactory.create(course=course, submission_type="text", status="draft")
    other = StudentFactory.create()
    EnrollmentFactory.create(course=course, student=other)
    named = AssignmentFactory.create(course=course, submission_type="text")
    AssignmentStudent.objects.create(assignment=named, student=other)
    client = token_client(student)
    for assignment in (draft, named):
        refused(client.post(submit_url(assignment), {"text": "A"}, format="multipart"), 404)
        detail = reverse("api:assignment-detail", kwargs={"assignment_id": assignment.pk})
        refused(client.get(detail), 404)
    listed = client.get(reverse("api:assignment-list", kwargs={"course_id": course.pk}))
    assert listed.json()["results"] == []
    assert not SubmissionAttempt.objects.exists()


def test_staff_and_other_courses_students_cannot_submit(
    token_client, teacher, course, text_assignment
):
    assistant = StudentFactory.create()
    CourseAssistant.objects.create(course=course, user=assistant, added_by=teacher)
    stranger = StudentFactory.create()
    EnrollmentFactory.create(course=CourseFactory.create(), student=stranger)
    url = submit_url(text_assignment)
    refused(token_client(teacher).post(url, {"text": "A"}, format="multipart"), 403)
    refused(token_client(assistant).post(url, {"text": "A"}, format="multipart"), 403)
    refused(token_client(stranger).post(url, {"text": "A"}, format="multipart"), 404)
    assert not SubmissionAttempt.objects.exists()


def test_a_file_is_uploaded_with_the_attempt(token_client, student, file_assignment):
    upload = SimpleUploadedFile("essay.pdf", files.PDF, content_type="application/pdf")
    response = token_client(student).post(
        submit_url(file_assignment), {"files": [upload]}, format="multipart"
    )
    assert response.status_code == 201, response.content
    [stored] = response.json()["files"]
    assert (stored["original_name"], stored["content_type"]) == ("essay.pdf", "application/pdf")


def test_a_disguised_file_is_refused(token_client, student, file_assignment):
    program = SimpleUploadedFile("essay.pdf", files.ELF, content_type="application/pdf")
    body = refused(
        token_client(student).post(
            submit_url(file_assignment), {"files": [program]}, format="multipart"
        ),
        400,
        "files",
    )
    assert "essay.pdf" in body["errors"]["files"][0]
    assert not SubmissionAttempt.objects.exists()


def test_an_oversized_file_is_refused(token_client, student, file_assignment, settings):
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 1024
    big = SimpleUploadedFile("essay.pdf", files.PDF + b"0" * 4096, content_type="application/pdf")
    body = refused(
        token_client(student).post(
            submit_url(file_assignment), {"files": [big]}, format="multipart"
        ),
        400,
        "files",
    )
    assert "too large" in body["errors"]["files"][0]
    assert not SubmissionAttempt.objects.exists()


def test_text_for_a_file_assignment_is_refused(token_client, student, file_assignment):
    refused(
        token_client(student).post(submit_url(file_assignment), {"text": "A"}, format="multipart"),
        400,
        "text",
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_with_one_idempotency_key_record_one_attempt(student, text_assignment):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite runs one writer at a time)")
    _token, raw = api_token_create(user=student, name="race")
    racers = 4
    barrier = threading.Barrier(racers)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
            barrier.wait()
            response = client.post(
                submit_url(text_assignment),
                {"text": "Once"},
                format="multipart",
                HTTP_IDEMPOTENCY_KEY="same-request",
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] * (racers - 1) + [201]
    assert SubmissionAttempt.objects.count() == 1


# Grades -------------------------------------------------------------------------------------


def grade_url(assignment: Assignment, student_id: int) -> str:
    return reverse(
        "api:grade-update", kwargs={"assignment_id": assignment.pk, "student_id": student_id}
    )


def test_grades_out_of_range_are_refused(token_client, teacher, student, text_assignment):
    client = token_client(teacher)
    url = grade_url(text_assignment, student.pk)
    refused(client.put(url, {"points": "10.01", "feedback": ""}), 400, "points")
    refused(client.put(url, {"points": "-1", "feedback": ""}), 400, "points")
    refused(client.put(url, {"points": "1.001", "feedback": ""}), 400, "points")
    assert not Grade.objects.filter(graded_at__isnull=False).exists()


def test_students_cannot_grade(token_client, student, text_assignment):
    refused(
        token_client(student).put(
            grade_url(text_assignment, student.pk), {"points": "10", "feedback": ""}
        ),
        403,
    )
    assert not Grade.objects.exists()


def test_grading_somebody_the_assignment_is_not_for_is_404(token_client, teacher, text_assignment):
    stranger = StudentFactory.create()
    refused(
        token_client(teacher).put(
            grade_url(text_assignment, stranger.pk), {"points": "1", "feedback": ""}
        ),
        404,
    )


def test_a_student_sees_a_grade_only_once_released(
    token_client, teacher, student, course, text_assignment
):
    SubmissionFactory.create(assignment=text_assignment, student=student)
    response = token_client(teacher).put(
        grade_url(text_assignment, student.pk), {"points": "7.5", "feedback": "Good *work*"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["points"] == "7.50"
    mine = reverse("api:my-grade-list", kwargs={"course_id": course.pk})
    student_client = token_client(student)
    assert student_client.get(mine).json()["results"] == []
    release = reverse("api:grade-release", kwargs={"assignment_id": text_assignment.pk})
    assert token_client(teacher).post(release).status_code == 200
    [row] = student_client.get(mine).json()["results"]
    assert (row["points"], row["feedback"]) == ("7.50", "Good *work*")
    book = token_client(teacher).get(
        reverse("api:gradebook-detail", kwargs={"course_id": course.pk})
    )
    assert book.json()["rows"][0]["cells"] == ["7.50"]


# Quizzes ------------------------------------------------------------------------------------


@pytest.fixture
def quiz(course, enrollment) -> Any:
    quiz = QuizFactory.create(course=course, shuffle_options=True)
    single_question(quiz, options=5)
    return quiz


def start(client: APIClient, quiz: Any) -> Any:
    return client.post(reverse("api:quiz-attempt-start", kwargs={"quiz_id": quiz.pk}))


def answer_url(attempt_id: int) -> str:
    return reverse("api:quiz-answer-save", kwargs={"attempt_id": attempt_id})


def test_students_never_see_right_answers_while_the_quiz_is_open(token_client, student, quiz):
    client = token_client(student)
    detail = client.get(reverse("api:quiz-detail", kwargs={"quiz_id": quiz.pk})).json()
    assert "questions" not in detail
    assert detail["mine"]["attempts_left"] == 1
    refused(client.get(reverse("api:quiz-question-list", kwargs={"quiz_id": quiz.pk})), 403)
    attempt = start(client, quiz).json()
    [question] = attempt["questions"]
    assert question["right_choice_ids"] is None
    assert all(set(choice) == {"id", "text"} for choice in question["choices"])
    layout = QuizAttempt.objects.get().layout["choices"][str(question["id"])]
    assert [c["id"] for c in question["choices"]] == layout


def test_a_double_start_gives_the_same_attempt(token_client, student, quiz):
    client = token_client(student)
    first, again = start(client, quiz), start(client, quiz)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert QuizAttempt.objects.count() == 1


def test_answers_with_foreign_or_out_of_range_choices_are_refused(
    token_client, student, quiz, course
):
    client = token_client(student)
    attempt = start(client, quiz).json()
    question_id = attempt["questions"][0]["id"]
    other_quiz = QuizFactory.create(course=course)
    foreign = single_question(other_quiz).choices.order_by("pk")[0].pk
    url = answer_url(attempt["id"])
    refused(client.post(url, {"question_id": question_id, "choice_ids": [foreign]}), 400)
    refused(client.post(url, {"question_id": question_id, "choice_ids": [10**19]}), 400)
    refused(client.post(url, {"question_id": 10**19, "choice_ids": []}), 400, "question_id")
    refused(client.post(url, {"question_id": question_id, "choice_ids": ["x"]}), 400)
    two = [c["id"] for c in attempt["questions"][0]["choices"][:2]]
    refused(client.post(url, {"question_id": question_id, "choice_ids": two}), 400)
    assert not Answer.objects.exists()


def test_another_students_attempt_is_404(token_client, student, quiz, course):
    other = StudentFactory.create()
    EnrollmentFactory.create(course=course, student=other)
    theirs = attempt_start(quiz=quiz, student=other)
    question = quiz.questions.get()
    client = token_client(student)
    body = {"question_id": question.pk, "choice_ids": [question.choices.first().pk]}
    refused(client.post(answer_url(theirs.pk), body), 404)
    detail = reverse("api:quiz-attempt-detail", kwargs={"attempt_id": theirs.pk})
    refused(client.get(detail), 404)
    refused(client.post(reverse("api:quiz-attempt-submit", kwargs={"attempt_id": theirs.pk})), 404)
    assert not Answer.objects.exists()
    assert QuizAttempt.objects.get().submitted_at is None


def test_an_answer_after_the_deadline_is_refused_and_the_attempt_submitted(
    token_client, student, quiz
):
    client = token_client(student)
    attempt = start(client, quiz).json()
    question = attempt["questions"][0]
    QuizAttempt.objects.filter(pk=attempt["id"]).update(
        deadline_at=timezone.now() - grace() - timedelta(seconds=1)
    )
    body = refused(
        client.post(
            answer_url(attempt["id"]),
            {"question_id": question["id"], "choice_ids": [question["choices"][0]["id"]]},
        ),
        400,
    )
    assert "time is up" in str(body["errors"])
    assert not Answer.objects.exists()
    assert QuizAttempt.objects.get().submitted_at is not None


def test_an_answer_in_time_is_saved_and_graded_on_submit(token_client, student, quiz):
    client = token_client(student)
    attempt = start(client, quiz).json()
    question = quiz.questions.get()
    right = question.choices.get(is_correct=True).pk
    saved = client.post(
        answer_url(attempt["id"]), {"question_id": question.pk, "choice_ids": [right]}
    )
    assert saved.status_code == 200, saved.content
    submitted = client.post(
        reverse("api:quiz-attempt-submit", kwargs={"attempt_id": attempt["id"]})
    )
    assert submitted.status_code == 200
    assert submitted.json()["submitted_at"] is not None
    # Released immediately: the score shows; the right answers only once the quiz has closed.
    assert submitted.json()["score"] == "2.00"
    assert submitted.json()["questions"][0]["right_choice_ids"] is None


def test_staff_override_is_limited_to_the_quiz_points(token_client, teacher, student, quiz):
    url = reverse("api:quiz-score-override", kwargs={"quiz_id": quiz.pk, "student_id": student.pk})
    client = token_client(teacher)
    refused(client.put(url, {"points": "2.01"}), 400, "points")
    refused(token_client(student).put(url, {"points": "2"}), 403)
    response = client.put(url, {"points": "1.5", "feedback": "Partly right"})
    assert response.status_code == 200, response.content
    grade = Grade.objects.get()
    assert (grade.points, grade.is_override) == (Decimal("1.50"), True)


def test_draft_quizzes_are_hidden_from_students(token_client, student, course, enrollment):
    draft = QuizFactory.create(course=course, status="draft")
    client = token_client(student)
    refused(client.get(reverse("api:quiz-detail", kwargs={"quiz_id": draft.pk})), 404)
    refused(start(client, draft), 404)
    listed = client.get(reverse("api:quiz-list", kwargs={"course_id": course.pk}))
    assert listed.json()["results"] == []


def test_publishing_a_quiz_without_questions_is_refused(token_client, teacher, course):
    client = token_client(teacher)
    opens = timezone.now()
    created = client.post(
        reverse("api:quiz-create", kwargs={"course_id": course.pk}),
        {
            "title": "Empty",
            "opens_at": opens.isoformat(),
            "closes_at": (opens + timedelta(days=1)).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    publish = reverse("api:quiz-publish", kwargs={"quiz_id": created.json()["id"]})
    refused(client.post(publish), 400, "non_field_errors")


def test_a_quiz_closing_before_it_opens_is_refused(token_client, teacher, course):
    opens = timezone.now()
    refused(
        token_client(teacher).post(
            reverse("api:quiz-create", kwargs={"course_id": course.pk}),
            {
                "title": "Backwards",
                "opens_at": opens.isoformat(),
                "closes_at": (opens - timedelta(hours=1)).isoformat(),
            },
        ),
        400,
        "closes_at",
    )


# Authoring assignments ----------------------------------------------------------------------


def test_assignment_create_refuses_bad_dates_and_foreign_students(token_client, teacher, course):
    client = token_client(teacher)
    url = reverse("api:assignment-create", kwargs={"course_id": course.pk})
    due = timezone.now() + timedelta(days=2)
    refused(
        client.post(
            url,
            {
                "title": "Essay",
                "due_at": due.isoformat(),
                "accepts_late": True,
                "cutoff_at": (due - timedelta(days=1)).isoformat(),
            },
        ),
        400,
        "cutoff_at",
    )
    stranger = StudentFactory.create()
    refused(
        client.post(url, {"title": "Essay", "due_at": due.isoformat(), "students": [stranger.pk]}),
        400,
        "students",
    )
    assert not Assignment.objects.exists()


def test_assignment_lifecycle_for_staff(token_client, teacher, student, course, enrollment):
    client = token_client(teacher)
    due = timezone.now() + timedelta(days=2)
    created = client.post(
        reverse("api:assignment-create", kwargs={"course_id": course.pk}),
        {"title": "Essay", "points": "20", "due_at": due.isoformat(), "students": [student.pk]},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["points"], body["student_ids"]) == ("draft", "20.00", [student.pk])
    assert body["progress"] == {"assigned": 1, "submitted": 0, "late": 0, "graded": 0}
    assignment_id = body["id"]
    client.post(reverse("api:assignment-publish", kwargs={"assignment_id": assignment_id}))
    updated = client.patch(
        reverse("api:assignment-update", kwargs={"assignment_id": assignment_id}),
        {"title": "Long essay", "students": None},
    )
    assert updated.status_code == 200, updated.content
    assert (updated.json()["title"], updated.json()["student_ids"]) == ("Long essay", None)
    assert updated.json()["status"] == "published"
    seen = token_client(student).get(
        reverse("api:assignment-detail", kwargs={"assignment_id": assignment_id})
    )
    assert seen.json()["mine"]["status"] == "not_submitted"
    assert seen.json()["progress"] is None
    assert seen.json()["student_ids"] is None


def test_releasing_twice_keeps_the_first_release(token_client, teacher, text_assignment):
    url = reverse("api:grade-release", kwargs={"assignment_id": text_assignment.pk})
    first = token_client(teacher).post(url).json()["released_at"]
    grade_release(item=text_assignment.grade_item, by=teacher)
    assert token_client(teacher).post(url).json()["released_at"] == first
