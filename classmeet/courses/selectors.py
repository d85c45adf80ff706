"""Reads of courses, rosters and materials. Each runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject

from classmeet.accounts.models import User
from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.courses.models import Course, CourseAssistant, Enrollment, Material


def course_visible_q(*, user: AnyUser, prefix: str = "") -> Q:
    """Return a filter that keeps the courses the user teaches, assists or is enrolled in.

    `prefix` lets other models filter through their course (e.g. ``prefix="course__"``). The join
    on enrollments may repeat rows: filter through a subquery (``pk__in``) to list them.
    """
    if not is_authenticated(user):
        return Q(pk__in=[])
    # Assisted courses through a subquery: a second multi-valued join would multiply the rows.
    assisted = CourseAssistant.objects.filter(user_id=user.pk or 0).values("course_id")
    return (
        Q(**{f"{prefix}teacher_id": user.pk})
        | Q(**{f"{prefix}enrollments__student_id": user.pk})
        | Q(**{f"{prefix}id__in": assisted})
    )


def course_staff_q(*, user: AnyUser, prefix: str = "") -> Q:
    """Return a filter that keeps the courses the user teaches or assists (no row repeats)."""
    if not is_authenticated(user):
        return Q(pk__in=[])
    assisted = CourseAssistant.objects.filter(user_id=user.pk or 0).values("course_id")
    return Q(**{f"{prefix}teacher_id": user.pk}) | Q(**{f"{prefix}id__in": assisted})


def course_list_staffed(*, user: AnyUser) -> QuerySet[Course]:
    """Return the courses the user teaches or assists, by title."""
    return Course.objects.filter(course_staff_q(user=user)).order_by("title", "id")


def course_assisted_ids(*, user: AnyUser) -> set[int]:
    """Return the ids of the courses the user assists (one query)."""
    if not is_authenticated(user):
        return set()
    return set(
        CourseAssistant.objects.filter(user_id=user.pk or 0).values_list("course_id", flat=True)
    )


def assistant_list(*, course: Course) -> QuerySet[CourseAssistant]:
    return (
        CourseAssistant.objects.filter(course=course)
        .select_related("user", "added_by")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def assistant_get(*, course: Course, user_id: int) -> CourseAssistant | None:
    return (
        CourseAssistant.objects.filter(course=course, user_id=user_id)
        .select_related("user")
        .first()
    )


def course_staff_ids(*, course: Course) -> set[int]:
    """Return the ids of the course's teacher and assistants (one query)."""
    assistants = CourseAssistant.objects.filter(course_id=course.pk).values_list(
        "user_id", flat=True
    )
    return {course.teacher_id, *assistants}


def is_course_staff_member(*, course_id: int, user_id: int) -> bool:
    """Whether the user teaches or assists the course, from ids alone (one query)."""
    return (
        Course.objects.filter(pk=course_id)
        .filter(Q(teacher_id=user_id) | Q(assistants__user_id=user_id))
        .exists()
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


@dataclass(frozen=True)
class StaffMember:
    """An assistant as a course page shows them (no User row needed)."""

    pk: int
    username: str
    display_name: str


class JSONRows(Aggregate):
    """The rows of a group as one JSON array, on PostgreSQL and SQLite alike."""

    function = (
        "JSONB_AGG"  # jsonb: Django reads it as text and decodes it (json would come decoded)
    )
    output_field = JSONField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def course_assistants_annotation() -> Subquery:
    """An annotation for Course querysets: the course's assistants, inside the course's own query.

    The course page and its includes show (and decide on) the staff without a query of their own.
    NULL when the course has none; `staff_members` sorts them.
    """
    rows = (
        CourseAssistant.objects.filter(course_id=OuterRef("pk"))
        .order_by()
        .values("course_id")
        .annotate(
            rows=JSONRows(
                JSONObject(
                    pk="user_id",
                    username="user__username",
                    first="user__first_name",
                    last="user__last_name",
                )
            )
        )
        .values("rows")
    )
    return Subquery(rows, output_field=JSONField())


def staff_members(rows: list[dict[str, Any]] | None) -> list[StaffMember]:
    """Turn the rows of `course_assistants_annotation` into StaffMember objects, in name order."""
    rows = sorted(rows or (), key=lambda row: (row["last"], row["first"], row["username"]))
    return [
        StaffMember(
            pk=row["pk"],
            username=row["username"],
            display_name=f"{row['first']} {row['last']}".strip() or row["username"],
        )
        for row in rows
    ]
