"""Write side of meetings: schedule, start now, edit, cancel, mark started or ended, and the
private calendar token."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from classmeet.accounts.models import User
from classmeet.core.times import format_when
from classmeet.courses.models import Course
from classmeet.notifications.models import Notification
from classmeet.notifications.services import notifications_create

from ..models import MAX_DURATION, MIN_DURATION, Meeting, MeetingReminder
from ..selectors import course_student_ids
from .reminders import _reminder_windows

MAX_WEEKS = 52


def _validate_slot(
    *,
    course: Course,
    starts_at: datetime,
    duration_minutes: int,
    exclude_id: int | None = None,
    check_past: bool = True,
    now: datetime,
) -> None:
    """Raise ValidationError (keyed by form field) if the slot is invalid for the course."""
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        raise ValidationError(
            {
                "duration_minutes": _("The duration must be between %(min)d and %(max)d minutes.")
                % {"min": MIN_DURATION, "max": MAX_DURATION}
            }
        )
    # A start within the current minute is now, not the past: the form has minute precision,
    # so 21:56 entered at 21:56:40 means "now".
    if check_past and starts_at < now.replace(second=0, microsecond=0):
        raise ValidationError({"starts_at": _("The start is in the past.")})
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    clashes = Meeting.objects.filter(
        course=course,
        status=Meeting.Status.SCHEDULED,
        starts_at__lt=ends_at,
        starts_at__gt=starts_at - timedelta(minutes=MAX_DURATION),
    )
    if exclude_id is not None:
        clashes = clashes.exclude(pk=exclude_id)
    for other in clashes:
        if other.ends_at > starts_at:
            raise ValidationError(
                {
                    "starts_at": _(
                        "This overlaps “%(title)s” of the same course on %(when)s (%(zone)s)."
                    )
                    % {
                        "title": other.title,
                        "when": format_when(other.starts_at, "datetime", label=False),
                        "zone": timezone.get_current_timezone_name(),
                    }
                }
            )


@transaction.atomic
def meeting_schedule(
    *,
    course: Course,
    created_by: User,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    description: str = "",
    weeks: int = 1,
    waiting_room: bool = False,
) -> list[Meeting]:
    """Create one meeting, or `weeks` weekly meetings of one series, and tell the students."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationError({"weeks": _("Repeat for 1 to %(max)d weeks.") % {"max": MAX_WEEKS}})
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": _("The start needs a time zone.")})
    now = timezone.now()
    series = uuid.uuid4() if weeks > 1 else None
    meetings: list[Meeting] = []
    for week in range(weeks):
        meeting = Meeting(
            course=course,
            title=title,
            description=description,
            starts_at=starts_at + timedelta(weeks=week),
            duration_minutes=duration_minutes,
            series=series,
            waiting_room=waiting_room,
            created_by=created_by,
        )
        # Earlier meetings of the same series are saved already: the overlap check sees them.
        _validate_slot(
            course=course, starts_at=meeting.starts_at, duration_minutes=duration_minutes, now=now
        )
        meeting.full_clean()
        meeting.save()
        meetings.append(meeting)
    first = meetings[0]
    notifications_create(
        recipient_ids=course_student_ids(course=course),
        kind=Notification.Kind.MEETING_SCHEDULED,
        title=lambda: (
            ngettext(
                "New meeting in %(course)s: %(title)s",
                "New weekly meetings in %(course)s: %(title)s (%(count)d weeks)",
                weeks,
            )
            % {"course": course.title, "title": title, "count": weeks}
        ),
        url=first.get_absolute_url(),
        actor=created_by,
        course=course,
    )
    return meetings


@dataclass(frozen=True)
class StartedClass:
    """The meeting "Start a class now" leads into; `created` is False when it was open already."""

    meeting: Meeting
    created: bool


