"""iCalendar (RFC 5545) output for one meeting or a user's feed, built with `icalendar`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC

from django.utils import timezone
from icalendar import Calendar, Event, vText

from .models import Meeting

# Control characters are not allowed in iCalendar TEXT (RFC 5545 3.3.11) but may sit in stored
# rows written before titles were checked: line breaks become the escaped \n (icalendar escapes
# them, with commas and semicolons), every other control character is dropped.
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")


def _text(value: str, *, one_line: bool = False) -> str:
    """Return value as iCalendar text: newline-separated lines, no other control character."""
    text = _LINE_BREAKS.sub(" " if one_line else "\n", str(value))
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")


def _event(meeting: Meeting, absolute_url: Callable[[str], str]) -> Event:
    event = Event()
    event.add("uid", f"{meeting.ical_uid}@classmeet")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("last-modified", meeting.updated_at.astimezone(UTC))
    event.add("sequence", meeting.sequence)
    event.add("summary", _text(f"{meeting.title} ({meeting.course.title})"))
    url = absolute_url(meeting.get_absolute_url())
    event.add("description", _text(f"{meeting.description}\n\n{url}".strip()))
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
    # An X- property is not escaped by icalendar unless it is given as vText.
    calendar.add("x-wr-calname", vText(_text(name, one_line=True)))
    calendar.add("x-wr-timezone", "UTC")
    calendar.add("x-published-ttl", "PT1H")
    for meeting in meetings:
        calendar.add_component(_event(meeting, absolute_url))
    ical: bytes = calendar.to_ical()
    return ical
