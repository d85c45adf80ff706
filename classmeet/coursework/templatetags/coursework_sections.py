"""`{% course_assignments course %}`: the course page's "Assignments" section (courses cannot
import coursework; its page loads this tag). One statement, planned with the page's other
sections: the upcoming assignments, for staff with nothing else, for a student with their own
status."""

from __future__ import annotations

from typing import Any

from django import template

from classmeet import access
from classmeet.core.batch import Planned
from classmeet.courses.models import Course
from classmeet.courses.sections import course_section, course_section_result

from ..selectors.assignments import (
    assignment_upcoming_for_staff_plan,
    assignment_upcoming_for_student_plan,
)

register = template.Library()


def course_assignments_plan(course: Course, user: Any) -> Planned[list[Any]]:
    """What the section reads (registered in CourseworkConfig.ready for the course page)."""
    if access.coursework.can_manage_coursework(user=user, course=course):
        return assignment_upcoming_for_staff_plan(course=course)
    return assignment_upcoming_for_student_plan(course=course, student_id=user.pk)


@register.inclusion_tag("coursework/assignment_course_section.html", takes_context=True)
def course_assignments(context: dict[str, Any], course: Course) -> dict[str, Any]:
    """Staff: the published assignments due next and the way to all of them; a student: theirs
    still taking work, each with its status. Nothing for non-members."""

    def build(user: Any) -> dict[str, Any]:
        rows = course_section_result(course=course, user=user, name="assignments")
        if access.coursework.can_manage_coursework(user=user, course=course):
            return {"can_manage": True, "upcoming": rows}
        return {"can_manage": False, "rows": rows}

    return course_section(context, course, build)
