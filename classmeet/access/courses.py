"""Courses: their teacher manages them, enrolled students see them, nobody else does.

The membership checks here (`can_view_course`, `can_manage_course`) are the ones every other
module builds on.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404

from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.courses.models import Course, Enrollment


def is_enrolled(*, user: AnyUser, course: Course) -> bool:
    if not is_authenticated(user):
        return False
    known = getattr(course, "enrolled_viewer", None)
    if known is not None and known[0] == user.pk:
        return bool(known[1])
    return Enrollment.objects.filter(course_id=course.pk, student_id=user.pk).exists()


def can_create_course(*, user: AnyUser) -> bool:
    return is_authenticated(user) and user.is_teacher  # type: ignore[union-attr]


def can_manage_course(*, user: AnyUser, course: Course) -> bool:
    """The course's own teacher edits it, its roster, materials and meetings."""
    return is_authenticated(user) and course.teacher_id == user.pk


def can_view_course(*, user: AnyUser, course: Course) -> bool:
    return can_manage_course(user=user, course=course) or is_enrolled(user=user, course=course)


def can_enroll(*, user: AnyUser, course: Course) -> bool:
    """Students join a course by code or link while joining is enabled; teachers don't enroll."""
    return (
        is_authenticated(user)
        and user.is_student  # type: ignore[union-attr]
        and course.joining_enabled
        and course.teacher_id != user.pk
    )


def access_course(*, user: AnyUser, course_id: int) -> Course:
    """Return the course, or raise Http404 if it is missing or hidden from the user."""
    courses = Course.objects.select_related("teacher").filter(pk=course_id)
    if is_authenticated(user):
        # The membership comes with the course (one query), and stays on this instance for the
        # page's own includes, which ask `can_view_course` again: (user id, enrolled).
        mine = Enrollment.objects.filter(course_id=OuterRef("pk"), student_id=user.pk)
        courses = courses.annotate(viewer_is_enrolled=Exists(mine))
    course = courses.first()
    if course is not None and user.pk is not None and hasattr(course, "viewer_is_enrolled"):
        course.enrolled_viewer = (user.pk, bool(course.viewer_is_enrolled))
    if course is None or not can_view_course(user=user, course=course):
        raise Http404
    return course


def access_course_for_manage(*, user: AnyUser, course_id: int) -> Course:
    """Return the course for its teacher; 404 to outsiders, 403 to its students."""
    course = access_course(user=user, course_id=course_id)
    if not can_manage_course(user=user, course=course):
        raise PermissionDenied
    return course
