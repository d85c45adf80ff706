"""Who may open what: every URL by every role, from ONE table.

Each row of ``ROWS`` is a URL and the HTTP status each role gets. Every cell becomes its own test
(``test_authorization_matrix[course-detail-GET-outsider]``), so a failure names the URL and role.

To add your views, append rows to ``ROWS`` (keep one table):

    Row("meeting-detail", "GET",
        lambda w: reverse("meetings:meeting-detail", kwargs={"meeting_id": w.meeting.pk}),
        VIEW),
    Row("meeting-cancel", "POST", lambda w: ..., MANAGE_POST, data=lambda w: {"reason": "x"}),

``w`` is a :class:`World`: a course taught by ``owner`` and assisted by ``assistant`` (a teacher
account) with ``student`` enrolled, one material and one live meeting; ``other_assistant`` assists
another course only. A URL factory may create more objects it needs (e.g. a discussion of
``w.course``); each cell runs in a fresh database. ``expect(...)`` builds a status per role from
keywords; the presets below cover the usual rules:

- anonymous: GET and POST → 302 to the sign-in page (``login_required``);
- outsider student, other teacher and staff (who see in the app only what they teach or attend,
  and manage everything else in /admin/) → 404, as for a missing object, so ids don't leak;
- enrolled student → 200 on pages of the course, 403 on teacher-only actions;
- owner teacher → 200 on pages, 302 after a successful POST;
- assistant → as the owner (``expect`` copies the owner's cell unless a row says otherwise),
  except the owner-only actions (delete the course, add or remove assistants) → 403;
- assistant of another course → as the other teacher (``expect`` copies that cell likewise).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.models import Course, CourseAssistant, Material
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory, MaterialFactory
from classmeet.discussions.tests import matrix as dm
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "outsider",
    "student",
    "other_teacher",
    "owner",
    "staff",
    "assistant",
    "other_assistant",
)


@dataclass
class World:
    """The people and objects every row can point at."""

    owner: User
    other_teacher: User
    student: User
    outsider: User
    staff: User
    assistant: User
    other_assistant: User
    course: Course
    material: Material
    meeting: Meeting
    extra: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


def expect(
    *,
    anonymous: int = 302,
    outsider: int = 404,
    student: int,
    other_teacher: int = 404,
    owner: int,
    staff: int = 404,
    assistant: int | None = None,
    other_assistant: int | None = None,
) -> dict[str, int]:
    """Statuses per role; the assistant gets the owner's unless given (the course's staff do what
    its teacher does), the assistant of another course the other teacher's."""
    return {
        "anonymous": anonymous,
        "outsider": outsider,
        "student": student,
        "other_teacher": other_teacher,
        "owner": owner,
        "staff": staff,
        "assistant": owner if assistant is None else assistant,
        "other_assistant": other_teacher if other_assistant is None else other_assistant,
    }


# Presets for the common rules.
VIEW = expect(student=200, owner=200)  # a page of the course, for its members
MANAGE = expect(student=403, owner=200)  # a teacher-only page (form or confirm page)
MANAGE_POST = expect(student=403, owner=302)  # a teacher-only action that redirects when done
EVERYONE = expect(outsider=200, student=200, other_teacher=200, owner=200, staff=200)
# The owner's alone: delete the course, add or remove assistants.
OWNER = expect(student=403, owner=200, assistant=403)
OWNER_POST = expect(student=403, owner=302, assistant=403)

Data = Mapping[str, Any] | Callable[[World], Mapping[str, Any]] | None


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    url: Callable[[World], str]
    expected: Mapping[str, int]
    data: Data = None


def course_url(name: str, **extra: Callable[[World], Any]) -> Callable[[World], str]:
    """Return a URL factory for a ``courses:`` URL of ``w.course`` (plus computed kwargs)."""

    def make(w: World) -> str:
        kwargs = {"course_id": w.course.pk} | {k: f(w) for k, f in extra.items()}
        return reverse(f"courses:{name}", kwargs=kwargs)

    return make


def _material(w: World) -> int:
    return w.material.pk


def _student(w: World) -> int:
    return w.student.pk


def _assistant(w: World) -> int:
    return w.assistant.pk


def _invite(w: World) -> str:
    return reverse("courses:course-invite", kwargs={"token": w.course.invite_token})


