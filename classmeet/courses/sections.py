"""The sections that other apps add to a course page, each through a template tag of its own.

Each section also registers a planner: what it reads for a given course and viewer, as a
`core.batch.Planned` read. The course page plans every section before rendering and runs their
statements together (one round trip on PostgreSQL, however many sections the page grows); each
section's tag then takes its planned result, or plans and reads alone elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from classmeet import access
from classmeet.accounts.selectors import AnyUser
from classmeet.core.batch import Planned, run_together
from classmeet.courses.models import Course

SectionPlanner = Callable[[Course, AnyUser], Planned[Any]]
_planners: dict[str, SectionPlanner] = {}


def register_course_section(name: str, planner: SectionPlanner) -> None:
    """Register a section's planner (from its app's `ready()`): called for members only."""
    _planners[name] = planner


def course_sections_plan(
    *, course: Course, user: AnyUser, also: dict[str, Planned[Any]] | None = None
) -> None:
    """Plan every section of this course's page for a member and fetch them together, with the
    page's own reads `also` (their results by name through `course_section_result`)."""
    plans = {name: plan(course, user) for name, plan in _planners.items()} | (also or {})
    run_together([planned.rows for planned in plans.values()])
    course.section_plans = plans


def course_section_result(*, course: Course, user: AnyUser, name: str) -> Any:
    """The section's value for this member: planned with the page's others, or read now."""
    planned = (course.section_plans or {}).get(name)
    if planned is None:
        planned = _planners[name](course, user)
    return planned.result()


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
