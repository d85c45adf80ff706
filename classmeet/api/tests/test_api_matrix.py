"""Who may call what in the REST API: every endpoint by every role, from ONE table.

Reuses the World (a course taught by ``owner`` with ``student`` enrolled, one material, one live
meeting) and the ``expect`` helper of tests/test_authorization_matrix.py. Each cell runs with a
personal API token of the role (anonymous sends none) in a fresh database. Every refused write
must leave the data exactly as it was.

API rules: anonymous → 401; outsider, other teacher and staff → 404 on anything of a course they
don't teach or attend (as for a missing id); enrolled student → 2xx on reads, 403 on teacher-only
writes; owner → 2xx; assistant → as the owner except the owner-only writes (delete the course,
add or remove assistants) → 403; assistant of another course → as the other teacher.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from classmeet.api.services import api_token_create
from classmeet.courses.models import Course, CourseAssistant, Enrollment, Material
from classmeet.coursework.models import (
    Answer,
    Assignment,
    Grade,
    GradeItem,
    Question,
    Quiz,
    QuizAttempt,
    SubmissionAttempt,
)
from classmeet.discussions.models import Comment, Discussion, Vote
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification
from tests.test_authorization_matrix import ROLES, World, expect, world  # noqa: F401

pytestmark = pytest.mark.django_db


def api(**kw: int) -> dict[str, int]:
    return expect(anonymous=401, **kw)


READ = api(student=200, owner=200)
MANAGE_READ = api(student=403, owner=200)
ANY_USER = api(outsider=200, student=200, other_teacher=200, owner=200, staff=200)


def manage(ok: int) -> dict[str, int]:
    return api(student=403, owner=ok)


def owner_only(ok: int) -> dict[str, int]:
    return api(student=403, owner=ok, assistant=403)


def member(ok: int) -> dict[str, int]:
    return api(student=ok, owner=ok)


Data = Callable[[World], Mapping[str, Any]] | Mapping[str, Any] | None


@dataclass(frozen=True)
class ApiRow:
    name: str
    method: str
    url: Callable[[World], str]
    expected: Mapping[str, int]
    data: Data = None
    format: str = "json"


def u(name: str, **kwargs: Callable[[World], Any]) -> Callable[[World], str]:
    def make(w: World) -> str:
        return reverse(f"api:{name}", kwargs={k: f(w) for k, f in kwargs.items()})

    return make


def _course(w: World) -> int:
    return w.course.pk


def _meeting(w: World) -> int:
    return w.meeting.pk


def _upcoming(w: World) -> int:
    if "upcoming" not in w.extra:
        start = timezone.now().replace(microsecond=0) + timedelta(days=2)
        w.extra["upcoming"] = MeetingFactory.create(course=w.course, starts_at=start)
    return cast(Meeting, w.extra["upcoming"]).pk


def _discussion(w: World) -> int:
    if "discussion" not in w.extra:
        w.extra["discussion"] = DiscussionFactory.create(course=w.course, author=w.student)
    return cast(Discussion, w.extra["discussion"]).pk


def _comment(w: World) -> int:
    if "comment" not in w.extra:
        discussion = Discussion.objects.get(pk=_discussion(w))
        w.extra["comment"] = CommentFactory.create(discussion=discussion, author=w.owner)
    return cast(Comment, w.extra["comment"]).pk


def _notification(w: World) -> int:
    if "notification" not in w.extra:
        w.extra["notification"] = Notification.objects.create(
            recipient=w.student, kind=Notification.Kind.ENROLLED, title="Welcome"
        )
    return cast(Notification, w.extra["notification"]).pk


def _upload(w: World) -> dict[str, Any]:
    pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    return {"title": "Slides", "file": SimpleUploadedFile("slides.pdf", pdf)}


def _in_two_days(w: World) -> dict[str, Any]:
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    return {"title": "Extra class", "starts_at": start.isoformat(), "duration_minutes": 30}


ROWS: list[ApiRow] = [
    # Courses ----------------------------------------------------------------------------------
    ApiRow("course-list", "GET", u("course-list"), ANY_USER),
    ApiRow(
        "course-create",
        "POST",
        u("course-create"),
        # Only teachers create courses; the staff fixture has the default (student) role.
        api(outsider=403, student=403, other_teacher=201, owner=201, staff=403),
        {"title": "Optics"},
    ),
    ApiRow("course-detail", "GET", u("course-detail", course_id=_course), READ),
    ApiRow(
        "course-update",
        "PATCH",
        u("course-update", course_id=_course),
        manage(200),
        {"title": "Renamed"},
    ),
    ApiRow("course-delete", "DELETE", u("course-delete", course_id=_course), owner_only(204)),
    # Staff ------------------------------------------------------------------------------------
    ApiRow("assistant-list", "GET", u("assistant-list", course_id=_course), MANAGE_READ),
    ApiRow(
        "assistant-create",
        "POST",
        u("assistant-create", course_id=_course),
        owner_only(201),
        lambda w: {"identifier": w.other_teacher.username.upper()},
    ),
    ApiRow(
        "assistant-delete",
        "DELETE",
        u("assistant-delete", course_id=_course, user_id=lambda w: w.assistant.pk),
        owner_only(204),
    ),
    # Enrollment -------------------------------------------------------------------------------
    ApiRow(
        "course-join",
        "POST",
        u("course-join"),
        # Students join (the enrolled one already is: 200); teachers never enroll.
        api(outsider=201, student=200, other_teacher=403, owner=403, staff=201),
        lambda w: {"code": w.course.join_code},
    ),
    ApiRow("enrollment-list", "GET", u("enrollment-list", course_id=_course), MANAGE_READ),
    ApiRow(
        "enrollment-create",
        "POST",
        u("enrollment-create", course_id=_course),
        manage(201),
        lambda w: {"identifier": w.outsider.username},
    ),
    ApiRow(
        "enrollment-delete",
        "DELETE",
        u("enrollment-delete", course_id=_course, student_id=lambda w: w.student.pk),
        manage(204),
    ),
    # Materials --------------------------------------------------------------------------------
    ApiRow("material-list", "GET", u("material-list", course_id=_course), READ),
    ApiRow(
        "material-create",
        "POST",
        u("material-create", course_id=_course),
        manage(201),
        _upload,
        format="multipart",
    ),
    ApiRow(
        "material-download",
        "GET",
        u("material-download", course_id=_course, material_id=lambda w: w.material.pk),
        READ,
    ),
    ApiRow(
        "material-delete",
        "DELETE",
        u("material-delete", course_id=_course, material_id=lambda w: w.material.pk),
        manage(204),
    ),
    # Meetings ---------------------------------------------------------------------------------
    ApiRow("meeting-list", "GET", u("meeting-list"), ANY_USER),
    ApiRow("meeting-detail", "GET", u("meeting-detail", meeting_id=_meeting), READ),
    ApiRow("meeting-ics", "GET", u("meeting-ics", meeting_id=_meeting), READ),
    ApiRow(
        "meeting-create",
        "POST",
        u("meeting-create", course_id=_course),
        manage(201),
        _in_two_days,
    ),
    ApiRow(
        "meeting-update",
        "PATCH",
        u("meeting-update", meeting_id=_upcoming),
        manage(200),
        {"title": "Moved"},
    ),
    ApiRow("meeting-cancel", "POST", u("meeting-cancel", meeting_id=_upcoming), manage(200)),
    ApiRow("meeting-ice-servers", "GET", u("meeting-ice-servers", meeting_id=_meeting), READ),
    ApiRow("meeting-attendance", "GET", u("meeting-attendance", meeting_id=_meeting), MANAGE_READ),
    # Discussions ------------------------------------------------------------------------------
    ApiRow("discussion-list", "GET", u("discussion-list"), ANY_USER),
    ApiRow("discussion-detail", "GET", u("discussion-detail", discussion_id=_discussion), READ),
    ApiRow(
        "discussion-create",
        "POST",
        u("discussion-create", course_id=_course),
        member(201),
        {"title": "Homework 3", "body": "Is *question 2* a trick?"},
    ),
    ApiRow("discussion-vote", "POST", u("discussion-vote", discussion_id=_discussion), member(200)),
    ApiRow("comment-list", "GET", u("comment-list", discussion_id=_discussion), READ),
    ApiRow(
        "comment-create",
        "POST",
        u("comment-create", discussion_id=_discussion),
        member(201),
        {"body": "No, read it twice."},
    ),
    ApiRow("comment-vote", "POST", u("comment-vote", comment_id=_comment), member(200)),
    # Notifications: only the recipient sees or marks theirs -----------------------------------
    ApiRow("notification-list", "GET", u("notification-list"), ANY_USER),
    ApiRow(
        "notification-read",
        "POST",
        u("notification-read", notification_id=_notification),
        api(student=200, owner=404),
    ),
    ApiRow("notification-read-all", "POST", u("notification-read-all"), ANY_USER),
]


# Coursework ---------------------------------------------------------------------------------
# A published text assignment and an open quiz (one question) of w.course, for everybody; the
# drafts are for the publish rows; attempts and submissions are the enrolled student's.


def _assignment(w: World, *, draft: bool = False) -> Any:
    from classmeet.coursework.tests.factories import AssignmentFactory

    key = "draft_assignment" if draft else "assignment"
    if key not in w.extra:
        w.extra[key] = AssignmentFactory.create(
            course=w.course, submission_type="text", status="draft" if draft else "published"
        )
    return w.extra[key]


def _graded(w: World) -> Any:
    """The assignment with the student's submission, for grading."""
    from classmeet.coursework.tests.grading_factories import SubmissionFactory

    assignment = _assignment(w)
    if "submission" not in w.extra:
        w.extra["submission"] = SubmissionFactory.create(assignment=assignment, student=w.student)
    return assignment