# Meetings: an upcoming meeting at a whole minute (the form's precision), in the test's UTC.
_TOMORROW = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def _meeting_url(name: str, meeting: Meeting) -> str:
    return reverse(f"meetings:{name}", kwargs={"meeting_id": meeting.pk})


def _schedule_url(w: World) -> str:
    return reverse("meetings:meeting-schedule", kwargs={"course_id": w.course.pk})


def _start_now_url(w: World) -> str:
    return reverse("meetings:meeting-start-now", kwargs={"course_id": w.course.pk})


def _upcoming(w: World) -> Meeting:
    if "upcoming" not in w.extra:
        start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
        w.extra["upcoming"] = MeetingFactory.create(course=w.course, starts_at=start)
    return cast(Meeting, w.extra["upcoming"])


def _feed_url(w: World) -> str:
    from classmeet.meetings.services.meetings import calendar_token_regenerate

    token = calendar_token_regenerate(user=w.student)
    return reverse("meetings:calendar-feed", kwargs={"token": token})


ROWS: list[Row] = [
    # Dashboard and courses --------------------------------------------------------------------
    Row("dashboard", "GET", lambda w: reverse("dashboard:dashboard"), EVERYONE),
    Row(
        "course-create",
        "GET",
        lambda w: reverse("courses:course-create"),
        expect(outsider=403, student=403, other_teacher=200, owner=200, staff=403),
    ),
    Row(
        "course-create",
        "POST",
        lambda w: reverse("courses:course-create"),
        expect(outsider=403, student=403, other_teacher=302, owner=302, staff=403),
        data={"title": "New course", "description": ""},
    ),
    Row("course-detail", "GET", course_url("course-detail"), VIEW),
    Row("course-thumbnail", "GET", course_url("course-thumbnail"), VIEW),
    Row("course-edit", "GET", course_url("course-edit"), MANAGE),
    Row(
        "course-edit",
        "POST",
        course_url("course-edit"),
        MANAGE_POST,
        data={"title": "Renamed", "description": "x"},
    ),
    Row("course-delete", "GET", course_url("course-delete"), OWNER),
    Row("course-delete", "POST", course_url("course-delete"), OWNER_POST),
    # Staff: staff read the list, only the owner changes it ------------------------------------
    Row("staff", "GET", course_url("staff"), MANAGE),
    Row(
        "assistant-add",
        "POST",
        course_url("assistant-add"),
        OWNER_POST,
        data=lambda w: {"identifier": TeacherFactory.create().email.upper()},
    ),
    Row("assistant-remove", "GET", course_url("assistant-remove", user_id=_assistant), OWNER),
    Row(
        "assistant-remove",
        "POST",
        course_url("assistant-remove", user_id=_assistant),
        OWNER_POST,
    ),
    # Enrollment -------------------------------------------------------------------------------
    Row(
        "course-join",
        "GET",
        lambda w: reverse("courses:course-join"),
        expect(outsider=200, student=200, other_teacher=403, owner=403, staff=200),
    ),
    Row(
        "course-join",
        "POST",
        lambda w: reverse("courses:course-join"),
        expect(outsider=302, student=302, other_teacher=403, owner=403, staff=302),
        data=lambda w: {"code": w.course.join_code},
    ),
    Row("course-invite", "GET", _invite, EVERYONE),
    Row(
        "course-invite",
        "POST",
        _invite,
        expect(outsider=302, student=302, other_teacher=403, owner=302, staff=302),
    ),
    Row("course-regenerate-code", "POST", course_url("course-regenerate-code"), MANAGE_POST),
    Row("course-regenerate-invite", "POST", course_url("course-regenerate-invite"), MANAGE_POST),
    Row("course-joining", "POST", course_url("course-joining"), MANAGE_POST, data={"enabled": "0"}),
    Row("enrollment-add", "GET", course_url("enrollment-add"), MANAGE),
    Row(
        "enrollment-add",
        "POST",
        course_url("enrollment-add"),
        MANAGE_POST,
        data=lambda w: {"identifier": StudentFactory.create().username},
    ),
    Row("enrollment-remove", "GET", course_url("enrollment-remove", student_id=_student), MANAGE),
    Row(
        "enrollment-remove",
        "POST",
        course_url("enrollment-remove", student_id=_student),
        MANAGE_POST,
    ),
    # Materials --------------------------------------------------------------------------------
    Row("material-create", "GET", course_url("material-create"), MANAGE),
    Row(
        "material-download",
        "GET",
        course_url("material-download", material_id=_material),
        VIEW,
    ),
    Row("material-delete", "GET", course_url("material-delete", material_id=_material), MANAGE),
    Row(
        "material-delete",
        "POST",
        course_url("material-delete", material_id=_material),
        MANAGE_POST,
    ),
    # Meetings ---------------------------------------------------------------------------------
    Row("meeting-list", "GET", lambda w: reverse("meetings:meeting-list"), EVERYONE),
    Row("meeting-detail", "GET", lambda w: _meeting_url("meeting-detail", w.meeting), VIEW),
    Row("meeting-ics", "GET", lambda w: _meeting_url("meeting-ics", w.meeting), VIEW),
    Row("meeting-schedule", "GET", lambda w: _schedule_url(w), MANAGE),
    Row(
        "meeting-schedule",
        "POST",
        lambda w: _schedule_url(w),
        MANAGE_POST,
        data={"title": "Optics", "starts_at": _TOMORROW, "duration_minutes": "60"},
    ),
    Row("meeting-edit", "GET", lambda w: _meeting_url("meeting-edit", _upcoming(w)), MANAGE),
    Row(
        "meeting-edit",
        "POST",
        lambda w: _meeting_url("meeting-edit", _upcoming(w)),
        MANAGE_POST,
        data={"title": "Renamed", "starts_at": _TOMORROW, "duration_minutes": "45"},
    ),
    Row("meeting-cancel", "POST", lambda w: _meeting_url("meeting-cancel", w.meeting), MANAGE_POST),
    # Start a class now: into the room (here the live one of the world, reused), never by GET.
    Row("meeting-start-now", "POST", lambda w: _start_now_url(w), MANAGE_POST),
    Row(
        "meeting-start-now",
        "GET",
        lambda w: _start_now_url(w),
        expect(outsider=405, student=405, other_teacher=405, owner=405, staff=405),
    ),
    # The feed is for calendar apps: its secret token is the credential, not a session.
    Row(
        "calendar-feed",
        "GET",
        _feed_url,
        expect(anonymous=200, outsider=200, student=200, other_teacher=200, owner=200, staff=200),
    ),
    Row(
        "calendar-feed-unknown",
        "GET",
        lambda w: reverse("meetings:calendar-feed", kwargs={"token": "x" * 43}),
        expect(anonymous=404, student=404, owner=404),
    ),
    Row(
        "calendar-token-regenerate",
        "POST",
        lambda w: reverse("meetings:calendar-token-regenerate"),
        expect(outsider=302, student=302, other_teacher=302, owner=302, staff=302),
    ),
    # Discussions (dm: classmeet/discussions/tests/matrix.py; the student wrote the posts) ------
    Row("discussion-list", "GET", lambda w: reverse("discussions:discussion-list"), EVERYONE),
    Row("discussion-list-course", "GET", dm.course_list_url, VIEW),
    Row("discussion-create", "GET", dm.create_url, VIEW),
    Row(
        "discussion-create",
        "POST",
        dm.create_url,
        expect(student=302, owner=302),
        data={"title": "Question", "body": "Why?"},
    ),
    Row("discussion-detail", "GET", dm.discussion_url("discussion-detail"), VIEW),
    Row(
        "discussion-edit",
        "GET",
        dm.discussion_url("discussion-edit"),
        expect(student=200, owner=403),
    ),
    Row(
        "discussion-edit",
        "POST",
        dm.discussion_url("discussion-edit"),
        expect(student=302, owner=403),
        data={"title": "Edited", "body": "Edited."},
    ),
    Row(
        "discussion-delete",
        "POST",
        dm.discussion_url("discussion-delete"),
        expect(student=302, owner=302),
    ),
    Row(
        "discussion-upvote",
        "POST",
        dm.discussion_url("discussion-upvote"),
        expect(student=302, owner=302),
    ),
    Row(
        "discussion-pin",
        "POST",
        dm.discussion_url("discussion-pin"),
        MANAGE_POST,
        data={"pinned": "1"},
    ),
    Row(
        "discussion-lock",
        "POST",
        dm.discussion_url("discussion-lock"),
        MANAGE_POST,
        data={"locked": "1"},
    ),
    Row(
        "comment-create",
        "POST",
        dm.discussion_url("comment-create"),
        expect(student=302, owner=302),
        data={"body": "A comment."},
    ),
    Row("comment-edit", "GET", dm.comment_url("comment-edit"), expect(student=200, owner=403)),
    Row(
        "comment-edit",
        "POST",
        dm.comment_url("comment-edit"),
        expect(student=302, owner=403),
        data={"body": "Edited."},
    ),
    Row("comment-delete", "POST", dm.comment_url("comment-delete"), expect(student=302, owner=302)),
    Row("comment-upvote", "POST", dm.comment_url("comment-upvote"), expect(student=302, owner=302)),
    Row(
        "comment-answer",
        "POST",
        dm.comment_url("comment-answer"),
        MANAGE_POST,
        data={"answer": "1"},
    ),
    # Notifications: everyone has their own; a notification is its recipient's only -----------
    Row("notification-list", "GET", lambda w: reverse("notifications:notification-list"), EVERYONE),
    Row(
        "notification-latest",
        "GET",
        lambda w: reverse("notifications:notification-latest"),
        EVERYONE,
    ),
    Row("notification-read", "POST", dm.notification_read_url, expect(student=302, owner=404)),
    Row(
        "notification-read-all",
        "POST",
        lambda w: reverse("notifications:notification-read-all"),
        expect(outsider=302, student=302, other_teacher=302, owner=302, staff=302),
    ),
]


