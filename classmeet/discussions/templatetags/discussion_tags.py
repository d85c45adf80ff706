"""`{% course_discussions course %}`: a course page's latest discussions, for its members."""

from __future__ import annotations

from typing import Any

from django import template

from classmeet.core import policy
from classmeet.courses.models import Course

from ..selectors import course_discussion_list

register = template.Library()


@register.inclusion_tag("discussions/_course_discussions.html", takes_context=True)
def course_discussions(context: dict[str, Any], course: Course) -> dict[str, Any]:
    """Render the course's latest discussions; nothing for non-members."""
    user = context["request"].user
    if not policy.can_view_course(user=user, course=course):
        return {"visible": False}
    return {
        "visible": True,
        "course": course,
        "discussions": course_discussion_list(user=user, course=course),
    }
