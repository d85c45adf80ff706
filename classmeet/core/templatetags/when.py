"""`{{ value|when }}`, `{{ value|when:"time" }}`, `{{ start|when_range:end }}`: every time a page
shows, in the viewer's active zone with its label, in a <time> element carrying the UTC instant."""

from __future__ import annotations

import html
from datetime import UTC, datetime, tzinfo

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from classmeet.core.times import FORMATS, Style, format_when, format_when_range, zone_name

register = template.Library()


def when_html(
    value: datetime, style: Style = "datetime", *, zone: tzinfo | None = None
) -> SafeString:
    """The `when` filter's markup for an aware datetime, from Python; `zone` (default: the active
    one) saves looking it up again when a caller formats many times."""
    zone = zone or timezone.get_current_timezone()
    return _time_element(value, format_when(value, style, zone=zone), zone)


def when_range_html(start: datetime, end: datetime, *, zone: tzinfo | None = None) -> SafeString:
    """The `when_range` filter's markup for two aware datetimes, from Python (see `when_html`)."""
    zone = zone or timezone.get_current_timezone()
    return _time_element(start, format_when_range(start, end, zone=zone), zone)


def _time_element(value: datetime, text: str, zone: tzinfo | None = None) -> SafeString:
    # html.escape is what django's escape() runs, without its lazy-string wrapper.
    iso = value.astimezone(UTC).isoformat(timespec="seconds")
    title = zone_name(zone or timezone.get_current_timezone())
    return mark_safe(  # noqa: S308 (every part escaped)
        f'<time datetime="{html.escape(iso)}" title="{html.escape(title)}">'
        f"{html.escape(text)}</time>"
    )


@register.filter
def when(value: object, style: str = "datetime") -> object:
    """Render an aware datetime as e.g. "Dec 6, 2026 21:56 CET" (styles: see core.times)."""
    zone = timezone.get_current_timezone()
    text = _text(value, style, zone)
    if text is None:
        return value if value is not None else ""
    return _time_element(value, text, zone)  # type: ignore[arg-type]  # _text saw a datetime


@register.filter
def when_range(start: object, end: object) -> object:
    """Render a start and an end as "21:56\u201322:56 CET" (see core.times)."""
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return when(start, "time")
    return when_range_html(start, end)


@register.filter
def when_text(value: object, style: str = "datetime") -> object:
    """The same text as `when` without markup, for plain-text e-mails."""
    text = _text(value, style)
    if text is None:
        return value if value is not None else ""
    return text


def _text(value: object, style: str, zone: tzinfo | None = None) -> str | None:
    """`value` formatted in `style`, or None when it is no aware datetime (shown as it is)."""
    if not isinstance(value, datetime) or timezone.is_naive(value):
        return None
    if style not in FORMATS:
        raise template.TemplateSyntaxError(f"unknown time style {style!r}")
    return format_when(value, style, zone=zone)  # type: ignore[arg-type]
