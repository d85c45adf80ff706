"""`{% course_assignments course %}`: the course page's "Assignments" section (courses cannot
import coursework; its page loads this tag). One query: the upcoming assignments, for staff
with nothing else, for a student with their own status."""

from __future__ import annotations

from typing import Any

from django import template

from classmeet import access
from classmeet.courses.models import Course
from classmeet.courses.sections import course_section

from ..selectors.assignments import assignment_upcoming_for_staff, assignment_upcoming_for_student

register = template.Library()


@register.inclusion_tag("coursework/assignment_course_section.html", takes_context=True)
def course_assignments(context: dict[str, Any], course: Course) -> dict[str, Any]:
    """Staff: the published assignments due next and the way to all of them; a student: theirs
    still taking work, each with its status. Nothing for non-members."""

    def build(user: Any) -> dict[str, Any]:
        if access.coursework.can_manage_coursework(user=user, course=course):
            return {"can_manage": True, "upcoming": assignment_upcoming_for_staff(course=course)}
        return {
            "can_manage": False,
            "rows": assignment_upcoming_for_student(course=course, student_id=user.pk),
        }

    return course_section(context, course, build)
