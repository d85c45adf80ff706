"""Reads of the dashboard: the user's courses as cards, in one query whatever their number."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.models import Course, CourseAssistant, Enrollment
from classmeet.meetings.models import MAX_DURATION, Meeting
from classmeet.notifications.models import Notification


@dataclass(frozen=True, slots=True)
class NextMeeting:
    """The meeting a card shows: live now, else the next one scheduled."""

    id: int
    title: str
    starts_at: datetime
    live: bool


@dataclass(frozen=True, slots=True)
class CourseCard:
    """A course as the dashboard shows it: plain values, no model rows (50 cards per page)."""

    course_id: int
    title: str
    updated_at: datetime
    teacher_id: int
    teacher_name: str
    unread_count: int = 0
    next_meeting: NextMeeting | None = None
    is_assistant: bool = False  # the user assists this course (staff, not its owner)


def course_card_list(*, user: User, now: datetime | None = None) -> list[CourseCard]:
    """Return the cards of the courses the user teaches (teacher) or attends (student), and
    those they assist (either role).

    One query of standard SQL (SQLite and PostgreSQL): the courses (in Course's order) with
    their teacher's name, the user's unread count, their first upcoming meeting and those that
    may still be running, which Meeting.phase sorts into live and ended.
    It is SQL written out because building the same query with the ORM cost ~5 ms of Python a
    page (annotations, a window function, two querysets), ten times the query itself.
    """
    now = now or timezone.now()
    alias = router.db_for_read(Course)
    connection = connections[alias]
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _cards_sql(alias, teacher=user.is_teacher),
            {
                "user": user.pk,
                "now": adapt(now),
                "recent": adapt(now - timedelta(minutes=MAX_DURATION)),
                "scheduled": Meeting.Status.SCHEDULED.value,
            },
        )
        rows = cursor.fetchall()
    to_datetime = _datetime_reader(connection)
    firsts = []  # the first row of each course, in the query's order
    meetings: dict[int, NextMeeting | None] = {}
    for row in rows:  # a row per meeting kept (by start, id), or one with no meeting
        pk = row[0]
        meeting_id, meeting_title, starts_at, duration = row[9:]
        if pk not in meetings:
            meetings[pk] = None
            firsts.append(row)
        if meeting_id is None or meetings[pk] is not None:
            continue
        starts_at = to_datetime(starts_at)
        live = starts_at <= now
        if live:  # started: live until it ends, as Meeting.phase says
            meeting = Meeting(
                status=Meeting.Status.SCHEDULED, starts_at=starts_at, duration_minutes=duration
            )
            if meeting.phase(now) != Meeting.Phase.LIVE:
                continue
        meetings[pk] = NextMeeting(
            id=meeting_id, title=meeting_title, starts_at=starts_at, live=live
        )
    names: dict[int, str] = {}
    cards = []
    for (
        pk,
        title,
        updated_at,
        teacher_id,
        first_name,
        last_name,
        username,
        unread,
        assists,
        *_,
    ) in firsts:
        if teacher_id not in names:  # the User model's own display_name, once per teacher
            teacher = User(first_name=first_name, last_name=last_name, username=username)
            names[teacher_id] = teacher.display_name
        cards.append(
            CourseCard(
                course_id=pk,
                title=title,
                updated_at=to_datetime(updated_at),
                teacher_id=teacher_id,
                teacher_name=names[teacher_id],
                unread_count=unread,
                next_meeting=meetings[pk],
                is_assistant=bool(assists),  # SQLite gives 0 or 1
            )
        )
    return cards


def _datetime_reader(connection: BaseDatabaseWrapper) -> Callable[[object], datetime]:
    """What the ORM does to a DateTimeField read by this backend (SQLite gives naive values)."""
    column = Meeting._meta.get_field("starts_at").get_col(Meeting._meta.db_table)
    converters = connection.ops.get_db_converters(column)

    def read(value: object) -> datetime:
        for converter in converters:
            value = converter(value, column, connection)
        return cast(datetime, value)

    return read


@functools.cache
def _cards_sql(alias: str, *, teacher: bool) -> str:
    """The query of course_card_list, with the tables and columns the models name.

    Standard SQL only (a window function, no DISTINCT ON, no date arithmetic). A scheduled
    meeting that starts after now is upcoming: the first one per course is kept, ranked apart
    from the others. One that started at most MAX_DURATION ago may still be live: all of those
    are kept, and Python decides. A window rank, not a correlated LIMIT 1 subquery, because
    PostgreSQL ran that subquery once per course of the whole site.
    """
    quote = connections[alias].ops.quote_name

    def column(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        if not isinstance(field, Field) or not field.column:  # a relation has no column here
            raise TypeError(f"{model.__name__}.{name} is no column")
        return quote(field.column)

    names = {
        "course": quote(Course._meta.db_table),
        "user": quote(User._meta.db_table),
        "meeting": quote(Meeting._meta.db_table),
        "notification": quote(Notification._meta.db_table),
        "enrollment": quote(Enrollment._meta.db_table),
        "assistant": quote(CourseAssistant._meta.db_table),
        "c_id": column(Course, "id"),
        "c_title": column(Course, "title"),
        "c_updated_at": column(Course, "updated_at"),
        "c_teacher": column(Course, "teacher"),
        "u_id": column(User, "id"),
        "u_first_name": column(User, "first_name"),
        "u_last_name": column(User, "last_name"),
        "u_username": column(User, "username"),
        "n_recipient": column(Notification, "recipient"),
        "n_course": column(Notification, "course"),
        "n_read_at": column(Notification, "read_at"),
        "m_id": column(Meeting, "id"),
        "m_course": column(Meeting, "course"),
        "m_title": column(Meeting, "title"),
        "m_starts_at": column(Meeting, "starts_at"),
        "m_duration": column(Meeting, "duration_minutes"),
        "m_status": column(Meeting, "status"),
        "e_course": column(Enrollment, "course"),
        "e_student": column(Enrollment, "student"),
        "a_course": column(CourseAssistant, "course"),
        "a_user": column(CourseAssistant, "user"),
    }
    assisted = "SELECT {a_course} FROM {assistant} WHERE {a_user} = %(user)s"
    own = (  # the courses the user teaches or attends
        "SELECT {c_id} FROM {course} WHERE {c_teacher} = %(user)s"
        if teacher
        else "SELECT {e_course} FROM {enrollment} WHERE {e_student} = %(user)s"
    )
    mine = f"{own} UNION {assisted}"  # and those they assist
    sql = (
        "SELECT c.{c_id}, c.{c_title}, c.{c_updated_at}, c.{c_teacher},"  # noqa: S608 (names from _meta)
        " u.{u_first_name}, u.{u_last_name}, u.{u_username},"
        " (SELECT COUNT(*) FROM {notification} n WHERE n.{n_recipient} = %(user)s"
        " AND n.{n_read_at} IS NULL AND n.{n_course} = c.{c_id}),"
        " c.{c_id} IN (" + assisted + "),"
        " m.{m_id}, m.{m_title}, m.{m_starts_at}, m.{m_duration}"
        " FROM {course} c JOIN {user} u ON u.{u_id} = c.{c_teacher}"
        " LEFT JOIN (SELECT {m_course}, {m_id}, {m_title}, {m_starts_at}, {m_duration},"
        " ROW_NUMBER() OVER (PARTITION BY {m_course}, {m_starts_at} > %(now)s"
        " ORDER BY {m_starts_at}, {m_id}) AS row_rank"
        " FROM {meeting} WHERE {m_course} IN (" + mine + ") AND {m_status} = %(scheduled)s"
        " AND {m_starts_at} >= %(recent)s) m ON m.{m_course} = c.{c_id}"
        " AND (m.{m_starts_at} <= %(now)s OR m.row_rank = 1)"
        " WHERE c.{c_id} IN (" + mine + ")"
        " ORDER BY c.{c_title}, c.{c_id}, m.{m_starts_at}, m.{m_id}"  # Course.Meta.ordering first
    )
    return sql.format(**names)