# Recordings (classmeet.recordings) --------------------------------------------------------------


def _recording(w: World, *, ready: bool) -> int:
    from classmeet.recordings.models import Recording
    from classmeet.recordings.services import files as recording_files

    recording = Recording.objects.create(
        meeting=w.meeting,
        created_by=w.owner,
        started_at=timezone.now(),
        status=Recording.Status.READY if ready else Recording.Status.RECORDING,
    )
    if ready:
        name = recording_files.final_name(recording)
        path = recording_files.recordings_root() / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"webm")
        Recording.objects.filter(pk=recording.pk).update(file_name=name, size_bytes=4)
    return recording.pk


def _recording_url(name: str, *, ready: bool = True) -> Callable[[World], str]:
    return lambda w: reverse(
        f"recordings:{name}", kwargs={"recording_id": _recording(w, ready=ready)}
    )


ROWS += [
    Row("recording-file", "GET", _recording_url("file"), VIEW),
    Row("recording-status", "GET", _recording_url("status"), VIEW),
    Row("recording-rename", "GET", _recording_url("rename"), MANAGE),
    Row("recording-rename", "POST", _recording_url("rename"), MANAGE_POST, data={"title": "W1"}),
    Row("recording-delete", "GET", _recording_url("delete"), MANAGE),
    Row("recording-delete", "POST", _recording_url("delete"), MANAGE_POST),
    Row(
        "recording-start",
        "POST",
        lambda w: reverse("recordings:start", kwargs={"meeting_id": w.meeting.pk}),
        expect(student=403, owner=201),
        data={"videoTracks": 1, "audioTracks": 1},
    ),
    Row(
        "recording-chunk",
        "POST",
        lambda w: reverse(
            "recordings:chunk", kwargs={"recording_id": _recording(w, ready=False), "seq": 0}
        ),
        # Chunks come from the tab that started the recording (here the owner's): another staff
        # member's upload would splice two streams, so it is refused like a missing recording.
        expect(student=403, owner=200, assistant=404),
        data={"chunk": "bytes"},
    ),
    Row(
        "recording-stop",
        "POST",
        _recording_url("stop", ready=False),
        expect(student=403, owner=200),
    ),
    Row(
        "recording-feeds",
        "POST",
        _recording_url("feeds", ready=False),
        expect(student=403, owner=202),
    ),
]


