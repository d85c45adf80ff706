"""`{% course_discussions course %}`: a course page's latest discussions, for its members."""

from __future__ import annotations

from typing import Any

from django import template

from classmeet.courses.models import Course
from classmeet.courses.sections import course_section

from ..selectors import course_discussion_list

register = template.Library()


@register.inclusion_tag("discussions/_course_discussions.html", takes_context=True)
def course_discussions(context: dict[str, Any], course: Course) -> dict[str, Any]:
    """Render the course's latest discussions; nothing for non-members."""
    return course_section(
        context,
        course,
        lambda user: {"discussions": course_discussion_list(course=course)},
    )
