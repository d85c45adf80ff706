"""Courses: their staff manage them, enrolled students see them, nobody else does.

A course's staff is its teacher (the owner) and its assistants. Staff do everything the teacher
does in the course (edit it, its roster, materials, meetings, rooms, reports, recordings,
discussion moderation); only the owner deletes the course and adds or removes assistants.
`is_course_staff` is the one place that decides staff, and the membership checks here
(`can_view_course`, `can_manage_course`) are the ones every other module builds on.
"""

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, IntegerField, Model, OuterRef, QuerySet, Value
from django.http import Http404

from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.courses.models import Course, CourseAssistant, Enrollment
from classmeet.courses.selectors import course_assistants_annotation, staff_members

M = TypeVar("M", bound=Model)


def with_viewer(queryset: QuerySet[M], *, user: AnyUser, course_field: str = "pk") -> QuerySet[M]:
    """Annotate each row with the user's membership of its course (enrolled? assistant?).

    The membership then comes with the row's own query. On Course rows the checks below read it
    directly (a course list decides for every row without a query each); for rows of another
    model, `remember_viewer` stores it on the row's course.
    """
    if not is_authenticated(user):
        return queryset
    ref = OuterRef(course_field)
    annotated: QuerySet[M] = queryset.annotate(
        # Whose membership the row carries: a check for anybody else ignores it.
        viewer_id=Value(user.pk, output_field=IntegerField()),
        viewer_is_enrolled=Exists(Enrollment.objects.filter(course_id=ref, student_id=user.pk)),
        viewer_is_assistant=Exists(
            CourseAssistant.objects.filter(course_id=ref, user_id=user.pk or 0)
        ),
    )
    return annotated


def remember_viewer(*, row: Any, course: Course, user: AnyUser) -> None:
    """Keep what `with_viewer` annotated on `row` as the course's known membership of the user."""
    if user.pk is None or not hasattr(row, "viewer_is_enrolled"):
        return
    course.enrolled_viewer = (user.pk, bool(row.viewer_is_enrolled))
    course.staff_viewer = (user.pk, course.teacher_id == user.pk or bool(row.viewer_is_assistant))


def _annotated(course: Course, user: AnyUser, name: str) -> bool | None:
    """What `with_viewer` annotated on this Course row for this user, if it did."""
    if getattr(course, "viewer_id", None) == user.pk and hasattr(course, name):
        return bool(getattr(course, name))
    return None


def is_enrolled(*, user: AnyUser, course: Course) -> bool:
    if not is_authenticated(user):
        return False
    known = getattr(course, "enrolled_viewer", None)
    if known is not None and known[0] == user.pk:
        return bool(known[1])
    annotated = _annotated(course, user, "viewer_is_enrolled")
    if annotated is not None:
        return annotated
    return Enrollment.objects.filter(course_id=course.pk, student_id=user.pk).exists()


def is_course_owner(*, user: AnyUser, course: Course) -> bool:
    """The course's teacher: the account that created it."""
    return is_authenticated(user) and course.teacher_id == user.pk


def is_course_staff(*, user: AnyUser, course: Course) -> bool:
    """The course's teacher or one of its assistants.

    At most one query per course instance and user: the answer stays on the instance
    (`Course.staff_viewer`), or comes with it from `with_viewer`.
    """
    if not is_authenticated(user):
        return False
    if course.teacher_id == user.pk:
        return True
    known = course.staff_viewer
    if known is not None and known[0] == user.pk:
        return known[1]
    annotated = _annotated(course, user, "viewer_is_assistant")
    if annotated is not None:
        return annotated
    assists = CourseAssistant.objects.filter(course_id=course.pk, user_id=user.pk or 0).exists()
    course.staff_viewer = (user.pk or 0, assists)
    return assists


def can_create_course(*, user: AnyUser) -> bool:
    return is_authenticated(user) and user.is_teacher  # type: ignore[union-attr]


def can_manage_course(*, user: AnyUser, course: Course) -> bool:
    """Course staff edit it, its roster, materials and meetings."""
    return is_course_staff(user=user, course=course)


def can_delete_course(*, user: AnyUser, course: Course) -> bool:
    """Only the owner: deleting takes every assistant's work with it."""
    return is_course_owner(user=user, course=course)


def can_manage_staff(*, user: AnyUser, course: Course) -> bool:
    """Only the owner adds and removes assistants: an assistant cannot appoint or drop staff."""
    return is_course_owner(user=user, course=course)


def can_view_staff(*, user: AnyUser, course: Course) -> bool:
    """Staff see the staff list (assistants read-only); students see staff in the header."""
    return is_course_staff(user=user, course=course)


def can_view_course(*, user: AnyUser, course: Course) -> bool:
    return can_manage_course(user=user, course=course) or is_enrolled(user=user, course=course)


def can_enroll(*, user: AnyUser, course: Course) -> bool:
    """Students join a course by code or link while joining is enabled; its staff don't enroll."""
    return (
        is_authenticated(user)
        and user.is_student  # type: ignore[union-attr]
        and course.joining_enabled
        and not is_course_staff(user=user, course=course)
    )


def access_course(*, user: AnyUser, course_id: int) -> Course:
    """Return the course, or raise Http404 if it is missing or hidden from the user."""
    # The membership comes with the course (one query), and stays on this instance for the
    # page's own includes, which ask `can_view_course` again.
    courses = with_viewer(Course.objects.select_related("teacher").filter(pk=course_id), user=user)
    course = courses.annotate(assistant_rows=course_assistants_annotation()).first()
    if course is not None:
        remember_viewer(row=course, course=course, user=user)
        course.assistants_shown = staff_members(course.assistant_rows)
    if course is None or not can_view_course(user=user, course=course):
        raise Http404
    return course


def access_course_for_manage(*, user: AnyUser, course_id: int) -> Course:
    """Return the course for its staff; 404 to outsiders, 403 to its students."""
    course = access_course(user=user, course_id=course_id)
    if not can_manage_course(user=user, course=course):
        raise PermissionDenied
    return course


def access_course_for_owner(*, user: AnyUser, course_id: int) -> Course:
    """Return the course for its owner; 404 to outsiders, 403 to its students and assistants."""
    course = access_course(user=user, course_id=course_id)
    if not is_course_owner(user=user, course=course):
        raise PermissionDenied
    return course