# Assignments (classmeet.coursework): a published text assignment of w.course for everybody;
# the student is its author of any submission ---------------------------------------------------


def _assignment(w: World, **fields: Any) -> Any:
    from classmeet.coursework.tests.factories import AssignmentFactory

    key = f"assignment-{sorted(fields.items())}"
    if key not in w.extra:
        fields = {"submission_type": "text"} | fields
        w.extra[key] = AssignmentFactory.create(course=w.course, **fields)
    return w.extra[key]


def _assignment_url(name: str, **fields: Any) -> Callable[[World], str]:
    return lambda w: reverse(
        f"coursework:{name}", kwargs={"assignment_id": _assignment(w, **fields).pk}
    )


def _attachment_url(name: str) -> Callable[[World], str]:
    def make(w: World) -> str:
        from django.core.files.base import ContentFile

        attachment = _assignment(w).attachments.create(
            file=ContentFile(b"%PDF-1.4\n", name="brief.pdf"),
            original_name="brief.pdf",
            content_type="application/pdf",
            size=9,
        )
        return reverse(f"coursework:{name}", kwargs={"attachment_id": attachment.pk})

    return make


def _submission_file_url(w: World) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from classmeet.coursework.services.assignments import submission_create

    assignment = _assignment(w, submission_type="file")
    attempt = submission_create(
        assignment=assignment,
        student=w.student,
        text="",
        files=[SimpleUploadedFile("essay.pdf", b"%PDF-1.4\n%%EOF\n")],
        client_token="",
    ).attempt
    return reverse(
        "coursework:submission-file-download", kwargs={"file_id": attempt.files.get().pk}
    )


