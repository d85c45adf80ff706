"""The one way a time is shown: in a viewer's zone and language, with the zone's label
("21:56 CET").

Pages use it through the `when` filters (core/templatetags/when.py), server-built texts such as
reminders call `format_when` with the recipient's zone, and the room's client-side times use the
same shapes (core/static/core/js/times.js).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Literal

from django.utils import timezone
from django.utils.dateformat import format as dateformat
from django.utils.formats import get_format
from django.utils.translation import get_language, gettext

Style = Literal["datetime", "long", "date", "time", "seconds"]

# Django date-format strings per style, in English; every style but "date" ends with the zone
# label. Other languages: formats_for().
FORMATS: dict[str, str] = {
    "datetime": "M j, Y H:i",
    "long": "l, M j, Y H:i",
    "date": "M j, Y",
    "time": "H:i",
    "seconds": "H:i:s",
}


def formats_for(language: str | None) -> dict[str, str]:
    """Return the date-format strings of each style in `language`: English's FORMATS, else the
    language's own date (Django's DATE_FORMAT: "j F Y" in French) with 24-hour times, as the
    room's client-side times (core/static/core/js/times.js)."""
    if _is_english(language):
        return FORMATS
    date = get_format("DATE_FORMAT", language)
    return {
        "datetime": f"{date} H:i",
        "long": f"l {date} H:i",
        "date": date,
        "time": "H:i",
        "seconds": "H:i:s",
    }


def _is_english(language: str | None) -> bool:
    return not language or language == "en" or language.startswith("en-")


def zone_named(name: str) -> zoneinfo.ZoneInfo | None:
    """Return the IANA zone of that name, or None for an empty, unknown or absurd name."""
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def zone_for_user(user: object) -> tzinfo:
    """Return the zone a user chose in their profile, else the server's default zone."""
    return zone_named(getattr(user, "timezone", "") or "") or timezone.get_default_timezone()


def zone_name(zone: tzinfo) -> str:
    """Return the IANA name of a zone ("Europe/Paris"), or its label when it has none."""
    return getattr(zone, "key", None) or str(zone)


def zone_label(value: datetime, zone: tzinfo | None = None) -> str:
    """Return the short label of the zone at that moment: "CET", "CEST", "UTC", "UTC+05:30".

    tzdata has no letters for many zones ("+03"): those read as an offset from UTC.
    """
    return _label(timezone.localtime(value, zone))


def _label(local: datetime) -> str:
    abbreviation = local.tzname() or ""
    if abbreviation.isalpha():
        return abbreviation
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def format_when(
    value: datetime, style: Style = "datetime", *, zone: tzinfo | None = None, label: bool = True
) -> str:
    """Return the time in `zone` (default: the active zone) as e.g. "Dec 6, 2026 21:56 CET", in
    the active language's format ("6 décembre 2026 21:56 CET" in French)."""
    local = timezone.localtime(value, zone)
    language = get_language()
    if _is_english(language):
        text = _FORMATTERS[style](local)
    else:
        text = dateformat(local, formats_for(language)[style])
    if label and style != "date":
        text = f"{text} {_label(local)}"
    return text


# FORMATS spelled out in Python for English: the same text as django.utils.dateformat.format
# (tested equal for every style), without its per-call parsing of the format string; pages
# format many times each.
# The names are django.utils.dates' messages, translated by plain gettext (not its lazy strings).
_MONTHS_3 = ("", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _date(local: datetime) -> str:
    return f"{gettext(_MONTHS_3[local.month]).title()} {local.day}, {local.year:04d}"


def _time(local: datetime) -> str:
    return f"{local.hour:02d}:{local.minute:02d}"


_FORMATTERS: dict[str, Callable[[datetime], str]] = {
    "datetime": lambda local: f"{_date(local)} {_time(local)}",
    "long": lambda local: f"{gettext(_WEEKDAYS[local.weekday()])}, {_date(local)} {_time(local)}",
    "date": _date,
    "time": _time,
    "seconds": lambda local: f"{_time(local)}:{local.second:02d}",
}


def format_when_range(start: datetime, end: datetime, *, zone: tzinfo | None = None) -> str:
    """Return "21:56\u201322:56 CET": both times, an en dash between, one label for both."""
    first = format_when(start, "time", zone=zone, label=False)
    return f"{first}\u2013{format_when(end, 'time', zone=zone)}"
