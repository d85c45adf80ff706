"""Reads of courses, rosters and materials. Each runs a fixed number of queries."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Q, QuerySet

from classmeet.accounts.models import User
from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.core.batch import Planned, batched_raw
from classmeet.core.rows import columns, load
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


# The course page's materials as a plain statement, so it can travel with the page's other
# sections (core.batch); the columns come from the model.
_MATERIAL_COLUMNS = ", ".join(f'"{f.column}"' for f in Material._meta.concrete_fields)
_MATERIALS_SQL = (  # names from the model, the course id a parameter
    f'SELECT {_MATERIAL_COLUMNS} FROM "{Material._meta.db_table}"'  # noqa: S608
    ' WHERE "course_id" = %s ORDER BY "created_at" DESC, "id" DESC'
)


def material_list_plan(*, course: Course) -> Planned[list[Material]]:
    """`material_list` for the course page, planned to run with its other sections."""
    return Planned(batched_raw(Material, _MATERIALS_SQL, [course.pk]), list)


def material_get(*, course: Course, material_id: int) -> Material | None:
    return Material.objects.filter(course=course, pk=material_id).first()


def enrollment_list(*, course: Course) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(course=course)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student__username")
    )


# The course page's roster: each enrollment with its student's names and e-mail, nothing else.
_ROSTER_SQL = (
    'SELECT e."id", e."course_id", e."student_id", e."created_at", u."username" AS "s_username",'
    ' u."first_name" AS "s_first_name", u."last_name" AS "s_last_name", u."email" AS "s_email"'
    ' FROM "courses_enrollment" e INNER JOIN "accounts_user" u ON u."id" = e."student_id"'
    ' WHERE e."course_id" = %s ORDER BY u."last_name", u."first_name", u."username", e."id"'
)
_ROSTER_STUDENT_FIELDS = ["id", "username", "first_name", "last_name", "email"]


def enrollment_list_plan(*, course: Course) -> Planned[list[Enrollment]]:
    """`enrollment_list` for the course page (its staff), planned with its other sections."""
    return Planned(batched_raw(Enrollment, _ROSTER_SQL, [course.pk]), _with_students)


def _with_students(rows: list[Enrollment]) -> list[Enrollment]:
    db = Enrollment.objects.db
    for enrollment in rows:
        joined = vars(enrollment)  # the student's columns, attributes since raw()
        values = [joined["s_username"], joined["s_first_name"], joined["s_last_name"]]
        values.append(joined["s_email"])
        enrollment.student = User.from_db(
            db, _ROSTER_STUDENT_FIELDS, [enrollment.student_id, *values]
        )
    return rows


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


def staff_members(rows: list[dict[str, Any]] | None) -> list[StaffMember]:
    """Turn the assistants' JSON rows (`course_for_viewer`) into StaffMember objects, in name order."""
    rows = sorted(rows or (), key=lambda row: (row["last"], row["first"], row["username"]))
    return [
        StaffMember(
            pk=row["pk"],
            username=row["username"],
            display_name=f"{row['first']} {row['last']}".strip() or row["username"],
        )
        for row in rows
    ]


@functools.cache
def _course_for_viewer_sql(vendor: str) -> str:
    # The assistants as JSON rows (`staff_members` sorts them); the functions differ.
    rows = (
        "JSON_GROUP_ARRAY(JSON_OBJECT(" if vendor == "sqlite" else "JSONB_AGG(JSONB_BUILD_OBJECT("
    )
    return (
        f"SELECT {columns(Course, 'c')}, {columns(User, 'u')},"  # noqa: S608 (column names)
        ' EXISTS (SELECT 1 FROM "courses_enrollment" e'
        '  WHERE e."course_id" = c."id" AND e."student_id" = %s),'
        ' EXISTS (SELECT 1 FROM "courses_courseassistant" a'
        '  WHERE a."course_id" = c."id" AND a."user_id" = %s),'
        f" (SELECT {rows}'pk', a.\"user_id\", 'username', au.\"username\","
        " 'first', au.\"first_name\", 'last', au.\"last_name\"))"
        ' FROM "courses_courseassistant" a INNER JOIN "accounts_user" au ON au."id" = a."user_id"'
        '  WHERE a."course_id" = c."id")'
        ' FROM "courses_course" c INNER JOIN "accounts_user" u ON u."id" = c."teacher_id"'
        ' WHERE c."id" = %s'
    )


def course_for_viewer(*, course_id: int, user_id: int) -> Course | None:
    """Return the course with its teacher, its assistants (`assistants_shown`) and the user's
    membership (`enrolled_viewer`, `staff_viewer`), in one query; None if there is none.

    Written out: building it through the ORM (select_related, two Exists, the JSON subquery)
    cost the course page several times the query itself. The caller checks access.
    """
    if not 0 < course_id < 2**63:  # no such id (the ORM's lookups say so too, not the driver)
        return None
    connection = connections[router.db_for_read(Course)]
    with connection.cursor() as cursor:
        cursor.execute(_course_for_viewer_sql(connection.vendor), [user_id, user_id, course_id])
        row = cursor.fetchone()
    if row is None:
        return None
    n_course = len(Course._meta.concrete_fields)
    n_user = len(User._meta.concrete_fields)
    course: Course = load(Course, connection, row[:n_course])
    course.teacher = load(User, connection, row[n_course : n_course + n_user])
    enrolled, assists, assistants = row[n_course + n_user :]
    course.enrolled_viewer = (user_id, bool(enrolled))
    course.staff_viewer = (user_id, course.teacher_id == user_id or bool(assists))
    if isinstance(assistants, str):  # text on both databases; decoded if a driver decodes it
        assistants = json.loads(assistants)
    course.assistants_shown = staff_members(assistants)
    return course
