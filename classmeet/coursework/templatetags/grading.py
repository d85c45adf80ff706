"""`{{ value|points }}`: a score as people write it ("7.5", "10", "12.25"), "" for none."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def points(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
