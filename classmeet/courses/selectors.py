"""Reads of courses, rosters and materials. Each runs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from classmeet.accounts.models import User
from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.courses.models import Course, Enrollment, Material


def course_visible_q(*, user: AnyUser, prefix: str = "") -> Q:
    """Return a filter that keeps the courses the user teaches or is enrolled in.

    `prefix` lets other models filter through their course (e.g. ``prefix="course__"``). The join
    on enrollments may repeat rows: filter through a subquery (``pk__in``) to list them.
    """
    if not is_authenticated(user):
        return Q(pk__in=[])
    return Q(**{f"{prefix}teacher_id": user.pk}) | Q(
        **{f"{prefix}enrollments__student_id": user.pk}
    )


def material_list(*, course: Course) -> QuerySet[Material]:
    return Material.objects.filter(course=course).order_by("-created_at", "-id")


def material_get(*, course: Course, material_id: int) -> Material | None:
    return Material.objects.filter(course=course, pk=material_id).first()


def enrollment_list(*, course: Course) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(course=course)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student__username")
    )


def enrollment_get(*, course: Course, student_id: int) -> Enrollment | None:
    return (
        Enrollment.objects.filter(course=course, student_id=student_id)
        .select_related("student")
        .first()
    )


def course_get_by_join_code(*, code: str) -> Course | None:
    return Course.objects.filter(join_code=code).first()


def course_get_by_invite_token(*, token: str) -> Course | None:
    return Course.objects.select_related("teacher").filter(invite_token=token).first()


def user_find(*, identifier: str) -> User | None:
    """Return the active user with this username or e-mail (case-insensitive), if exactly one."""
    identifier = identifier.strip()
    if not identifier:
        return None
    lookup = (
        {"email__iexact": identifier} if "@" in identifier else {"username__iexact": identifier}
    )
    users = list(User.objects.filter(is_active=True, **lookup)[:2])
    return users[0] if len(users) == 1 else None
