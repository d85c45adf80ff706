"""The sections that other apps add to a course page, each through a template tag of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from classmeet import access
from classmeet.courses.models import Course


def course_section(
    context: dict[str, Any], course: Course, build: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """Return the context of a section's inclusion tag: nothing for non-members.

    For a member, `build(user)` adds the section's own data to the course.
    """
    user = context["request"].user
    if not access.courses.can_view_course(user=user, course=course):
        return {"visible": False}
    return {"visible": True, "course": course, **build(user)}
