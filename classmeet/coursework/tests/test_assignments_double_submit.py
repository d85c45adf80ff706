"""Two submits of the same form racing on PostgreSQL: exactly one attempt is recorded."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from classmeet.accounts.models import User
from classmeet.courses.tests import files
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.models import Assignment, Submission, SubmissionAttempt, SubmissionFile
from classmeet.coursework.services.assignments import Submitted, submission_create
from classmeet.coursework.tests.factories import AssignmentFactory

RACERS = 4


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def race(assignment: Assignment, student: User, tokens: list[str]) -> list[Submitted]:
    """Submit once per token, all threads released together; return what each got."""
    barrier = threading.Barrier(len(tokens))
    results: list[Submitted] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def submit(token: str) -> None:
        try:
            barrier.wait()
            result = submission_create(
                assignment=assignment,
                student=student,
                text="",
                files=[SimpleUploadedFile("essay.pdf", files.PDF)],
                client_token=token,
            )
            with lock:
                results.append(result)
        except BaseException as error:  # reported below: a thread's exception is otherwise lost
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


@pytest.fixture
def racing_student(db: None) -> tuple[Assignment, User]:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite runs one writer at a time)")
    enrollment = EnrollmentFactory.create()
    return AssignmentFactory.create(course=enrollment.course), enrollment.student


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_of_one_form_records_one_attempt(racing_student, media_root):
    assignment, student = racing_student
    results = race(assignment, student, ["same-form"] * RACERS)
    assert sorted(r.created for r in results) == [False] * (RACERS - 1) + [True]
    assert len({r.attempt.pk for r in results}) == 1
    attempt = SubmissionAttempt.objects.get()
    assert (attempt.number, attempt.client_token) == (1, "same-form")
    assert Submission.objects.get().attempt_count == 1
    assert SubmissionFile.objects.count() == 1
    assert len([p for p in media_root.rglob("*") if p.is_file()]) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_different_forms_each_get_their_own_number(racing_student):
    assignment, student = racing_student
    results = race(assignment, student, [f"form-{n}" for n in range(RACERS)])
    assert all(r.created for r in results)
    numbers = sorted(SubmissionAttempt.objects.values_list("number", flat=True))
    assert numbers == list(range(1, RACERS + 1))
    assert Submission.objects.get().attempt_count == RACERS