def _quiz(w: World, *, draft: bool = False) -> Any:
    from classmeet.coursework.tests.quiz_factories import QuizFactory, single_question

    key = "draft_quiz" if draft else "quiz"
    if key not in w.extra:
        quiz = QuizFactory.create(course=w.course, status="draft" if draft else "published")
        single_question(quiz)
        w.extra[key] = quiz
    return w.extra[key]


def _attempt(w: World) -> int:
    from classmeet.coursework.services.quizzes import attempt_start

    if "attempt" not in w.extra:
        w.extra["attempt"] = attempt_start(quiz=_quiz(w), student=w.student)
    return cast(int, w.extra["attempt"].pk)


def _question(w: World) -> int:
    return cast(int, _quiz(w).questions.get().pk)


def _answer(w: World) -> dict[str, Any]:
    question = _quiz(w).questions.get()
    return {"question_id": question.pk, "choice_ids": [question.choices.first().pk]}


def _assignment_data(w: World) -> dict[str, Any]:
    due = timezone.now().replace(microsecond=0) + timedelta(days=3)
    return {"title": "Essay", "points": "10", "due_at": due.isoformat(), "submission_type": "text"}


def _quiz_data(w: World) -> dict[str, Any]:
    opens = timezone.now().replace(microsecond=0) + timedelta(days=1)
    return {
        "title": "Optics",
        "opens_at": opens.isoformat(),
        "closes_at": (opens + timedelta(days=1)).isoformat(),
    }


