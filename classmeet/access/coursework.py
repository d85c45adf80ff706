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
from classmeet.coursework.models import Assignment, Grade, Quiz, QuizAttempt
from classmeet.coursework.selectors.assignments import is_assigned

from .courses import can_view_course, is_course_staff, is_enrolled


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