_DUE = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
_ASSIGNMENT_FORM = {
    "title": "Essay",
    "points": "10",
    "due_at": _DUE,
    "submission_type": "file",
    "assign_to": "all",
}

ROWS += [
    Row(
        "assignment-list",
        "GET",
        lambda w: reverse("coursework:assignment-list", kwargs={"course_id": w.course.pk}),
        VIEW,
    ),
    Row(
        "assignment-create",
        "GET",
        lambda w: reverse("coursework:assignment-create", kwargs={"course_id": w.course.pk}),
        MANAGE,
    ),
    Row(
        "assignment-create",
        "POST",
        lambda w: reverse("coursework:assignment-create", kwargs={"course_id": w.course.pk}),
        MANAGE_POST,
        data=_ASSIGNMENT_FORM,
    ),
    Row("assignment-detail", "GET", _assignment_url("assignment-detail"), VIEW),
    # A draft is its staff's alone: hidden from the students like a missing one.
    Row(
        "assignment-detail-draft",
        "GET",
        _assignment_url("assignment-detail", status="draft"),
        expect(student=404, owner=200),
    ),
    Row("assignment-edit", "GET", _assignment_url("assignment-edit"), MANAGE),
    Row(
        "assignment-edit",
        "POST",
        _assignment_url("assignment-edit"),
        MANAGE_POST,
        data=_ASSIGNMENT_FORM,
    ),
    Row(
        "assignment-publish",
        "POST",
        _assignment_url("assignment-publish", status="draft"),
        MANAGE_POST,
    ),
    Row("assignment-delete", "GET", _assignment_url("assignment-delete"), MANAGE),
    Row("assignment-delete", "POST", _assignment_url("assignment-delete"), MANAGE_POST),
    # Students it is assigned to hand work in; its staff don't.
    Row(
        "assignment-submit",
        "POST",
        _assignment_url("assignment-submit"),
        expect(student=302, owner=403),
        data={"text": "My answer", "client_token": "matrix"},
    ),
    Row("attachment-download", "GET", _attachment_url("attachment-download"), VIEW),
    Row("attachment-delete", "POST", _attachment_url("attachment-delete"), MANAGE_POST),
    # The author and the course's staff (another student of the course: see
    # classmeet/coursework/tests/test_assignments_views.py).
    Row("submission-file-download", "GET", _submission_file_url, VIEW),
]


# Grading and gradebook (classmeet.coursework) ------------------------------------------------


def _graded_assignment(w: World) -> Any:
    """A published assignment of w.course with the student's submission (graded, released, a
    file returned) and one grade category."""
    if "graded_assignment" not in w.extra:
        from django.core.files.base import ContentFile

        from classmeet.coursework.models import GradeCategory
        from classmeet.coursework.tests.factories import AssignmentFactory
        from classmeet.coursework.tests.grading_factories import SubmissionFactory

        assignment = AssignmentFactory.create(course=w.course)
        submission = SubmissionFactory.create(assignment=assignment, student=w.student)
        submission.returned_file.save("returned", ContentFile(b"%PDF-1.4\n"), save=False)
        submission.returned_name = "marked.pdf"
        submission.returned_content_type = "application/pdf"
        submission.save()
        assignment.grade_item.released_at = timezone.now() - timedelta(minutes=1)
        assignment.grade_item.save()
        w.extra["graded_assignment"] = assignment
        w.extra["grade_category"] = GradeCategory.objects.create(
            course=w.course, name="Homework", weight=50
        )
    return w.extra["graded_assignment"]


