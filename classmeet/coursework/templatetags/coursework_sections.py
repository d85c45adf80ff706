"""`{% course_assignments course %}`: the course page's "Assignments" section (courses cannot
import coursework; its page loads this tag). Its one statement is planned with the page's other
sections (registered in CourseworkConfig.ready)."""

from __future__ import annotations

from typing import Any

from django import template

from classmeet import access
from classmeet.core.batch import Planned
from classmeet.courses.models import Course
from classmeet.courses.sections import course_section, course_section_result

from ..selectors.assignments import UpcomingRow, assignment_upcoming_plan

register = template.Library()


def course_assignments_plan(course: Course, user: Any) -> Planned[list[UpcomingRow]]:
    """Staff: the published assignments due next; a student: theirs still taking work, each
    with its status."""
    staff = access.coursework.can_manage_coursework(user=user, course=course)
    return assignment_upcoming_plan(course=course, student_id=None if staff else user.pk)


@register.inclusion_tag("coursework/assignment_course_section.html", takes_context=True)
def course_assignments(context: dict[str, Any], course: Course) -> dict[str, Any]:
    """The section, with the way to every assignment; nothing for non-members."""
    return course_section(
        context,
        course,
        lambda user: {
            "rows": course_section_result(course=course, user=user, name="assignments"),
            "can_manage": access.coursework.can_manage_coursework(user=user, course=course),
        },
    )
