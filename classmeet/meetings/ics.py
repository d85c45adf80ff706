"""iCalendar (RFC 5545) output for one meeting or a user's feed, built with `icalendar`.

A user's feed also carries other apps' dated items (coursework's due dates): meetings sits below
them, so they register a source with `calendar_source_register` from their AppConfig.ready().
A course's calendar asks the same sources for that one course's entries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone
from icalendar import Calendar, Event, vText

from classmeet.accounts.models import User

from .models import Meeting

# Control characters are not allowed in iCalendar TEXT (RFC 5545 3.3.11) but may sit in stored
# rows written before titles were checked: line breaks become the escaped \n (icalendar escapes
# them, with commas and semicolons), every other control character is dropped.
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")


def _text(value: str, *, one_line: bool = False) -> str:
    """Return value as iCalendar text: newline-separated lines, no other control character."""
    text = _LINE_BREAKS.sub(" " if one_line else "\n", str(value))
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """A dated item of another app in a user's feed: one VEVENT at `at` (a deadline: no end)."""

    uid: str  # unique and stable across feeds, e.g. "assignment-12"
    summary: str
    at: datetime
    path: str  # the item's page, made absolute by the feed
    updated_at: datetime
    description: str = ""


# A source is called with the user and a course id (None: every course of the user's).
CalendarSource = Callable[[User, int | None], Iterable[CalendarEntry]]
_sources: list[CalendarSource] = []


def calendar_source_register(source: CalendarSource) -> CalendarSource:
    """Add `source` to every feed: it returns the user's entries (what they may see), of one
    course when it is given a course id."""
    if source not in _sources:
        _sources.append(source)
    return source


def calendar_entries(*, user: User, course_id: int | None = None) -> list[CalendarEntry]:
    """Return the registered sources' entries for the user's feed, or one course's calendar."""
    return [entry for source in list(_sources) for entry in source(user, course_id)]


def _entry_event(entry: CalendarEntry, absolute_url: Callable[[str], str]) -> Event:
    event = Event()
    event.add("uid", f"{entry.uid}@classmeet")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", entry.at.astimezone(UTC))
    event.add("last-modified", entry.updated_at.astimezone(UTC))
    event.add("summary", _text(entry.summary))
    url = absolute_url(entry.path)
    event.add("description", _text(f"{entry.description}\n\n{url}".strip()))
    event.add("url", url)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a deadline does not make the user busy
    return event


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
    *,
    meetings: Iterable[Meeting],
    absolute_url: Callable[[str], str],
    name: str,
    entries: Iterable[CalendarEntry] = (),
) -> bytes:
    """Return an iCalendar document with one VEVENT per meeting and per entry, times in UTC."""
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
    for entry in entries:
        calendar.add_component(_entry_event(entry, absolute_url))
    ical: bytes = calendar.to_ical()
    return ical
