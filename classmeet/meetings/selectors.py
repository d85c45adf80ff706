"""Read side of meetings: lists for a viewer, a course and a calendar feed; attendance reports
and the chat log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import DEFERRED, Model, Q, QuerySet
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.core.batch import Planned, batched_raw
from classmeet.courses.models import Course, Enrollment
from classmeet.courses.selectors import course_visible_q

from .models import MAX_DURATION, Attendance, ChatMessage, Meeting

PAST_LIMIT = 50
UPCOMING_PAGE_SIZE = 25  # the meetings page lists upcoming meetings a page at a time
COURSE_UPCOMING_LIMIT = 10  # a course page shows the next ten
COURSE_PAST_LIMIT = 5  # and the latest five past ones
CALENDAR_PAST_DAYS = 90

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class MeetingRow:
    """A meeting as one viewer sees it at one moment."""

    meeting: Meeting
    phase: str
    joinable: bool


@dataclass
class MeetingGroups:
    live: list[MeetingRow] = field(default_factory=list)
    upcoming: list[MeetingRow] = field(default_factory=list)
    past: list[MeetingRow] = field(default_factory=list)
    more_upcoming: bool = False  # a bounded upcoming list left later meetings out


def meeting_list_for_user(*, user: User) -> QuerySet[Meeting]:
    """Return the meetings of the courses the user teaches or is enrolled in."""
    visible = Course.objects.filter(course_visible_q(user=user)).values("pk")
    return (
        Meeting.objects.filter(course__in=visible)
        .select_related("course", "course__teacher", "created_by")
        .order_by("starts_at", "id")
    )


def meeting_groups(
    *,
    meetings: QuerySet[Meeting],
    now: datetime | None = None,
    upcoming_limit: int | None = None,
    upcoming_offset: int = 0,
) -> MeetingGroups:
    """Split meetings into live now, upcoming (soonest first) and past (latest first).

    With `upcoming_limit`, only that many of the meetings that started in the last 8 hours or
    start later (live, upcoming, just ended) are read, after skipping `upcoming_offset` of them:
    a page of the list, soonest first, with `more_upcoming` telling if later ones exist. The
    cost then stays the same however far ahead meetings are scheduled.
    """
    now = now or timezone.now()
    # Past = started more than the longest duration ago, or ended/cancelled before now.
    since = now - timedelta(minutes=MAX_DURATION)
    # One query: the recent ones (a page of them with `upcoming_limit`) and the latest past ones,
    # each chosen by a subquery of its own, then split here.
    older_ids = meetings.filter(starts_at__lt=since).order_by("-starts_at", "-id")[:PAST_LIMIT]
    wanted = Q(pk__in=older_ids.values("pk"))
    if upcoming_limit is None:
        wanted |= Q(starts_at__gte=since)
    else:
        end = upcoming_offset + upcoming_limit
        ordered = meetings.filter(starts_at__gte=since).order_by("starts_at", "id")
        # One more than the page: are there later ones?
        wanted |= Q(pk__in=ordered[upcoming_offset : end + 1].values("pk"))
    rows = list(meetings.filter(wanted).order_by("starts_at", "id"))
    return _grouped(rows, since=since, now=now, upcoming_limit=upcoming_limit)


def _grouped(
    rows: list[Meeting], *, since: datetime, now: datetime, upcoming_limit: int | None
) -> MeetingGroups:
    """Split meetings read soonest first into the groups of `meeting_groups`."""
    groups = MeetingGroups()
    recent: list[Meeting] = [m for m in rows if m.starts_at >= since]
    older = sorted((m for m in rows if m.starts_at < since), key=lambda m: (m.starts_at, m.pk))
    older.reverse()
    if upcoming_limit is not None:
        groups.more_upcoming = len(recent) > upcoming_limit
        recent = recent[:upcoming_limit]
    for meeting in recent:
        row = MeetingRow(meeting, meeting.phase(now), meeting.is_joinable(now))
        if row.phase == Meeting.Phase.LIVE:
            groups.live.append(row)
        elif row.phase == Meeting.Phase.UPCOMING or (
            row.phase == Meeting.Phase.CANCELLED and meeting.starts_at >= now
        ):
            groups.upcoming.append(row)
        else:
            groups.past.append(row)
    groups.past.reverse()
    groups.past.extend(MeetingRow(m, m.phase(now), False) for m in older)
    groups.past = groups.past[:PAST_LIMIT]
    return groups


# The course page's meetings in one statement, the same choice as `meeting_groups` (the recent
# ones soonest first, one more than shown, and the latest older ones) written out once: building
# it through the ORM cost the page several times the query itself. Portable SQL (SQLite too).
_COURSE_MEETINGS_SQL = (
    'SELECT "id", "course_id", "title", "starts_at", "duration_minutes", "status", "ended_at"'
    ' FROM "meetings_meeting" WHERE "id" IN'
    ' (SELECT "id" FROM "meetings_meeting" WHERE "course_id" = %s AND "starts_at" >= %s'
    ' ORDER BY "starts_at", "id" LIMIT %s)'
    ' OR "id" IN'
    ' (SELECT "id" FROM "meetings_meeting" WHERE "course_id" = %s AND "starts_at" < %s'
    ' ORDER BY "starts_at" DESC, "id" DESC LIMIT %s)'
    ' ORDER BY "starts_at", "id"'
)


# The meetings page's rows in one statement, the same choice as `meeting_groups` with a limit (a
# page of the recent ones, one more than shown, and the latest older ones) with each row's course
# title and teacher's names: the ORM took longer to build and compile it than the database to run
# it. The viewer's courses are `course_visible_q`'s subquery, compiled once as a CTE.
_PAGE_MEETINGS_SQL = (
    'WITH "visible" ("id") AS ({visible})'
    ' SELECT m."id", m."course_id", m."title", m."starts_at", m."duration_minutes", m."status",'
    ' m."ended_at", c."title" AS "course_title", c."teacher_id" AS "teacher_id",'
    ' u."username" AS "teacher_username", u."first_name" AS "teacher_first_name",'
    ' u."last_name" AS "teacher_last_name"'
    ' FROM "meetings_meeting" m'
    ' INNER JOIN "courses_course" c ON c."id" = m."course_id"'
    ' INNER JOIN "accounts_user" u ON u."id" = c."teacher_id"'
    ' WHERE m."id" IN'
    ' (SELECT "id" FROM "meetings_meeting" WHERE "course_id" IN (SELECT "id" FROM "visible")'
    ' AND "starts_at" >= %s ORDER BY "starts_at", "id" LIMIT %s OFFSET %s)'
    ' OR m."id" IN'
    ' (SELECT "id" FROM "meetings_meeting" WHERE "course_id" IN (SELECT "id" FROM "visible")'
    ' AND "starts_at" < %s ORDER BY "starts_at" DESC, "id" DESC LIMIT %s)'
    ' ORDER BY m."starts_at", m."id"'
)


def meeting_groups_for_page(
    *, user: User, upcoming_limit: int, upcoming_offset: int = 0, now: datetime | None = None
) -> MeetingGroups:
    """Return `meeting_groups` of the user's meetings for the meetings page: a page of
    `upcoming_limit` recent ones after `upcoming_offset`, and the latest past ones.

    Each meeting carries its course (title) and the course's teacher (names), nothing more.
    """
    now = now or timezone.now()
    since = now - timedelta(minutes=MAX_DURATION)
    visible, visible_params = (
        Course.objects.filter(course_visible_q(user=user)).values("pk").query.sql_with_params()
    )
    at = connection.ops.adapt_datetimefield_value(since)
    params = [*visible_params, at, upcoming_limit + 1, upcoming_offset, at, PAST_LIMIT]
    rows = list(Meeting.objects.raw(_PAGE_MEETINGS_SQL.format(visible=visible), params))
    courses: dict[int, Course] = {}
    teachers: dict[int, User] = {}
    for meeting in rows:
        course = courses.get(meeting.course_id)
        if course is None:
            joined = vars(meeting)  # the course's and teacher's columns, attributes since raw()
            teacher = teachers.get(joined["teacher_id"])
            if teacher is None:
                teacher = teachers[joined["teacher_id"]] = _loaded(
                    User,
                    id=joined["teacher_id"],
                    username=joined["teacher_username"],
                    first_name=joined["teacher_first_name"],
                    last_name=joined["teacher_last_name"],
                )
            course = courses[meeting.course_id] = _loaded(
                Course, id=meeting.course_id, title=joined["course_title"], teacher_id=teacher.pk
            )
            course.teacher = teacher
        meeting.course = course
    return _grouped(rows, since=since, now=now, upcoming_limit=upcoming_limit)


def _loaded(model: type[_M], **values: object) -> _M:
    """An instance of `model` as the database gave it, with only `values` loaded (the other
    fields deferred: read on access, as with `.only()`)."""
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias, list(values), [values.get(f.attname, DEFERRED) for f in fields]
    )


def meeting_list_for_course_plan(
    *, course: Course, now: datetime | None = None
) -> Planned[MeetingGroups]:
    """Plan `meeting_list_for_course`'s read, to run with the course page's other sections."""
    now = now or timezone.now()
    since = now - timedelta(minutes=MAX_DURATION)
    params = [course.pk, since, COURSE_UPCOMING_LIMIT + 1, course.pk, since, COURSE_PAST_LIMIT]

    def grouped(rows: list[Meeting]) -> MeetingGroups:
        for meeting in rows:
            meeting.course = course
        return _grouped(rows, since=since, now=now, upcoming_limit=COURSE_UPCOMING_LIMIT)

    return Planned(batched_raw(Meeting, _COURSE_MEETINGS_SQL, params), grouped)


def meeting_list_for_course(*, course: Course, now: datetime | None = None) -> MeetingGroups:
    """Return a course's meetings grouped for its page (the caller checked access).

    The next COURSE_UPCOMING_LIMIT meetings (live and just ended included) and the
    COURSE_PAST_LIMIT latest past ones; each meeting carries `course` (the page's own object).
    """
    return meeting_list_for_course_plan(course=course, now=now).result()


def meeting_list_for_calendar(*, user: User, course_id: int | None = None) -> QuerySet[Meeting]:
    """Return the meetings of a user's calendar feed, or of one course of theirs: from 90 days ago
    on, cancelled included."""
    since = timezone.now() - timedelta(days=CALENDAR_PAST_DAYS)
    meetings = meeting_list_for_user(user=user).filter(starts_at__gte=since)
    return meetings if course_id is None else meetings.filter(course_id=course_id)


def user_get_by_calendar_token(*, token: str) -> User | None:
    """Return the active user owning a calendar feed token, or None."""
    if len(token) < 20:
        return None
    return User.objects.filter(calendar_token=token, is_active=True).first()


def meeting_open_id_list(*, course_id: int, now: datetime | None = None) -> list[int]:
    """Return the ids of the course's scheduled meetings whose room may be open now.

    That is every one that started less than the longest meeting ago or opens within the join
    window: a removed student's sockets can only be in these.
    """
    now = now or timezone.now()
    return list(
        Meeting.objects.filter(
            course_id=course_id,
            status=Meeting.Status.SCHEDULED,
            starts_at__gte=now - timedelta(minutes=MAX_DURATION),
            starts_at__lte=now + timedelta(minutes=settings.CLASSMEET_JOIN_WINDOW_MINUTES),
        ).values_list("pk", flat=True)
    )


def course_student_ids(*, course: Course) -> list[int]:
    """Return the ids of the students enrolled in the course (who meeting notices go to)."""
    return list(Enrollment.objects.filter(course=course).values_list("student_id", flat=True))


# The class record: attendance reports and the chat log ----------------------------------------

Interval = tuple[datetime, datetime]


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Return the union of the intervals as sorted, disjoint intervals (touching ones merge)."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end < start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _open_row_end(*, meeting: Meeting, now: datetime) -> datetime:
    """Where a still-open row counts until: now, but never past the meeting's end."""
    end = meeting.ended_at or meeting.ends_at
    return min(now, end)


@dataclass
class AttendanceRow:
    """One student's attendance of one meeting."""

    user: User
    joins: int = 0
    first_join: datetime | None = None
    last_leave: datetime | None = None
    in_room: bool = False
    seconds: float = 0.0
    intervals: list[Interval] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return self.joins > 0

    @property
    def minutes(self) -> float:
        return round(self.seconds / 60, 1)


def _rows_for(
    *, meeting: Meeting, users: Iterable[User], attendances: Iterable[Attendance], now: datetime
) -> list[AttendanceRow]:
    by_user: dict[int, list[Attendance]] = defaultdict(list)
    for attendance in attendances:
        by_user[attendance.user_id].append(attendance)
    rows = []
    open_end = _open_row_end(meeting=meeting, now=now)
    meeting_running = now < (meeting.ended_at or meeting.ends_at)
    for user in users:
        row = AttendanceRow(user=user)
        mine = by_user.get(user.pk, [])
        intervals: list[Interval] = []
        for attendance in mine:
            end = attendance.left_at if attendance.left_at is not None else open_end
            intervals.append((attendance.joined_at, max(end, attendance.joined_at)))
        if mine:
            row.joins = len(mine)
            row.first_join = min(a.joined_at for a in mine)
            row.in_room = meeting_running and any(a.left_at is None for a in mine)
            if not row.in_room:
                row.last_leave = max(end for _start, end in intervals)
            row.intervals = merge_intervals(intervals)
            row.seconds = sum((end - start).total_seconds() for start, end in row.intervals)
        rows.append(row)
    return rows


def meeting_students(*, meeting: Meeting) -> QuerySet[User]:
    """Return the students enrolled in the meeting's course, by name."""
    return User.objects.filter(enrollments__course_id=meeting.course_id).order_by(
        "last_name", "first_name", "username"
    )


def attendance_report(*, meeting: Meeting, now: datetime | None = None) -> list[AttendanceRow]:
    """Return one row per enrolled student: present or absent, first join, last leave, minutes
    (overlapping tabs counted once) and number of joins."""
    now = now or timezone.now()
    students = list(meeting_students(meeting=meeting))
    attendances = Attendance.objects.filter(meeting=meeting, user_id__in=[s.pk for s in students])
    return _rows_for(meeting=meeting, users=students, attendances=attendances, now=now)


@dataclass
class CourseAttendance:
    """Students by meetings of a course: minutes attended, None where absent."""

    meetings: list[Meeting]
    students: list[User]
    minutes: dict[tuple[int, int], float | None]

    def attended_count(self, student: User) -> int:
        return sum(1 for m in self.meetings if self.minutes[(student.pk, m.pk)] is not None)


def course_attendance(*, course: Course, now: datetime | None = None) -> CourseAttendance:
    """Return the attendance of every enrolled student at every meeting that has started."""
    now = now or timezone.now()
    meetings = list(
        Meeting.objects.filter(course=course, starts_at__lte=now)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at", "id")
    )
    students = list(
        User.objects.filter(enrollments__course=course).order_by(
            "last_name", "first_name", "username"
        )
    )
    by_meeting: dict[int, list[Attendance]] = defaultdict(list)
    for attendance in Attendance.objects.filter(
        meeting__in=meetings, user_id__in=[s.pk for s in students]
    ):
        by_meeting[attendance.meeting_id].append(attendance)
    minutes: dict[tuple[int, int], float | None] = {}
    for meeting in meetings:
        for row in _rows_for(
            meeting=meeting, users=students, attendances=by_meeting[meeting.pk], now=now
        ):
            minutes[(row.user.pk, meeting.pk)] = row.minutes if row.present else None
    return CourseAttendance(meetings=meetings, students=students, minutes=minutes)


def chat_message_list(*, meeting_id: int, include_deleted: bool = False) -> QuerySet[ChatMessage]:
    """Return the meeting's whole chat in order (private lines too), with authors and recipients."""
    messages = ChatMessage.objects.filter(meeting_id=meeting_id).select_related(
        "author", "recipient", "deleted_by"
    )
    if not include_deleted:
        messages = messages.filter(deleted_at__isnull=True)
    return messages.order_by("created_at", "id")


def chat_history(*, meeting_id: int, viewer_id: int) -> list[ChatMessage]:
    """Return the latest visible messages (oldest first) that a (re)joiner is shown: the public
    lines and the private lines the viewer wrote or received (staff included: a private line is
    between two people in the room; the whole chat is in the staff's chat log)."""
    visible = Q(recipient__isnull=True) | Q(author_id=viewer_id) | Q(recipient_id=viewer_id)
    latest = (
        chat_message_list(meeting_id=meeting_id)
        .filter(visible)
        .order_by("-created_at", "-id")[: settings.CLASSMEET_CHAT_HISTORY]
    )
    return list(reversed(latest))
