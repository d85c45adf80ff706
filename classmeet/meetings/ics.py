"""iCalendar (RFC 5545) output for one meeting or a user's feed, built with `icalendar`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC

from django.utils import timezone
from icalendar import Calendar, Event

from .models import Meeting


def _event(meeting: Meeting, absolute_url: Callable[[str], str]) -> Event:
    event = Event()
    event.add("uid", f"{meeting.ical_uid}@classmeet")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("last-modified", meeting.updated_at.astimezone(UTC))
    event.add("sequence", meeting.sequence)
    event.add("summary", f"{meeting.title} ({meeting.course.title})")
    url = absolute_url(meeting.get_absolute_url())
    event.add("description", f"{meeting.description}\n\n{url}".strip())
    event.add("url", url)
    cancelled = meeting.status == Meeting.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_build(
    *, meetings: Iterable[Meeting], absolute_url: Callable[[str], str], name: str
) -> bytes:
    """Return an iCalendar document with one VEVENT per meeting, times in UTC."""
    calendar = Calendar()
    calendar.add("prodid", "-//Classmeet//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "UTC")
    calendar.add("x-published-ttl", "PT1H")
    for meeting in meetings:
        calendar.add_component(_event(meeting, absolute_url))
    return calendar.to_ical()
