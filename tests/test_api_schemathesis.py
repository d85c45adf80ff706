"""Property-based run of schemathesis against the live OpenAPI schema at /api/schema/.

The schema is fetched from the running app (Django's WSGI handler, in-process, on the test
database) and every operation is called with generated valid and invalid data, authenticated
with a personal token of a teacher and, separately, of a student and of an assistant. Every response must be
non-5xx and conform to the schema (status code documented, content type, body, headers).

Bounded: a few examples per operation and mode (SCHEMATHESIS_MAX_EXAMPLES, default 6), no
deadline per example; the whole file runs in well under a few minutes.

`positive_data_acceptance` is left out on purpose: it expects every schema-valid request to
succeed, but business rules the schema cannot express (a start in the past, a clash with another
meeting, a wrong join code, a file whose bytes aren't what its name says) rightly give a 400.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from classmeet.accounts.tests.factories import TeacherFactory
from classmeet.api.services import api_token_create
from classmeet.courses.models import CourseAssistant
from classmeet.courses.tests.factories import MaterialFactory
from classmeet.coursework.services.quizzes import attempt_start
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.coursework.tests.quiz_factories import QuizFactory, single_question
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "6"))
# Generated requests must exercise the API, not the rate limit.
NO_THROTTLE = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler on the test database. Like Django's test client, keep the request
    signals from closing the test's database connection after each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(teacher, student, course, enrollment, live_meeting):
    """Give the generated ids something to find: small ids exist for every kind of object."""
    from datetime import timedelta

    from django.utils import timezone

    MeetingFactory.create(course=course, starts_at=timezone.now() + timedelta(days=2))
    material = MaterialFactory.create(course=course)
    discussion = DiscussionFactory.create(course=course, author=student)
    comment = CommentFactory.create(discussion=discussion, author=teacher)
    assistant = TeacherFactory.create(username="assistant")
    CourseAssistant.objects.create(course=course, user=assistant, added_by=teacher)
    assignment = AssignmentFactory.create(course=course, submission_type="both")
    quiz = QuizFactory.create(course=course)
    question = single_question(quiz)
    attempt = attempt_start(quiz=quiz, student=student)
    notifications = {
        user.username: Notification.objects.create(recipient=user, kind="enrolled", title="Hi")
        for user in (teacher, student, assistant)
    }
    return {
        "teacher": teacher,
        "student": student,
        "assistant": assistant,
        "ids": lambda user: {
            "course_id": course.pk,
            "meeting_id": live_meeting.pk,
            "material_id": material.pk,
            "discussion_id": discussion.pk,
            "comment_id": comment.pk,
            "student_id": student.pk,
            "user_id": assistant.pk,
            "notification_id": notifications[user.username].pk,
            "assignment_id": assignment.pk,
            "quiz_id": quiz.pk,
            "question_id": question.pk,
            "attempt_id": attempt.pk,
        },
    }


def _run(schema: Any, headers: dict[str, str], ids: dict[str, int]) -> list[str]:
    """Call every operation with generated data: random valid and invalid requests, then valid
    requests on the objects that exist (so successful bodies are checked too); deletions last."""
    operations = [result.ok() for result in schema.get_all_operations()]
    runs: list[tuple[Any, GenerationMode, dict[str, int] | None]] = [
        (operation, mode, None)
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    for operation in sorted(operations, key=lambda op: op.method.upper() == "DELETE"):
        names = {parameter.name for parameter in operation.path_parameters}
        if names:
            runs.append((operation, GenerationMode.POSITIVE, {n: ids[n] for n in names}))
    failures: list[str] = []
    for operation, mode, path_parameters in runs:
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

        @given(case=strategy)
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            check()
        except (FailureGroup, AssertionError) as exc:
            where = "existing ids" if path_parameters else mode
            failures.append(f"{operation.label} [{where}]: {exc}")
    return failures


@pytest.mark.parametrize("role", ["teacher", "student", "assistant"])
def test_api_conforms_to_its_schema_with_no_server_errors(wsgi_app, seeded, role):
    _token, raw = api_token_create(user=seeded[role], name="schemathesis")
    with override_settings(REST_FRAMEWORK=NO_THROTTLE):
        schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
        # Every operation of the schema loads (an invalid one would be an Err here).
        assert all(result.ok() for result in schema.get_all_operations())  # type: ignore[union-attr]
        assert len(list(schema.get_all_operations())) >= 30
        user = seeded[role]
        failures = _run(schema, {"Authorization": f"Bearer {raw}"}, seeded["ids"](user))
    assert not failures, "\n\n".join(failures)
