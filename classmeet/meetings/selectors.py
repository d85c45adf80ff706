"""Read side of meetings: lists for a viewer, a course and a calendar feed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.models import Course
from classmeet.courses.selectors import course_visible_q

from .models import Meeting

PAST_LIMIT = 50
UPCOMING_PAGE_SIZE = 25  # the meetings page lists upcoming meetings a page at a time
COURSE_UPCOMING_LIMIT = 10  # a course page shows the next ten
CALENDAR_PAST_DAYS = 90
# The longest meeting the model allows: anything that started earlier has ended.
MAX_MEETING_MINUTES = 480


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
    groups = MeetingGroups()
    # Past = started more than the longest duration ago, or ended/cancelled before now.
    since = now - timedelta(minutes=480)
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


def meeting_list_for_course(*, course: Course, now: datetime | None = None) -> MeetingGroups:
    """Return a course's meetings grouped for its page (the caller checked access)."""
    meetings = course.meetings.select_related("course", "course__teacher", "created_by")
    return meeting_groups(meetings=meetings, now=now, upcoming_limit=COURSE_UPCOMING_LIMIT)


def meeting_list_for_calendar(*, user: User) -> QuerySet[Meeting]:
    """Return the meetings of a user's calendar feed: from 90 days ago on, cancelled included."""
    since = timezone.now() - timedelta(days=CALENDAR_PAST_DAYS)
    return meeting_list_for_user(user=user).filter(starts_at__gte=since)


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
            starts_at__gte=now - timedelta(minutes=MAX_MEETING_MINUTES),
            starts_at__lte=now + timedelta(minutes=settings.CLASSMEET_JOIN_WINDOW_MINUTES),
        ).values_list("pk", flat=True)
    )
