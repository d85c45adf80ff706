"""`{% recordings_panel meeting=... %}` / `{% recordings_panel course=... %}`: the recordings a
user may see, for the include templates of the meeting and course pages."""

from __future__ import annotations

from typing import Any

from django import template

from classmeet import access
from classmeet.recordings import selectors

register = template.Library()


@register.inclusion_tag("recordings/_recordings_panel.html", takes_context=True)
def recordings_panel(
    context: template.Context, *, meeting: Any = None, course: Any = None
) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    if meeting is not None:
        items = list(selectors.recording_list_for_meeting(user=user, meeting=meeting))
        manage = access.meetings.can_manage_meeting(user=user, meeting=meeting)
    else:
        items = list(selectors.recording_list_for_course(user=user, course=course))
        manage = access.courses.can_manage_course(user=user, course=course)
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
