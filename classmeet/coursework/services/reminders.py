""" "Due in 24 hours" reminders: each (assignment, due date) is claimed and sent exactly once,
to the assigned students who have not submitted, with the due time in each one's zone.

The same machinery as meetings.services.reminders: the AssignmentReminder row is the claim, written
in the transaction that writes the notifications (see AssignmentReminder).
"""

from __future__ import annotations

import functools
import logging
import math
from datetime import datetime, timedelta, tzinfo

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from classmeet.core.times import format_when, zone_named
from classmeet.notifications.models import Notification
from classmeet.notifications.services import notifications_create

from ..models import Assignment, AssignmentReminder
from ..selectors.todo import assignment_pending_students

logger = logging.getLogger(__name__)

# A published assignment is reminded of once it is due within this, until it is due.
REMINDER_LEAD = timedelta(hours=24)


class _Skip(Exception):
    """The assignment changed between the scan and the claim: roll the claim back."""


def _reminder_title(*, assignment: Assignment, now: datetime, zone: tzinfo) -> str:
    """Return the reminder's text at `now` in the active language, the due time in `zone`; the
    time left is the real one."""
    when = format_when(assignment.due_at, "datetime", zone=zone)
    left = (assignment.due_at - now).total_seconds()
    if left >= 3600:
        hours = math.floor(left / 3600)
        return ngettext(
            "“%(title)s” is due %(when)s (in %(count)d hour)",
            "“%(title)s” is due %(when)s (in %(count)d hours)",
            hours,
        ) % {"title": assignment.title, "when": when, "count": hours}
    minutes = max(1, math.ceil(left / 60))
    return ngettext(
        "“%(title)s” is due %(when)s (in %(count)d minute)",
        "“%(title)s” is due %(when)s (in %(count)d minutes)",
        minutes,
    ) % {"title": assignment.title, "when": when, "count": minutes}


def _send_reminder(*, assignment_id: int, due_at: datetime, now: datetime) -> bool:
    """Claim and send one reminder in one transaction; return False if it was not ours to send.

    Nothing is sent for an assignment that is no longer published, no longer due at that time,
    or already due.
    """
    try:
        with transaction.atomic():
            # Lock the assignment: an edit waits for us, a second scanner waits here and then
            # finds the claim row.
            assignment = (
                Assignment.objects.select_for_update()
                .select_related("course")
                .filter(pk=assignment_id)
                .first()
            )
            if (
                assignment is None
                or not assignment.is_published
                or assignment.due_at != due_at
                or now >= due_at
            ):
                raise _Skip
            try:
                with transaction.atomic():
                    reminder = AssignmentReminder.objects.create(
                        assignment=assignment, due_at=due_at
                    )
            except IntegrityError:
                raise _Skip from None
            # One text per zone: each student reads the due time in their own zone, in their
            # own language (notifications_create renders the title in each).
            by_zone: dict[str, list[int]] = {}
            for user_id, zone_name in assignment_pending_students(assignment=assignment):
                by_zone.setdefault(zone_name, []).append(user_id)
            sent = 0
            for zone_name, ids in sorted(by_zone.items()):
                zone = zone_named(zone_name) or timezone.get_default_timezone()
                sent += len(
                    notifications_create(
                        recipient_ids=ids,
                        kind=Notification.Kind.ASSIGNMENT_DUE_SOON,
                        title=functools.partial(
                            _reminder_title, assignment=assignment, now=now, zone=zone
                        ),
                        url=assignment.get_absolute_url(),
                        course=assignment.course,
                    )
                )
            reminder.recipients = sent
            reminder.save(update_fields=["recipients"])
    except _Skip:
        return False
    return True


def assignment_due_scan_query(*, now: datetime) -> QuerySet[Assignment]:
    """The published assignments due within REMINDER_LEAD and not reminded of at that due date
    yet: one statement on the partial index `assignment_due_published` (bench/due_scan.py)."""
    claimed = AssignmentReminder.objects.filter(
        assignment_id=OuterRef("pk"), due_at=OuterRef("due_at")
    )
    return (
        Assignment.objects.filter(
            status=Assignment.Status.PUBLISHED, due_at__gt=now, due_at__lte=now + REMINDER_LEAD
        )
        .filter(~Exists(claimed))
        .order_by("due_at", "pk")
    )


def assignment_due_scan(*, now: datetime) -> list[tuple[int, datetime]]:
    """Return (id, due_at) of the assignments whose reminder is due now."""
    return list(assignment_due_scan_query(now=now).values_list("pk", "due_at"))


def assignment_reminders_send(*, now: datetime | None = None) -> int:
    """Send every "due soon" reminder that is due now, each exactly once; return how many.

    Safe to run concurrently and to kill at any point: each reminder is claimed and sent in its
    own transaction.
    """
    now = now or timezone.now()
    sent = 0
    for assignment_id, due_at in assignment_due_scan(now=now):
        if _send_reminder(assignment_id=assignment_id, due_at=due_at, now=now):
            sent += 1
    if sent:
        logger.info("assignment reminders sent", extra={"count": sent})
    return sent