def _grading_url(name: str, **extra: Callable[[World], Any]) -> Callable[[World], str]:
    def make(w: World) -> str:
        kwargs = {"assignment_id": _graded_assignment(w).pk} | {k: f(w) for k, f in extra.items()}
        return reverse(f"coursework:{name}", kwargs=kwargs)

    return make


def _gradebook_url(name: str, **extra: Callable[[World], Any]) -> Callable[[World], str]:
    def make(w: World) -> str:
        _graded_assignment(w)
        kwargs = {"course_id": w.course.pk} | {k: f(w) for k, f in extra.items()}
        return reverse(f"coursework:{name}", kwargs=kwargs)

    return make


def _grade_category(w: World) -> int:
    _graded_assignment(w)
    return cast(int, w.extra["grade_category"].pk)


def _unreleased_returned_file(w: World) -> str:
    assignment = _graded_assignment(w)
    assignment.grade_item.released_at = None
    assignment.grade_item.save()
    return reverse(
        "coursework:grade-returned-file",
        kwargs={"assignment_id": assignment.pk, "student_id": w.student.pk},
    )


def _category_data(w: World) -> dict[str, str]:
    prefix = f"category-{_grade_category(w)}"
    return {f"{prefix}-name": "Quizzes", f"{prefix}-weight": "30"}


ROWS += [
    Row("grading-queue", "GET", _grading_url("grading-queue"), MANAGE),
    Row("grade-release", "POST", _grading_url("grade-release"), MANAGE_POST),
    Row(
        "grade-class-average",
        "POST",
        _grading_url("grade-class-average"),
        MANAGE_POST,
        data={"show": "1"},
    ),
    Row("grade-submission", "GET", _grading_url("grade-submission", student_id=_student), MANAGE),
    # A student grading (themselves) is refused: 403, nothing written.
    Row(
        "grade-submission",
        "POST",
        _grading_url("grade-submission", student_id=_student),
        MANAGE_POST,
        data={"points": "5", "feedback": "Fine"},
    ),
    # The returned file: staff, and its own student once released; anybody else as missing.
    Row(
        "grade-returned-file",
        "GET",
        _grading_url("grade-returned-file", student_id=_student),
        expect(student=200, owner=200),
    ),
    Row(
        "grade-returned-file-unreleased",
        "GET",
        _unreleased_returned_file,
        expect(student=404, owner=200),
    ),
    Row("gradebook", "GET", _gradebook_url("gradebook"), MANAGE),
    Row("gradebook-csv", "GET", _gradebook_url("gradebook-csv"), MANAGE),
    Row("grade-categories", "GET", _gradebook_url("grade-categories"), MANAGE),
    Row(
        "grade-categories",
        "POST",
        _gradebook_url("grade-categories"),
        MANAGE_POST,
        data={"name": "Quizzes", "weight": "30"},
    ),
    Row(
        "grade-category-edit",
        "POST",
        _gradebook_url("grade-category-edit", category_id=_grade_category),
        MANAGE_POST,
        data=_category_data,
    ),
    Row(
        "grade-category-delete",
        "POST",
        _gradebook_url("grade-category-delete", category_id=_grade_category),
        MANAGE_POST,
    ),
    Row("grade-item-categories", "POST", _gradebook_url("grade-item-categories"), MANAGE_POST),
    # A student's own grades; the course's staff are sent to the gradebook.
    Row("my-grades", "GET", _gradebook_url("my-grades"), expect(student=200, owner=302)),
]


# Quizzes (classmeet.coursework) -----------------------------------------------------------------
# An open, published quiz of w.course with one question; attempts are the enrolled student's.


def _quiz(w: World, *, draft: bool = False) -> Any:
    from classmeet.coursework.models import Quiz
    from classmeet.coursework.tests.quiz_factories import QuizFactory, single_question

    key = "draft_quiz" if draft else "quiz"
    if key not in w.extra:
        status = Quiz.Status.DRAFT if draft else Quiz.Status.PUBLISHED
        quiz = QuizFactory.create(course=w.course, status=status)
        single_question(quiz)
        w.extra[key] = quiz
    return w.extra[key]


def _quiz_url(name: str, *, draft: bool = False) -> Callable[[World], str]:
    return lambda w: reverse(f"coursework:{name}", kwargs={"quiz_id": _quiz(w, draft=draft).pk})


