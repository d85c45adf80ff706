"""The one way a time is shown: in a viewer's zone and language, with the zone's label
("21:56 CET").

Pages use it through the `when` filters (core/templatetags/when.py), server-built texts such as
reminders call `format_when` with the recipient's zone, and the room's client-side times use the
same shapes (core/static/core/js/times.js).
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Literal

from django.utils import timezone, translation
from django.utils.dateformat import DateFormat
from django.utils.dates import MONTHS, MONTHS_3, MONTHS_ALT, MONTHS_AP, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import get_format
from django.utils.translation import get_language

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
    text = _formatter(get_language(), style)(local)
    if label and style != "date":
        text = f"{text} {_label(local)}"
    return text


# Django's dateformat parses its format string and looks up lazily translated month and day
# names on every call, and pages format many times each. So each (language, style) is compiled
# once per process: literal pieces and functions of the local time, the language's names read
# once. Tested equal to django.utils.dateformat.format in several languages.
_SPECIFIER = re.compile(r"(?<!\\)([aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ])")
_ESCAPED = re.compile(r"\\(.)")

_NUMBERS: dict[str, Callable[[datetime], str]] = {
    "d": lambda local: f"{local.day:02d}",
    "j": lambda local: str(local.day),
    "m": lambda local: f"{local.month:02d}",
    "n": lambda local: str(local.month),
    "y": lambda local: f"{local.year % 100:02d}",
    "Y": lambda local: f"{local.year:04d}",
    "G": lambda local: str(local.hour),
    "H": lambda local: f"{local.hour:02d}",
    "i": lambda local: f"{local.minute:02d}",
    "s": lambda local: f"{local.second:02d}",
}


@functools.cache
def _formatter(language: str | None, style: str) -> Callable[[datetime], str]:
    with translation.override(language):
        return compile_format(formats_for(language)[style])


def compile_format(format_string: str) -> Callable[[datetime], str]:
    """Return a function giving django.utils.dateformat.format(local, format_string) for a local
    time, in the language active now."""
    parts = _SPECIFIER.split(format_string)
    pieces = [
        _specifier(part) if index % 2 else _ESCAPED.sub(r"\1", part)
        for index, part in enumerate(parts)
        if part
    ]
    return lambda local: "".join(
        piece if isinstance(piece, str) else piece(local) for piece in pieces
    )


def _specifier(letter: str) -> Callable[[datetime], str]:
    """Return the function giving `letter`'s text (as django.utils.dateformat means it) for a
    local time, with the active language's month and day names read now."""
    if letter in _NUMBERS:
        return _NUMBERS[letter]
    month_names = {"F": MONTHS, "E": MONTHS_ALT, "N": MONTHS_AP, "b": MONTHS_3, "M": MONTHS_3}
    if letter in month_names:
        months = ["", *(str(month_names[letter][month]) for month in range(1, 13))]
        if letter == "M":
            months = [name.title() for name in months]
        return lambda local: months[local.month]
    if letter in ("l", "D"):
        days = [str((WEEKDAYS if letter == "l" else WEEKDAYS_ABBR)[day]) for day in range(7)]
        return lambda local: days[local.weekday()]
    # The rarer letters (zone names, ordinals, a.m./p.m. ...): Django's own, called in the
    # language active then, which is this formatter's.
    return lambda local: str(getattr(DateFormat(local), letter)())


def format_when_range(start: datetime, end: datetime, *, zone: tzinfo | None = None) -> str:
    """Return "21:56\u201322:56 CET": both times, an en dash between, one label for both."""
    first = format_when(start, "time", zone=zone, label=False)
    return f"{first}\u2013{format_when(end, 'time', zone=zone)}"
