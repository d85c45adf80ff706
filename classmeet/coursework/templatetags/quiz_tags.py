"""Numbers of the quiz pages: `{{ value|quiz_number }}` (a decimal without trailing zeros) and
`{{ value|quiz_points }}` ("1 point", "2.5 points")."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import get_format
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def quiz_number(value: object) -> str:
    """0.500000 → "0.5" ("0,5" in French), 100.000000 → "100"; anything but a Decimal as it
    is (None → "")."""
    if not isinstance(value, Decimal):
        return "" if value is None else str(value)
    if not value.is_finite():
        return str(value)
    text = format(value.normalize(), "f")
    if text in ("-0", ""):
        return "0"
    separator = get_format("DECIMAL_SEPARATOR")
    return text.replace(".", separator) if separator != "." else text


@register.filter
def quiz_points(value: object) -> str:
    number = quiz_number(value)
    return ngettext("%(points)s point", "%(points)s points", 1 if value == 1 else 2) % {
        "points": number
    }
