"""After the class: the teacher's attendance report (HTML and CSV) and the chat log."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from classmeet import access
from classmeet.core.spreadsheets import csv_response
from classmeet.core.times import zone_label, zone_name
from classmeet.meetings.models import Meeting

from .selectors import attendance_report, chat_message_list, course_attendance


def _access(request: HttpRequest, meeting_id: int, allowed: Callable[..., bool]) -> Meeting:
    """Return the meeting: 404 to whoever cannot see it, 403 to members without the right."""
    meeting = access.meetings.access_meeting(user=request.user, meeting_id=meeting_id)
    if not allowed(user=request.user, meeting=meeting):
        raise PermissionDenied
    return meeting


@login_required
@require_GET
def meeting_attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _access(request, meeting_id, access.meetings.can_view_attendance)
    rows = attendance_report(meeting=meeting)
    return render(
        request,
        "meetings/reports/attendance.html",
        {
            "meeting": meeting,
            "rows": rows,
            "present_count": sum(1 for r in rows if r.present),
            "nav": "meetings",
        },
    )


@login_required
@require_GET
def meeting_attendance_csv(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _access(request, meeting_id, access.meetings.can_view_attendance)
    rows = attendance_report(meeting=meeting)
    # Cells are ISO 8601 with the offset; the header names the zone they are written in.
    zone = zone_name(timezone.get_current_timezone())
    return csv_response(
        filename=f"attendance-meeting-{meeting.pk}.csv",
        header=[
            _("Username"),
            _("Name"),
            _("Email"),
            _("Status"),
            _("First join (%(zone)s)") % {"zone": zone},
            _("Last leave (%(zone)s)") % {"zone": zone},
            _("Minutes"),
            _("Joins"),
        ],
        rows=(
            [
                r.user.username,
                r.user.display_name,
                r.user.email,
                _("present") if r.present else _("absent"),
                r.first_join,
                r.last_leave,
                r.minutes,
                r.joins,
            ]
            for r in rows
        ),
    )


@login_required
@require_GET
def course_attendance_csv(request: HttpRequest, course_id: int) -> HttpResponse:
    course = access.courses.access_course(user=request.user, course_id=course_id)
    if not access.meetings.can_view_course_attendance(user=request.user, course=course):
        raise PermissionDenied
    grid = course_attendance(course=course)
    header = [_("Username"), _("Name"), _("Meetings attended")]
    header += [
        f"{timezone.localtime(m.starts_at):%Y-%m-%d %H:%M} {zone_label(m.starts_at)} {m.title}"
        f" ({_('minutes')})"
        for m in grid.meetings
    ]
    rows = (
        [s.username, s.display_name, grid.attended_count(s)]
        + [grid.minutes[(s.pk, m.pk)] for m in grid.meetings]
        for s in grid.students
    )
    return csv_response(
        filename=f"attendance-{slugify(course.title) or 'course'}-{course.pk}.csv",
        header=header,
        rows=rows,
    )


@login_required
@require_GET
def meeting_chat_log(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _access(request, meeting_id, access.meetings.can_view_chat_log)
    messages = chat_message_list(meeting_id=meeting.pk, include_deleted=True)
    return render(
        request,
        "meetings/reports/chat_log.html",
        {"meeting": meeting, "chat_messages": messages, "nav": "meetings"},
    )
