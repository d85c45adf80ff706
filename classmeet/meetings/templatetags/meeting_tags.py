"""`{% course_meetings course %}`: a course page's list of meetings, for its members; and the
meeting row, phase badge and join button of the meeting pages.

The row, badge and button are built here rather than by included templates: the meetings page
shows up to 75 rows, and an include per row (with two more inside) cost most of its time. The
markup is the one the templates had, character for character.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, ngettext

from classmeet import access
from classmeet.core.batch import Planned
from classmeet.core.links import id_url
from classmeet.core.templatetags.when import when_html, when_range_html
from classmeet.courses.models import Course
from classmeet.courses.sections import course_section, course_section_result

from ..models import Meeting
from ..selectors import MeetingGroups, MeetingRow, meeting_list_for_course_plan

register = template.Library()


def course_meetings_plan(course: Course, user: Any) -> Planned[MeetingGroups]:
    """What the section reads (registered in MeetingsConfig.ready for the course page)."""
    return meeting_list_for_course_plan(course=course)


@register.inclusion_tag("meetings/_course_meetings.html", takes_context=True)
def course_meetings(context: dict[str, Any], course: Course) -> dict[str, Any]:
    """Render the course's live, upcoming and past meetings; nothing for non-members."""
    return course_section(
        context,
        course,
        lambda user: {
            "groups": course_section_result(course=course, user=user, name="meetings"),
            "can_manage": access.courses.can_manage_course(user=user, course=course),
        },
    )


_BADGES = {
    Meeting.Phase.LIVE: ("text-bg-danger", gettext_noop("Live")),
    Meeting.Phase.CANCELLED: ("text-bg-secondary", gettext_noop("Cancelled")),
    Meeting.Phase.ENDED: ("text-bg-light border", gettext_noop("Ended")),
}
_UPCOMING_BADGE = ("text-bg-info", gettext_noop("Upcoming"))


class _Rows:
    """What every row of one list shares, worked out once: the zone, translations and lengths.

    As in the templates, translations go out as they are and only the values are escaped.
    """

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.badges = {
            phase: f'<span class="badge {css} align-middle">{gettext(label)}</span>'
            for phase, (css, label) in (*_BADGES.items(), ("", _UPCOMING_BADGE))
        }
        self.course_label = gettext("Course:")
        self.scheduled_by = gettext("Scheduled by: %(name)s")
        self.join_meeting = gettext("Join Meeting")
        self.join_opens = gettext("Join opens at %(time)s")
        self.lengths: dict[int, str] = {}  # "60 minutes" by minutes: most meetings share a few

    def length(self, minutes: int) -> str:
        text = self.lengths.get(minutes)
        if text is None:
            text = ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {
                "minutes": minutes
            }
            self.lengths[minutes] = text
        return text

    def badge(self, phase: str) -> str:
        return self.badges.get(phase) or self.badges[""]

    def join_button(self, row: MeetingRow) -> str:
        """Join while the room is open; before it opens, when it will; nothing after."""
        if row.joinable:
            url = id_url("rooms:room", "meeting_id", row.meeting.pk)
            return (
                f'<a class="btn btn-primary btn-sm join-button" href="{url}">'
                f'<i class="bi bi-camera-video"></i> {self.join_meeting}</a>'
            )
        if row.phase == Meeting.Phase.UPCOMING:
            time = when_html(row.meeting.join_opens_at, "time", zone=self.zone)
            opens = self.join_opens % {"time": time}
            return (
                '<button type="button" class="btn btn-outline-primary btn-sm join-button"'
                f" disabled>{opens}</button>"
            )
        return ""

    def row(self, row: MeetingRow, show_course: bool) -> str:
        """One meeting: title and phase, course, teacher and length, time, join button."""
        meeting = row.meeting
        course = meeting.course
        course_line = (
            f'<div class="mb-1">{self.course_label} {escape(course.title)}</div>'
            if show_course
            else ""
        )
        scheduled = self.scheduled_by % {"name": escape(course.teacher.display_name)}
        length = self.length(meeting.duration_minutes)
        url = id_url("meetings:meeting-detail", "meeting_id", meeting.pk)
        starts_at = meeting.starts_at
        return (
            f'\n<li class="list-group-item meeting-row py-3" data-meeting-id="{meeting.pk}"'
            f' data-phase="{escape(row.phase)}">\n'
            '  <div class="d-flex flex-column flex-sm-row justify-content-between gap-2">\n'
            '    <div class="min-w-0">\n'
            '      <h3 class="h5 mb-1">\n'
            '        <a class="link-body-emphasis text-decoration-none"'
            f' href="{url}">{escape(meeting.title)}</a>\n'
            f"        {self.badge(row.phase)}\n\n"
            "      </h3>\n"
            f"      {course_line}\n"
            '      <div class="small text-body-secondary">\n'
            f"        {scheduled}\n"
            f"        · {length}\n"
            "      </div>\n"
            "    </div>\n"
            '    <div class="text-sm-end flex-shrink-0">\n'
            f"      <div>{when_html(starts_at, 'date', zone=self.zone)}</div>\n"
            f'      <div class="mb-2">{when_range_html(starts_at, meeting.ends_at, zone=self.zone)}'
            "</div>\n"
            f"      {self.join_button(row)}\n\n"
            "    </div>\n"
            "  </div>\n"
            "</li>\n"
        )


@register.simple_tag
def phase_badge(phase: str) -> SafeString:
    """The meeting's phase as a badge (upcoming for anything else)."""
    return mark_safe(_Rows().badge(phase))  # noqa: S308  # built of escaped parts


@register.simple_tag
def join_button(row: MeetingRow) -> SafeString:
    """The meeting page's join button (see `_Rows.join_button`)."""
    return mark_safe(_Rows().join_button(row))  # noqa: S308  # built of escaped parts


@register.simple_tag
def meeting_rows(*lists: list[MeetingRow], show_course: bool = True) -> SafeString:
    """The `<li>` of each meeting of the lists, one after the other, as `_meeting_row.html`
    rendered them."""
    rows = [row for rows in lists for row in rows]
    if not rows:
        return SafeString("")
    kit = _Rows()
    return mark_safe("".join([kit.row(row, show_course) for row in rows]))  # noqa: S308
