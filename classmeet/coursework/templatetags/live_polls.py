"""`{% meeting_polls meeting %}`: the meeting page's "Polls" section for its staff (meetings
cannot import coursework; its page includes coursework/_meeting_polls.html)."""

from __future__ import annotations

from typing import Any

from django import template

from classmeet import access

from ..selectors.live_polls import live_poll_list

register = template.Library()


@register.inclusion_tag("coursework/live_polls_section.html", takes_context=True)
def meeting_polls(context: template.Context, meeting: Any) -> dict[str, Any]:
    """The meeting's polls with their results; nothing (and no query) for anyone but staff."""
    user = context["request"].user
    if not access.coursework.can_view_live_polls(user=user, meeting=meeting):
        return {"show": False}
    return {"show": True, "meeting": meeting, "polls": live_poll_list(meeting=meeting)}
