"""`{% course_meetings course %}`: a course page's list of meetings, for its members; and the
meeting row, phase badge and join button of the meeting pages.

The row, badge and button are built here rather than by included templates: the meetings page
shows up to 75 rows, and an include per row (with two more inside) cost most of its time. The
markup is the one the templates had, character for character.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, ngettext

from classmeet import access
from classmeet.core.templatetags.when import when, when_range
from classmeet.courses.models import Course
from classmeet.courses.sections import course_section

from ..models import Meeting
from ..selectors import MeetingRow, meeting_list_for_course

register = template.Library()


@register.inclusion_tag("meetings/_course_meetings.html", takes_context=True)
def course_meetings(context: dict[str, Any], course: Course) -> dict[str, Any]:
    """Render the course's live, upcoming and past meetings; nothing for non-members."""
    return course_section(
        context,
        course,
        lambda user: {
            "groups": meeting_list_for_course(course=course),
            "can_manage": access.courses.can_manage_course(user=user, course=course),
        },
    )


_BADGES = {
    Meeting.Phase.LIVE: ("text-bg-danger", gettext_noop("Live")),
    Meeting.Phase.CANCELLED: ("text-bg-secondary", gettext_noop("Cancelled")),
    Meeting.Phase.ENDED: ("text-bg-light border", gettext_noop("Ended")),
}
_NEWLINE = SafeString("\n")


@register.simple_tag
def phase_badge(phase: str) -> SafeString:
    """The meeting's phase as a badge (upcoming for anything else)."""
    css, label = _BADGES.get(phase, ("text-bg-info", gettext_noop("Upcoming")))  # type: ignore[call-overload]
    return format_html('<span class="badge {} align-middle">{}</span>', css, gettext(label))


@register.simple_tag
def join_button(row: MeetingRow) -> SafeString:
    """Join while the room is open; before it opens, when it will; nothing after."""
    if row.joinable:
        return format_html(
            '<a class="btn btn-primary btn-sm join-button" href="{}">'
            '<i class="bi bi-camera-video"></i> {}</a>',
            reverse("rooms:room", kwargs={"meeting_id": row.meeting.pk}),
            gettext("Join Meeting"),
        )
    if row.phase == Meeting.Phase.UPCOMING:
        opens = conditional_escape(str(when(row.meeting.join_opens_at, "time")))
        return format_html(
            '<button type="button" class="btn btn-outline-primary btn-sm join-button" disabled>'
            "{}</button>",
            mark_safe(gettext("Join opens at %(time)s") % {"time": opens}),  # noqa: S308
        )
    return SafeString("")


@register.simple_tag
def meeting_row(row: MeetingRow, show_course: bool = True) -> SafeString:
    """One meeting of a list: title and phase, course, teacher and length, time, join button."""
    meeting = row.meeting
    course = meeting.course
    course_line = (
        format_html('<div class="mb-1">{} {}</div>', gettext("Course:"), course.title)
        if show_course
        else ""
    )
    scheduled = gettext("Scheduled by: %(name)s") % {
        "name": conditional_escape(course.teacher.display_name)
    }
    minutes = meeting.duration_minutes
    length = ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {"minutes": minutes}
    return format_html(
        '\n<li class="list-group-item meeting-row py-3" data-meeting-id="{}" data-phase="{}">\n'
        '  <div class="d-flex flex-column flex-sm-row justify-content-between gap-2">\n'
        '    <div class="min-w-0">\n'
        '      <h3 class="h5 mb-1">\n'
        '        <a class="link-body-emphasis text-decoration-none" href="{}">{}</a>\n'
        "        {}\n"
        "      </h3>\n"
        "      {}\n"
        '      <div class="small text-body-secondary">\n'
        "        {}\n"
        "        · {}\n"
        "      </div>\n"
        "    </div>\n"
        '    <div class="text-sm-end flex-shrink-0">\n'
        "      <div>{}</div>\n"
        '      <div class="mb-2">{}</div>\n'
        "      {}\n"
        "    </div>\n"
        "  </div>\n"
        "</li>\n",
        meeting.pk,
        row.phase,
        meeting.get_absolute_url(),
        meeting.title,
        phase_badge(row.phase) + _NEWLINE,
        course_line,
        mark_safe(scheduled),  # noqa: S308  # the translation with the name escaped
        length,
        when(meeting.starts_at, "date"),
        when_range(meeting.starts_at, meeting.ends_at),
        join_button(row) + _NEWLINE,
    )
