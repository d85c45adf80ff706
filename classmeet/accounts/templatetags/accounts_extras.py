"""Small filters and tags for the account pages."""

import math
from datetime import timedelta

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Return a duration in whole minutes, rounded up (a lockout of 30 s reads "1 minute")."""
    if not isinstance(value, timedelta):
        return 0
    return max(0, math.ceil(value.total_seconds() / 60))


@register.simple_tag
def language_choices() -> list[tuple[str, str]]:
    """settings.LANGUAGES as written there: each language in its own name (Django's
    get_available_languages translates them into the page's language)."""
    return list(settings.LANGUAGES)