_QUESTION = {
    "kind": "single",
    "text": "Which?",
    "points": "1",
    "choices": [{"text": "This", "is_correct": True}, {"text": "That"}],
}
_ASSIGNMENT = {"assignment_id": lambda w: _assignment(w).pk}
_QUIZ = {"quiz_id": lambda w: _quiz(w).pk}
# Only the enrolled student hands work in, takes quizzes and has grades of their own; the staff
# see the assignment or quiz (403), anybody else's attempt is as missing (404).
_STUDENT_WRITE = api(student=201, owner=403)
_STUDENT_READ = api(student=200, owner=403)
_OWN_ATTEMPT = api(student=200, owner=404)

ROWS += [
    ApiRow("assignment-list", "GET", u("assignment-list", course_id=_course), READ),
    ApiRow(
        "assignment-create",
        "POST",
        u("assignment-create", course_id=_course),
        manage(201),
        _assignment_data,
    ),
    ApiRow("assignment-detail", "GET", u("assignment-detail", **_ASSIGNMENT), READ),
    ApiRow(
        "assignment-update",
        "PATCH",
        u("assignment-update", **_ASSIGNMENT),
        manage(200),
        {"title": "Renamed"},
    ),
    ApiRow(
        "assignment-publish",
        "POST",
        u("assignment-publish", assignment_id=lambda w: _assignment(w, draft=True).pk),
        manage(200),
    ),
    ApiRow("assignment-delete", "DELETE", u("assignment-delete", **_ASSIGNMENT), manage(204)),
    ApiRow("submission-list", "GET", u("submission-list", **_ASSIGNMENT), MANAGE_READ),
    ApiRow(
        "submission-create",
        "POST",
        u("submission-create", **_ASSIGNMENT),
        _STUDENT_WRITE,
        {"text": "My answer"},
        format="multipart",
    ),
    ApiRow("submission-mine", "GET", u("submission-mine", **_ASSIGNMENT), _STUDENT_READ),
    ApiRow(
        "grade-update",
        "PUT",
        u(
            "grade-update",
            assignment_id=lambda w: _graded(w).pk,
            student_id=lambda w: w.student.pk,
        ),
        manage(200),
        {"points": "5", "feedback": "Fine"},
    ),
    ApiRow(
        "grade-release",
        "POST",
        u("grade-release", assignment_id=lambda w: _graded(w).pk),
        manage(200),
    ),
    ApiRow("my-grade-list", "GET", u("my-grade-list", course_id=_course), _STUDENT_READ),
    ApiRow("gradebook-detail", "GET", u("gradebook-detail", course_id=_course), MANAGE_READ),
    ApiRow("quiz-list", "GET", u("quiz-list", course_id=_course), READ),
    ApiRow("quiz-create", "POST", u("quiz-create", course_id=_course), manage(201), _quiz_data),
    ApiRow("quiz-detail", "GET", u("quiz-detail", **_QUIZ), READ),
    ApiRow("quiz-update", "PATCH", u("quiz-update", **_QUIZ), manage(200), {"title": "Lenses"}),
    ApiRow(
        "quiz-publish",
        "POST",
        u("quiz-publish", quiz_id=lambda w: _quiz(w, draft=True).pk),
        manage(200),
    ),
    ApiRow("quiz-delete", "DELETE", u("quiz-delete", **_QUIZ), manage(204)),
    ApiRow("quiz-question-list", "GET", u("quiz-question-list", **_QUIZ), MANAGE_READ),
    ApiRow(
        "quiz-question-create",
        "POST",
        u("quiz-question-create", **_QUIZ),
        manage(201),
        _QUESTION,
    ),
    ApiRow(
        "quiz-question-update",
        "PATCH",
        u("quiz-question-update", **_QUIZ, question_id=_question),
        manage(200),
        {"text": "Which one?"},
    ),
    ApiRow(
        "quiz-question-delete",
        "DELETE",
        u("quiz-question-delete", **_QUIZ, question_id=_question),
        manage(204),
    ),
    ApiRow(
        "quiz-question-move",
        "POST",
        u("quiz-question-move", **_QUIZ, question_id=_question),
        manage(200),
        {"direction": "down"},
    ),
    ApiRow("quiz-result-list", "GET", u("quiz-result-list", **_QUIZ), MANAGE_READ),
    ApiRow(
        "quiz-score-override",
        "PUT",
        u("quiz-score-override", **_QUIZ, student_id=lambda w: w.student.pk),
        manage(200),
        {"points": "1"},
    ),
    ApiRow("quiz-attempt-start", "POST", u("quiz-attempt-start", **_QUIZ), _STUDENT_WRITE),
    ApiRow(
        "quiz-attempt-detail", "GET", u("quiz-attempt-detail", attempt_id=_attempt), _OWN_ATTEMPT
    ),
    ApiRow(
        "quiz-answer-save",
        "POST",
        u("quiz-answer-save", attempt_id=_attempt),
        _OWN_ATTEMPT,
        _answer,
    ),
    ApiRow(
        "quiz-attempt-submit", "POST", u("quiz-attempt-submit", attempt_id=_attempt), _OWN_ATTEMPT
    ),
]