@transaction.atomic
def meeting_start_now(*, course: Course, created_by: User) -> StartedClass:
    """Start a class of the course now, or return the one that is open already.

    A meeting of the course whose room is open (live, or about to start within the join window)
    is returned instead of a new one: a double click or a second tab never makes two rooms. A new
    one lasts CLASSMEET_INSTANT_MEETING_MINUTES, cut short to end when the next scheduled meeting
    begins. The students get one "starting now" notification, which stands for the reminders.
    """
    # The course row is the lock: two clicks at once see each other's meeting.
    Course.objects.select_for_update().only("pk").get(pk=course.pk)
    now = timezone.now()
    scheduled = Meeting.objects.filter(course=course, status=Meeting.Status.SCHEDULED)
    window = timedelta(minutes=settings.CLASSMEET_JOIN_WINDOW_MINUTES)
    for meeting in scheduled.filter(
        starts_at__lte=now + window, starts_at__gt=now - timedelta(minutes=MAX_DURATION)
    ):
        if meeting.is_joinable(now):
            return StartedClass(meeting=meeting, created=False)
    duration = min(max(settings.CLASSMEET_INSTANT_MEETING_MINUTES, MIN_DURATION), MAX_DURATION)
    following = scheduled.filter(starts_at__gt=now).first()
    if following is not None:
        room_left = int((following.starts_at - now).total_seconds() // 60)
        if room_left < MIN_DURATION:
            raise ValidationError(
                _("“%(title)s” starts in less than %(minutes)d minutes: join it instead.")
                % {"title": following.title, "minutes": MIN_DURATION}
            )
        duration = min(duration, room_left)
    title = _("%(course)s — live class") % {"course": course.title}
    meeting = Meeting(
        course=course,
        title=title[: Meeting._meta.get_field("title").max_length],
        starts_at=now,
        duration_minutes=duration,
        created_by=created_by,
    )
    _validate_slot(course=course, starts_at=now, duration_minutes=duration, now=now)
    meeting.full_clean()
    meeting.save()
    sent = notifications_create(
        recipient_ids=course_student_ids(course=course),
        kind=Notification.Kind.MEETING_STARTING_NOW,
        title=lambda: _("“%(title)s” is starting now") % {"title": meeting.title},
        url=meeting.get_absolute_url(),
        actor=created_by,
        course=course,
    )
    # Every reminder is due by now: this notification is all of them, so the scan sends none.
    MeetingReminder.objects.bulk_create(
        MeetingReminder(
            meeting=meeting,
            offset_seconds=int(w.offset.total_seconds()),
            starts_at=meeting.starts_at,
            recipients=len(sent),
        )
        for w in _reminder_windows()
    )
    return StartedClass(meeting=meeting, created=True)


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    actor: User,
    title: str,
    description: str,
    starts_at: datetime,
    duration_minutes: int,
    waiting_room: bool | None = None,
) -> Meeting:
    """Change a scheduled meeting; students are told, and a new time gets new reminders.

    `waiting_room` (None: unchanged) is a room setting: changing only it tells nobody and keeps
    the calendar sequence; it applies to students who join from then on.
    """
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status != Meeting.Status.SCHEDULED or locked.phase() == Meeting.Phase.ENDED:
        raise ValidationError(_("Only a scheduled meeting that has not ended can be edited."))
    time_changed = starts_at != locked.starts_at or duration_minutes != locked.duration_minutes
    if time_changed:
        _validate_slot(
            course=locked.course,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            exclude_id=locked.pk,
            check_past=starts_at != locked.starts_at,
            now=timezone.now(),
        )
    if waiting_room is not None and waiting_room != locked.waiting_room:
        locked.waiting_room = waiting_room
        locked.save(update_fields=["waiting_room", "updated_at"])
    changed = time_changed or title != locked.title or description != locked.description
    if not changed:
        return locked
    locked.title = title
    locked.description = description
    locked.starts_at = starts_at
    locked.duration_minutes = duration_minutes
    locked.sequence += 1
    locked.full_clean()
    locked.save(
        update_fields=[
            "title",
            "description",
            "starts_at",
            "duration_minutes",
            "sequence",
            "updated_at",
        ]
    )
    notifications_create(
        recipient_ids=course_student_ids(course=locked.course),
        kind=Notification.Kind.MEETING_CHANGED,
        title=lambda: (
            _("Meeting changed in %(course)s: %(title)s")
            % {"course": locked.course.title, "title": title}
        ),
        url=locked.get_absolute_url(),
        actor=actor,
        course=locked.course,
    )
    return locked


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User) -> Meeting:
    """Cancel a meeting that has not ended; it stays listed as cancelled and sends no reminders."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status == Meeting.Status.CANCELLED:
        return locked
    if locked.phase() == Meeting.Phase.ENDED:
        raise ValidationError(_("This meeting has already ended."))
    locked.status = Meeting.Status.CANCELLED
    locked.sequence += 1
    locked.save(update_fields=["status", "sequence", "updated_at"])
    notifications_create(
        recipient_ids=course_student_ids(course=locked.course),
        kind=Notification.Kind.MEETING_CANCELLED,
        title=lambda: (
            _("Meeting cancelled in %(course)s: %(title)s")
            % {"course": locked.course.title, "title": locked.title}
        ),
        url=locked.get_absolute_url(),
        actor=actor,
        course=locked.course,
    )
    return locked


@transaction.atomic
def meeting_mark_started(*, meeting_id: int, at: datetime) -> bool:
    """Record that the teacher opened the room (the first time only); return True if now marked.

    A started meeting gets no more reminders, even if it started before its time.
    """
    return bool(
        Meeting.objects.filter(pk=meeting_id, started_at__isnull=True).update(started_at=at)
    )


# Calendar feed ---------------------------------------------------------------------------------


def calendar_token_regenerate(*, user: User) -> str:
    """Give the user a new secret calendar feed token; the old feed URL stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    user.save(update_fields=["calendar_token"])
    return user.calendar_token
