"""`{% recordings_panel meeting=... %}` / `{% recordings_panel course=... %}`: the recordings a
user may see, for the include templates of the meeting and course pages."""

from __future__ import annotations

from typing import Any

from django import template

from classmeet import access
from classmeet.core.batch import Planned
from classmeet.courses.sections import course_section_result
from classmeet.recordings import selectors
from classmeet.recordings.models import Recording

register = template.Library()


def course_recordings_plan(course: Any, user: Any) -> Planned[list[Recording]]:
    """What the course page's panel reads (registered in RecordingsConfig.ready)."""
    manage = access.courses.can_manage_course(user=user, course=course)
    return selectors.recording_list_for_course_plan(course=course, manager=manage)


@register.inclusion_tag("recordings/_recordings_panel.html", takes_context=True)
def recordings_panel(
    context: template.Context, *, meeting: Any = None, course: Any = None
) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    # A user who doesn't see the meeting or course gets an empty panel, not an error.
    items: list[Recording] = []
    if meeting is not None:
        manage = access.meetings.can_manage_meeting(user=user, meeting=meeting)
        if access.meetings.can_view_meeting(user=user, meeting=meeting):
            items = list(selectors.recording_list_for_meeting(meeting=meeting, manager=manage))
    else:
        manage = access.courses.can_manage_course(user=user, course=course)
        if access.courses.can_view_course(user=user, course=course):
            items = course_section_result(course=course, user=user, name="recordings")
    return {
        "request": request,
        "recordings": items,
        "can_manage": manage,
        "on_course": meeting is None,
        "pending": any(not r.is_final for r in items),
        "next_url": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def recording_mode() -> str:
    """Who records in this deployment: "sfu" (Janus) or "browser" (the teacher's tab)."""
    from classmeet.recordings import janus_recorder

    return "sfu" if janus_recorder.enabled() else "browser"
