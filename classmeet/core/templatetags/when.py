"""`{{ value|when }}`, `{{ value|when:"time" }}`, `{{ start|when_range:end }}`: every time a page
shows, in the viewer's active zone with its label, in a <time> element carrying the UTC instant."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from classmeet.core.times import FORMATS, format_when, format_when_range, zone_name

register = template.Library()


def _time_element(value: datetime, text: str) -> SafeString:
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.astimezone(UTC).isoformat(timespec="seconds"),
        zone_name(timezone.get_current_timezone()),
        text,
    )


@register.filter
def when(value: object, style: str = "datetime") -> object:
    """Render an aware datetime as e.g. "Dec 6, 2026 21:56 CET" (styles: see core.times)."""
    text = _text(value, style)
    if text is None:
        return value if value is not None else ""
    return _time_element(value, text)  # type: ignore[arg-type]  # _text saw a datetime


@register.filter
def when_range(start: object, end: object) -> object:
    """Render a start and an end as "21:56\u201322:56 CET" (see core.times)."""
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return when(start, "time")
    return _time_element(start, format_when_range(start, end))


@register.filter
def when_text(value: object, style: str = "datetime") -> object:
    """The same text as `when` without markup, for plain-text e-mails."""
    text = _text(value, style)
    if text is None:
        return value if value is not None else ""
    return text


def _text(value: object, style: str) -> str | None:
    """`value` formatted in `style`, or None when it is no aware datetime (shown as it is)."""
    if not isinstance(value, datetime) or timezone.is_naive(value):
        return None
    if style not in FORMATS:
        raise template.TemplateSyntaxError(f"unknown time style {style!r}")
    return format_when(value, style)  # type: ignore[arg-type]