def _question_url(name: str) -> Callable[[World], str]:
    def make(w: World) -> str:
        quiz = _quiz(w)
        kwargs = {"quiz_id": quiz.pk, "question_id": quiz.questions.get().pk}
        return reverse(f"coursework:{name}", kwargs=kwargs)

    return make


def _attempt_url(name: str) -> Callable[[World], str]:
    def make(w: World) -> str:
        from classmeet.coursework.services.quizzes import attempt_start

        attempt = attempt_start(quiz=_quiz(w), student=w.student)
        return reverse(f"coursework:{name}", kwargs={"attempt_id": attempt.pk})

    return make


def _answer(w: World) -> dict[str, Any]:
    question = _quiz(w).questions.get()
    return {"question": question.pk, "choice": question.choices.first().pk}


def _quiz_student_url(w: World) -> str:
    kwargs = {"quiz_id": _quiz(w).pk, "student_id": w.student.pk}
    return reverse("coursework:quiz-student", kwargs=kwargs)


_QUIZ_FORM = {
    "title": "Optics",
    "opens_at": _TOMORROW,
    "closes_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
    "attempts_allowed": "1",
    "scoring": "best",
    "release": "immediately",
}
_QUESTION_FORM = {
    "kind": "single",
    "text": "Which?",
    "points": "1",
    "option_0": "This",
    "correct_0": "on",
    "option_1": "That",
}
# Taking a quiz is the enrolled student's; staff see attempts on the student's results page.
_TAKE = expect(student=200, owner=404)

ROWS += [
    Row(
        "quiz-list",
        "GET",
        lambda w: reverse("coursework:quiz-list", kwargs={"course_id": w.course.pk}),
        VIEW,
    ),
    Row(
        "quiz-create",
        "GET",
        lambda w: reverse("coursework:quiz-create", kwargs={"course_id": w.course.pk}),
        MANAGE,
    ),
    Row(
        "quiz-create",
        "POST",
        lambda w: reverse("coursework:quiz-create", kwargs={"course_id": w.course.pk}),
        MANAGE_POST,
        data=_QUIZ_FORM,
    ),
    Row("quiz-detail", "GET", _quiz_url("quiz-detail"), VIEW),
    Row(
        "quiz-detail-draft", "GET", _quiz_url("quiz-detail", draft=True), MANAGE | {"student": 404}
    ),
    Row("quiz-edit", "GET", _quiz_url("quiz-edit"), MANAGE),
    Row("quiz-edit", "POST", _quiz_url("quiz-edit"), MANAGE_POST, data=_QUIZ_FORM),
    Row("quiz-publish", "POST", _quiz_url("quiz-publish", draft=True), MANAGE_POST),
    Row("quiz-delete", "GET", _quiz_url("quiz-delete"), MANAGE),
    Row("quiz-delete", "POST", _quiz_url("quiz-delete"), MANAGE_POST),
    Row("quiz-question-create", "GET", _quiz_url("quiz-question-create"), MANAGE),
    Row(
        "quiz-question-create",
        "POST",
        _quiz_url("quiz-question-create"),
        MANAGE_POST,
        data=_QUESTION_FORM,
    ),
    Row("quiz-question-edit", "GET", _question_url("quiz-question-edit"), MANAGE),
    Row(
        "quiz-question-edit",
        "POST",
        _question_url("quiz-question-edit"),
        MANAGE_POST,
        data=_QUESTION_FORM,
    ),
    Row("quiz-question-delete", "POST", _question_url("quiz-question-delete"), MANAGE_POST),
    Row(
        "quiz-question-move",
        "POST",
        _question_url("quiz-question-move"),
        MANAGE_POST,
        data={"direction": "down"},
    ),
    # Staff take no quiz (403: they see it, it is not theirs to take).
    Row("quiz-start", "POST", _quiz_url("quiz-start"), expect(student=302, owner=403)),
    Row("quiz-results", "GET", _quiz_url("quiz-results"), MANAGE),
    Row("quiz-student", "GET", _quiz_student_url, MANAGE),
    Row("quiz-student", "POST", _quiz_student_url, MANAGE_POST, data={"points": "1"}),
    Row("quiz-attempt", "GET", _attempt_url("quiz-attempt"), _TAKE),
    Row(
        "quiz-answer",
        "POST",
        _attempt_url("quiz-answer"),
        expect(student=302, owner=404),
        data=_answer,
    ),
    Row("quiz-submit", "POST", _attempt_url("quiz-submit"), expect(student=302, owner=404)),
]


