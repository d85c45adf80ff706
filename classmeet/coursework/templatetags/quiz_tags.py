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
    return ngettext("%(points)s point", "%(points)s points", plural_count(value)) % {
        "points": number
    }


def plural_count(value: object) -> int:
    """The count that picks a plural form: the number itself when whole; a fraction (2.5) takes
    the general form, which 100 selects in every catalog here (Arabic's "other", not "two")."""
    if isinstance(value, (int, Decimal)) and value == int(value):
        return abs(int(value))
    return 100
