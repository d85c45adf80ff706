"""Coursework: staff (teacher and assistants) author and grade; students see what is published and
assigned to them, and their own grades once released.

Hidden and missing look the same (404). A student asking for a staff page of a course they
attend gets 403, like the course's own staff pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404

from classmeet.accounts.models import User
from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.courses.models import Course, Enrollment
from classmeet.coursework.models import (
    Assignment,
    AssignmentAttachment,
    Grade,
    Quiz,
    QuizAttempt,
    Submission,
    SubmissionFile,
)
from classmeet.coursework.selectors.assignments import is_assigned
from classmeet.meetings.models import Meeting

from .courses import access_course, can_view_course, is_course_staff, is_enrolled
from .meetings import access_meeting


def can_manage_coursework(*, user: AnyUser, course: Course) -> bool:
    """Create, edit and publish assignments and quizzes; grade; see the gradebook."""
    return is_course_staff(user=user, course=course)


def can_view_assignment(*, user: AnyUser, assignment: Assignment) -> bool:
    course = assignment.course
    if is_course_staff(user=user, course=course):
        return True
    return (
        assignment.is_published
        and is_authenticated(user)
        and is_assigned(assignment=assignment, student_id=user.pk or 0)
    )


def can_submit(*, user: AnyUser, assignment: Assignment) -> bool:
    """A student it is assigned to (published). Whether it still takes work (due date, cut-off)
    is the service's answer, a form error rather than a refusal."""
    return (
        is_authenticated(user)
        and assignment.is_published
        and not is_course_staff(user=user, course=assignment.course)
        and is_assigned(assignment=assignment, student_id=user.pk or 0)
    )


def access_assignment(*, user: AnyUser, assignment_id: int) -> Assignment:
    """Return the assignment with its course, or raise Http404 if missing or hidden."""
    if not is_authenticated(user):
        raise Http404
    assignment = (
        Assignment.objects.select_related("course", "grade_item").filter(pk=assignment_id).first()
    )
    if assignment is None or not can_view_assignment(user=user, assignment=assignment):
        raise Http404
    return assignment


def access_assignment_for_staff(*, user: AnyUser, assignment_id: int) -> Assignment:
    """Return the assignment for its course's staff; 404 to outsiders, 403 to its students."""
    if not is_authenticated(user):
        raise Http404
    assignment = (
        Assignment.objects.select_related("course", "grade_item").filter(pk=assignment_id).first()
    )
    if assignment is None:
        raise Http404
    if is_course_staff(user=user, course=assignment.course):
        return assignment
    if can_view_course(user=user, course=assignment.course):
        raise PermissionDenied
    raise Http404


