"""`{% course_discussions course %}`: a course page's latest discussions, for its members."""

from __future__ import annotations

from typing import Any

from django import template

from classmeet.core.batch import Planned
from classmeet.courses.models import Course
from classmeet.courses.sections import course_section, course_section_result

from ..models import Discussion
from ..selectors import course_discussion_list_plan

register = template.Library()


def course_discussions_plan(course: Course, user: Any) -> Planned[list[Discussion]]:
    """What the section reads (registered in DiscussionsConfig.ready for the course page)."""
    return course_discussion_list_plan(course=course)


@register.inclusion_tag("discussions/_course_discussions.html", takes_context=True)
def course_discussions(context: dict[str, Any], course: Course) -> dict[str, Any]:
    """Render the course's latest discussions; nothing for non-members."""
    return course_section(
        context,
        course,
        lambda user: {
            "discussions": course_section_result(course=course, user=user, name="discussions")
        },
    )