# To do (cw-due): everybody's own list; an assignment with a submission and an open quiz of the
# course, so the student's page lists work and the staff's lists something to grade.
def _todo_url(w: World) -> str:
    from classmeet.coursework.tests.due_factories import QuizFactory, SubmissionFactory
    from classmeet.coursework.tests.factories import AssignmentFactory

    AssignmentFactory.create(course=w.course)
    SubmissionFactory.create(
        assignment=AssignmentFactory.create(course=w.course), student=w.student
    )
    QuizFactory.create(course=w.course)
    return reverse("coursework:todo")


ROWS += [
    Row("coursework-todo", "GET", _todo_url, EVERYONE),
    Row(
        "coursework-todo",
        "POST",
        _todo_url,
        expect(outsider=405, student=405, other_teacher=405, owner=405, staff=405),
    ),
]


# The course calendar (.ics): a signed-in download for the course's members; 404 to outsiders.
def _course_calendar_url(w: World) -> str:
    from classmeet.coursework.tests.due_factories import QuizFactory
    from classmeet.coursework.tests.factories import AssignmentFactory

    AssignmentFactory.create(course=w.course)
    QuizFactory.create(course=w.course)
    return reverse("meetings:course-calendar", kwargs={"course_id": w.course.pk})


ROWS += [
    Row("course-calendar", "GET", _course_calendar_url, VIEW),
    Row(
        "course-calendar",
        "POST",
        _course_calendar_url,
        expect(outsider=405, student=405, other_teacher=405, owner=405, staff=405),
    ),
    Row(
        "course-calendar-missing",
        "GET",
        lambda w: reverse("meetings:course-calendar", kwargs={"course_id": 99999999}),
        expect(student=404, owner=404),
    ),
]


# A meeting's live polls: the results CSV, for the course's staff.
def _meeting_polls_csv_url(w: World) -> str:
    from classmeet.coursework.tests.live_poll_factories import live_poll

    live_poll(w.meeting, answers=[(w.student.pk, [1])], present=1)
    return reverse("coursework:meeting-polls-csv", kwargs={"meeting_id": w.meeting.pk})


ROWS += [
    Row("meeting-polls-csv", "GET", _meeting_polls_csv_url, MANAGE),
    Row(
        "meeting-polls-csv",
        "POST",
        _meeting_polls_csv_url,
        expect(outsider=405, student=405, other_teacher=405, owner=405, staff=405),
    ),
    Row(
        "meeting-polls-csv-missing",
        "GET",
        lambda w: reverse("coursework:meeting-polls-csv", kwargs={"meeting_id": 99999999}),
        expect(student=404, owner=404),
    ),
]


def _cells() -> list[Any]:
    cells = []
    for row in ROWS:
        for role in ROLES:
            cells.append(pytest.param(row, role, id=f"{row.name}-{row.method}-{role}"))
    return cells


@pytest.fixture
def world(teacher, other_teacher, student, outsider, staff) -> World:
    course = CourseFactory.create(teacher=teacher, title="Physics 101")
    EnrollmentFactory.create(course=course, student=student)
    assistant = TeacherFactory.create(username="assistant")
    CourseAssistant.objects.create(course=course, user=assistant, added_by=teacher)
    other_assistant = TeacherFactory.create(username="other_assistant")
    CourseAssistant.objects.create(
        course=CourseFactory.create(teacher=other_teacher), user=other_assistant
    )
    return World(
        owner=teacher,
        other_teacher=other_teacher,
        student=student,
        outsider=outsider,
        staff=staff,
        assistant=assistant,
        other_assistant=other_assistant,
        course=course,
        material=MaterialFactory.create(course=course),
        meeting=MeetingFactory.create(course=course),
    )


def test_rows_are_unique():
    keys = [(row.name, row.method) for row in ROWS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(("row", "role"), _cells())
def test_authorization_matrix(client, world, row: Row, role: str):
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    url = row.url(world)
    data = row.data(world) if callable(row.data) else (row.data or {})
    # get/post/put/patch/delete: data is a query string for GET, a form body otherwise.
    response = getattr(client, row.method.lower())(url, data)
    expected = row.expected[role]
    assert response.status_code == expected, (
        f"{row.method} {url} as {role}: got {response.status_code}, expected {expected}"
    )
    if role == "anonymous" and expected == 302:
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
