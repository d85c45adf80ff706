"""Small filters for the account pages."""

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Return a duration in whole minutes, rounded up (a lockout of 30 s reads "1 minute")."""
    if not isinstance(value, timedelta):
        return 0
    return max(0, math.ceil(value.total_seconds() / 60))