def _snapshot() -> tuple[Any, ...]:
    """Everything a write could change: refused writes must leave it identical."""
    return (
        list(Course.objects.order_by("pk").values_list("pk", "title", "description")),
        list(Enrollment.objects.order_by("pk").values_list("pk", flat=True)),
        list(CourseAssistant.objects.order_by("pk").values_list("pk", flat=True)),
        list(Material.objects.order_by("pk").values_list("pk", flat=True)),
        list(Meeting.objects.order_by("pk").values_list("pk", "title", "status", "starts_at")),
        list(Discussion.objects.order_by("pk").values_list("pk", flat=True)),
        list(Comment.objects.order_by("pk").values_list("pk", flat=True)),
        list(Vote.objects.order_by("pk").values_list("pk", "is_active")),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        list(Assignment.objects.order_by("pk").values_list("pk", "title", "status")),
        list(SubmissionAttempt.objects.order_by("pk").values_list("pk", flat=True)),
        list(Grade.objects.order_by("pk").values_list("pk", "points", "feedback")),
        list(GradeItem.objects.order_by("pk").values_list("pk", "released_at")),
        list(Quiz.objects.order_by("pk").values_list("pk", "title", "status")),
        list(Question.objects.order_by("pk").values_list("pk", "text", "position")),
        list(QuizAttempt.objects.order_by("pk").values_list("pk", "submitted_at")),
        list(Answer.objects.order_by("pk").values_list("pk", "choice_ids")),
    )


