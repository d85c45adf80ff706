"""`{{ value|points }}`: a score as people write it ("7.5", "10", "12.25"; "7,5" in French), ""
for none.
`{% gradebook_cells cells %}`: the cells of one gradebook row."""

from __future__ import annotations

import html
from decimal import Decimal

from django import template
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def points_plain(value: Decimal | None) -> str:
    """The score with a decimal point whatever the language (files: the gradebook's CSV)."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def localize_points(text: str, separator: str | None = None) -> str:
    """`points_plain` text with the active language's decimal separator (or `separator`)."""
    separator = separator or get_format("DECIMAL_SEPARATOR")
    return text.replace(".", separator) if separator != "." else text


@register.filter
def points(value: Decimal | None) -> str:
    return localize_points(points_plain(value))


@register.simple_tag
def gradebook_cells(cells: list[tuple[str, str | None]]) -> SafeString:
    """The <td> elements of one row from (score text, link or None) pairs. Built here rather than
    in the template: 2,000 cells through the template engine were most of the page's time."""
    empty = f'&ndash;<span class="visually-hidden">{html.escape(gettext("no score"))}</span>'
    parts = []
    for text, url in cells:
        inner = html.escape(text) if text else empty
        if url:
            inner = f'<a href="{html.escape(url)}">{inner}</a>'
        css = "text-end gradebook-cell" if text else "text-end gradebook-cell gradebook-empty"
        parts.append(f'<td class="{css}">{inner}</td>')
    return mark_safe("".join(parts))  # noqa: S308 (every part escaped)
