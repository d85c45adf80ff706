"""Meeting reminders: each due reminder is claimed and sent exactly once, in the user's zone."""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from classmeet.accounts.models import User
from classmeet.core.times import format_when, zone_named
from classmeet.courses.selectors import course_staff_ids
from classmeet.notifications.models import Notification
from classmeet.notifications.services import notifications_create

from ..models import Meeting, MeetingReminder
from ..selectors import course_student_ids

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Window:
    """A reminder `offset` before the start, due until `closes` (relative to the start)."""

    offset: timedelta
    closes: timedelta  # relative to starts_at, like -offset


def _reminder_windows() -> list[_Window]:
    """Return one window per configured offset, latest first; windows don't overlap.

    A reminder is due from `offset` before the start until the next (smaller) offset takes over,
    so a meeting scheduled 5 minutes ahead gets one "starting soon", not a backlog of them. The
    last one ("starting now" for offset 0) stays due for the grace period.
    """
    offsets = sorted(
        {timedelta(seconds=round(float(m) * 60)) for m in settings.CLASSMEET_REMINDER_MINUTES},
        reverse=True,
    )
    offsets = [o for o in offsets if o >= timedelta(0)]
    grace = timedelta(minutes=settings.CLASSMEET_REMINDER_GRACE_MINUTES)
    windows = []
    for index, offset in enumerate(offsets):
        if index + 1 < len(offsets):
            closes = -offsets[index + 1]
        else:
            closes = -offset + grace if offset == timedelta(0) else timedelta(0)
        windows.append(_Window(offset=offset, closes=closes))
    return windows


def _due_window(meeting: Meeting, windows: list[_Window], now: datetime) -> _Window | None:
    if now >= meeting.ends_at:
        return None
    for window in windows:
        if meeting.starts_at - window.offset <= now < meeting.starts_at + window.closes:
            return window
    return None


class _Skip(Exception):
    """The meeting changed between the scan and the claim: roll the claim back."""


def _reminder_kind(*, meeting: Meeting, now: datetime) -> str:
    """Return the kind of a reminder sent at `now`: starting soon, or starting now (or late)."""
    if meeting.starts_at - now > timedelta(0):
        return Notification.Kind.MEETING_STARTING_SOON
    return Notification.Kind.MEETING_STARTING_NOW


def _reminder_title(*, meeting: Meeting, now: datetime, zone: tzinfo) -> str:
    """Return the title of a reminder sent at `now`, in the active language, times in `zone`.

    The time left is the real one at sending: a meeting scheduled 5 minutes ahead gets "in 5
    minutes" from its 15-minute reminder, and a scan that runs late says so.
    """
    at = format_when(meeting.starts_at, "time", zone=zone)
    left = (meeting.starts_at - now).total_seconds()
    if left > 0:
        minutes = max(1, math.ceil(left / 60))
        return ngettext(
            "“%(title)s” starts at %(time)s (in %(minutes)d minute)",
            "“%(title)s” starts at %(time)s (in %(minutes)d minutes)",
            minutes,
        ) % {"title": meeting.title, "time": at, "minutes": minutes}
    late = math.floor(-left / 60)
    if late < 1:
        return _("“%(title)s” is starting now (%(time)s)") % {"title": meeting.title, "time": at}
    return ngettext(
        "“%(title)s” was due to start at %(time)s (%(minutes)d minute ago)",
        "“%(title)s” was due to start at %(time)s (%(minutes)d minutes ago)",
        late,
    ) % {"title": meeting.title, "time": at, "minutes": late}


def _send_reminder(*, meeting_id: int, starts_at: datetime, window: _Window, now: datetime) -> bool:
    """Claim and send one reminder in one transaction; return False if it was not ours to send.

    Nothing is sent for a meeting that is no longer scheduled at that time, that has ended, or
    that the teacher has started already (see `meeting_mark_started`).
    """
    try:
        with transaction.atomic():
            # Lock the meeting: an edit or cancel waits for us, a second scanner waits here and
            # then finds the claim row.
            meeting = (
                Meeting.objects.select_for_update()
                .select_related("course")
                .filter(pk=meeting_id)
                .first()
            )
            if (
                meeting is None
                or meeting.status != Meeting.Status.SCHEDULED
                or meeting.starts_at != starts_at
                or meeting.started_at is not None
                or now >= meeting.ends_at
            ):
                raise _Skip
            try:
                with transaction.atomic():
                    reminder = MeetingReminder.objects.create(
                        meeting=meeting,
                        offset_seconds=int(window.offset.total_seconds()),
                        starts_at=starts_at,
                    )
            except IntegrityError:
                raise _Skip from None
            recipient_ids = [
                *course_student_ids(course=meeting.course),
                *course_staff_ids(course=meeting.course),
            ]
            # One title per zone: each recipient reads the start time in their own zone, in
            # their own language (notifications_create renders the title in each).
            by_zone: dict[str, list[int]] = {}
            for user_id, zone_name in User.objects.filter(pk__in=recipient_ids).values_list(
                "pk", "timezone"
            ):
                by_zone.setdefault(zone_name, []).append(user_id)
            sent = 0
            kind = _reminder_kind(meeting=meeting, now=now)
            for zone_name, ids in sorted(by_zone.items()):
                zone = zone_named(zone_name) or timezone.get_default_timezone()
                sent += len(
                    notifications_create(
                        recipient_ids=ids,
                        kind=kind,
                        title=functools.partial(
                            _reminder_title, meeting=meeting, now=now, zone=zone
                        ),
                        url=meeting.get_absolute_url(),
                        course=meeting.course,
                    )
                )
            reminder.recipients = sent
            reminder.save(update_fields=["recipients"])
    except _Skip:
        return False
    return True


def meeting_reminders_send(*, now: datetime | None = None) -> int:
    """Send every reminder that is due now, each exactly once; return how many were sent.

    Safe to run concurrently and to kill at any point: each reminder is claimed and sent in its
    own transaction (see MeetingReminder).
    """
    now = now or timezone.now()
    windows = _reminder_windows()
    if not windows:
        return 0
    latest = max(w.offset for w in windows)
    # Uses the (status, starts_at) index.
    candidates = list(
        Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED,
            started_at__isnull=True,
            starts_at__lte=now + latest,
            starts_at__gt=now - windows[-1].closes,
        ).only("id", "starts_at", "duration_minutes", "status")
    )
    if not candidates:
        return 0
    done = set(
        MeetingReminder.objects.filter(meeting__in=candidates).values_list(
            "meeting_id", "offset_seconds", "starts_at"
        )
    )
    sent = 0
    for meeting in candidates:
        window = _due_window(meeting, windows, now)
        if window is None:
            continue
        key = (meeting.pk, int(window.offset.total_seconds()), meeting.starts_at)
        if key in done:
            continue
        if _send_reminder(
            meeting_id=meeting.pk, starts_at=meeting.starts_at, window=window, now=now
        ):
            sent += 1
    if sent:
        logger.info("meeting reminders sent", extra={"count": sent})
    return sent
