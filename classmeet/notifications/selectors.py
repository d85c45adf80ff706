"""Read notifications: the bell's count, the dropdown, the full page."""

from collections.abc import Iterable

from django.db import connections, router
from django.db.models import Count, Q, QuerySet

from classmeet.accounts.models import User
from classmeet.core.batch import Planned, batched_rows
from classmeet.courses.models import Course, CourseAssistant, Enrollment

from .models import Notification


def notification_list(*, user: User) -> QuerySet[Notification]:
    """Return the user's notifications, newest first, with their actor."""
    return Notification.objects.filter(recipient_id=user.pk).select_related("actor", "course")


def notification_page_list(*, user: User) -> QuerySet[Notification]:
    """Return the user's notifications, newest first, with only what the notification page shows."""
    return (
        Notification.objects.filter(recipient_id=user.pk)
        .select_related("course")
        .only("id", "title", "body", "url", "created_at", "read_at", "course__id", "course__title")
    )


def notification_latest(*, user: User, limit: int = 5) -> list[Notification]:
    return list(notification_list(user=user)[:limit])


def notification_unread_count(*, user: User) -> int:
    """Count the user's unread notifications in one query (uses the partial unread index).

    Written out: every HTML page's navbar asks, and the ORM's count() cost more than the query.
    """
    connection = connections[router.db_for_read(Notification)]
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_COUNT_SQL, [user.pk])
        row = cursor.fetchone()
    return int(row[0])


def notification_unread_count_plan(*, user: User) -> Planned[int]:
    """`notification_unread_count`, planned to travel with a page's other reads."""
    return Planned(batched_rows(_UNREAD_COUNT_SQL, [user.pk]), lambda rows: int(rows[0][0]))


_UNREAD_COUNT_SQL = (
    'SELECT COUNT(*) FROM "notifications_notification"'
    ' WHERE "recipient_id" = %s AND "read_at" IS NULL'
)


def notification_unread_counts(*, user_ids: Iterable[int]) -> dict[int, int]:
    """Return {user id: unread count} for many users in one grouped query."""
    rows = (
        Notification.objects.filter(recipient_id__in=list(user_ids), read_at__isnull=True)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    return dict(rows)


def course_members_q(*, course: Course) -> Q:
    """Return a filter on users that keeps the course's staff and its enrolled students."""
    enrolled = Enrollment.objects.filter(course_id=course.pk).values("student_id")
    assistants = CourseAssistant.objects.filter(course_id=course.pk).values("user_id")
    return Q(pk=course.teacher_id) | Q(pk__in=enrolled) | Q(pk__in=assistants)


def course_member_ids(*, course: Course) -> set[int]:
    """Return the ids of the course's staff and enrolled students (one query)."""
    return set(User.objects.filter(course_members_q(course=course)).values_list("pk", flat=True))