def access_attachment(*, user: AnyUser, attachment_id: int) -> AssignmentAttachment:
    """Return an attachment of an assignment the user sees, or raise Http404."""
    if not is_authenticated(user):
        raise Http404
    attachment = (
        AssignmentAttachment.objects.select_related("assignment__course", "assignment__grade_item")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None or not can_view_assignment(user=user, assignment=attachment.assignment):
        raise Http404
    return attachment


def access_attachment_for_staff(*, user: AnyUser, attachment_id: int) -> AssignmentAttachment:
    """Return the attachment for its course's staff; 404 to outsiders, 403 to its students."""
    attachment = access_attachment(user=user, attachment_id=attachment_id)
    if not can_manage_coursework(user=user, course=attachment.assignment.course):
        raise PermissionDenied
    return attachment


def can_view_submission(*, user: AnyUser, submission: Submission) -> bool:
    """The course's staff, and the student who handed it in (while the assignment is theirs).
    Never another student."""
    assignment = submission.assignment
    if is_course_staff(user=user, course=assignment.course):
        return True
    return (
        is_authenticated(user)
        and submission.student_id == user.pk
        and can_view_assignment(user=user, assignment=assignment)
    )


def access_submission_file(*, user: AnyUser, file_id: int) -> SubmissionFile:
    """Return a submitted file for the course's staff or its author, or raise Http404."""
    if not is_authenticated(user):
        raise Http404
    found = (
        SubmissionFile.objects.select_related(
            "attempt__submission__assignment__course",
            "attempt__submission__assignment__grade_item",
        )
        .filter(pk=file_id)
        .first()
    )
    if found is None or not can_view_submission(user=user, submission=found.attempt.submission):
        raise Http404
    return found


def can_view_quiz(*, user: AnyUser, quiz: Quiz) -> bool:
    if is_course_staff(user=user, course=quiz.course):
        return True
    return quiz.is_published and is_enrolled(user=user, course=quiz.course)


def can_take_quiz(*, user: AnyUser, quiz: Quiz) -> bool:
    """An enrolled student of a published quiz. The window, the attempts left and the time limit
    are the service's answers (a clear 4xx, not a refusal)."""
    return (
        quiz.is_published
        and not is_course_staff(user=user, course=quiz.course)
        and is_enrolled(user=user, course=quiz.course)
    )


def access_quiz(*, user: AnyUser, quiz_id: int) -> Quiz:
    if not is_authenticated(user):
        raise Http404
    quiz = Quiz.objects.select_related("course", "grade_item").filter(pk=quiz_id).first()
    if quiz is None or not can_view_quiz(user=user, quiz=quiz):
        raise Http404
    return quiz


def access_quiz_for_staff(*, user: AnyUser, quiz_id: int) -> Quiz:
    if not is_authenticated(user):
        raise Http404
    quiz = Quiz.objects.select_related("course", "grade_item").filter(pk=quiz_id).first()
    if quiz is None:
        raise Http404
    if is_course_staff(user=user, course=quiz.course):
        return quiz
    if can_view_course(user=user, course=quiz.course):
        raise PermissionDenied
    raise Http404


def can_view_gradebook(*, user: AnyUser, course: Course) -> bool:
    """The whole gradebook (every student, unreleased grades, CSV): staff only."""
    return is_course_staff(user=user, course=course)


def can_view_grade(*, user: AnyUser, grade: Grade, course: Course) -> bool:
    """Staff see every grade of their course; a student sees their own once it is released."""
    if is_course_staff(user=user, course=course):
        return True
    return is_authenticated(user) and grade.student_id == user.pk and grade.item.is_released()


def can_grade(*, user: AnyUser, course: Course) -> bool:
    return is_course_staff(user=user, course=course)


# Grading and grades --------------------------------------------------------------------------


def access_course_for_gradebook(*, user: AnyUser, course_id: int) -> Course:
    """Return the course for its staff (gradebook, its CSV, categories); 404 to outsiders, 403 to
    its students."""
    course = access_course(user=user, course_id=course_id)
    if not can_view_gradebook(user=user, course=course):
        raise PermissionDenied
    return course


def can_view_own_grades(*, user: AnyUser, course: Course) -> bool:
    """A student of the course, on their own released grades (staff have the gradebook)."""
    return is_enrolled(user=user, course=course) and not is_course_staff(user=user, course=course)


def can_download_returned_file(
    *, user: AnyUser, submission: Submission, assignment: Assignment
) -> bool:
    """The grader's returned copy: the course's staff, and its student once the grades are
    released (it goes with the grade)."""
    if is_course_staff(user=user, course=assignment.course):
        return True
    return (
        is_authenticated(user)
        and submission.student_id == user.pk
        and assignment.grade_item.is_released()
    )


def can_manage_quiz(*, user: AnyUser, quiz: Quiz) -> bool:
    """Edit the quiz and its questions, see every student's attempts, override a score."""
    return is_course_staff(user=user, course=quiz.course)


def access_quiz_attempt(*, user: AnyUser, attempt_id: int) -> QuizAttempt:
    """Return the attempt (with its quiz and course) to the student who made it; 404 to anybody
    else, staff included (they see attempts on the student's results page)."""
    if not is_authenticated(user):
        raise Http404
    attempt = (
        QuizAttempt.objects.select_related("quiz__course", "quiz__grade_item")
        .filter(pk=attempt_id, student_id=user.pk)
        .first()
    )
    if attempt is None or not can_view_quiz(user=user, quiz=attempt.quiz):
        raise Http404
    return attempt


def access_quiz_student(*, user: AnyUser, quiz_id: int, student_id: int) -> tuple[Quiz, User]:
    """Return the quiz and one of its course's students (or a former one with attempts) for the
    course's staff; 403 to its students, 404 to outsiders and for anybody else's id."""
    quiz = access_quiz_for_staff(user=user, quiz_id=quiz_id)
    student = (
        User.objects.filter(pk=student_id)
        .filter(
            Exists(Enrollment.objects.filter(course_id=quiz.course_id, student_id=OuterRef("pk")))
            | Exists(QuizAttempt.objects.filter(quiz_id=quiz.pk, student_id=OuterRef("pk")))
        )
        .first()
    )
    if student is None:
        raise Http404
    return quiz, student


# Live polls of a meeting ------------------------------------------------------------------------


def can_view_live_polls(*, user: AnyUser, meeting: Meeting) -> bool:
    """A meeting's polls with their results per student (page section and CSV): its staff."""
    return is_course_staff(user=user, course=meeting.course)


def access_meeting_for_live_polls(*, user: AnyUser, meeting_id: int) -> Meeting:
    """Return the meeting for its course's staff; 404 to outsiders, 403 to its students."""
    meeting = access_meeting(user=user, meeting_id=meeting_id)
    if not can_view_live_polls(user=user, meeting=meeting):
        raise PermissionDenied
    return meeting
