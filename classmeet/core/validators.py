"""Validators shared by forms and API serializers."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def has_control_character(value: str) -> bool:
    """Return whether value holds a control character or a line/paragraph separator."""
    return any(unicodedata.category(char) in {"Cc", "Zl", "Zp"} for char in value)


def validate_single_line(value: str) -> None:
    """Refuse a line break, tab or other control character in a one-line text (a title)."""
    if has_control_character(value):
        raise ValidationError(
            _("Use a single line, without line breaks or control characters."),
            code="single_line",
        )