def _cells() -> list[Any]:
    return [
        pytest.param(row, role, id=f"{row.name}-{row.method}-{role}")
        for row in ROWS
        for role in ROLES
    ]


def test_rows_are_unique_and_cover_every_api_endpoint():
    from classmeet.api import urls

    names = {p.name for p in urls.v1}
    assert len({row.name for row in ROWS}) == len(ROWS)
    assert {row.name for row in ROWS} == names


@pytest.mark.parametrize(("row", "role"), _cells())
def test_api_authorization_matrix(world, row: ApiRow, role: str):  # noqa: F811 (fixture)
    client = APIClient()
    user = world.user(role)
    if user is not None:
        _token, raw = api_token_create(user=user, name="matrix")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = row.url(world)
    data = row.data(world) if callable(row.data) else row.data
    before = _snapshot()
    kwargs: dict[str, Any] = {} if data is None else {"data": data}
    if row.method != "GET":
        kwargs["format"] = row.format
    response = getattr(client, row.method.lower())(url, **kwargs)
    expected = row.expected[role]
    assert response.status_code == expected, (
        f"{row.method} {url} as {role}: {response.status_code}, expected {expected}: "
        f"{getattr(response, 'content', b'')[:300]!r}"
    )
    if expected >= 400:
        body = response.json()
        assert set(body) >= {"detail", "code"}
        if row.method != "GET":
            assert _snapshot() == before, f"refused {row.method} {url} as {role} changed data"
