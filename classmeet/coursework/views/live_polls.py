"""A meeting's live polls for its staff: the results as CSV (the meeting page lists them through
the `meeting_polls` tag, meetings cannot import coursework)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from classmeet import access
from classmeet.core.spreadsheets import csv_response

from ..selectors.live_polls import live_poll_csv_rows


@login_required
@require_GET
def meeting_polls_csv(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One row per student per poll (see docs/coursework.md "Live quizzes")."""
    meeting = access.coursework.access_meeting_for_live_polls(
        user=request.user, meeting_id=meeting_id
    )
    return csv_response(
        filename=f"polls-meeting-{meeting.pk}.csv",
        header=[
            _("Poll"),
            _("Opened at"),
            _("Question"),
            _("Correct answer"),
            _("Student"),
            _("Username"),
            _("Answer"),
            _("Status"),
            _("Points"),
        ],
        rows=live_poll_csv_rows(meeting=meeting),
    )
