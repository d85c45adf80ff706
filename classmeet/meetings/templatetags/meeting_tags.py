"""`{% course_meetings course %}`: a course page's list of meetings, for its members."""

from __future__ import annotations

from typing import Any

from django import template

from classmeet import access
from classmeet.courses.models import Course
from classmeet.courses.sections import course_section

from ..selectors import meeting_list_for_course

register = template.Library()


@register.inclusion_tag("meetings/_course_meetings.html", takes_context=True)
def course_meetings(context: dict[str, Any], course: Course) -> dict[str, Any]:
    """Render the course's live, upcoming and past meetings; nothing for non-members."""
    return course_section(
        context,
        course,
        lambda user: {
            "groups": meeting_list_for_course(course=course),
            "can_manage": access.courses.can_manage_course(user=user, course=course),
        },
    )
