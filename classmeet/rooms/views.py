"""The live room page. Who may enter is decided by access.rooms.room_entry, as for the socket."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from classmeet import access
from classmeet.coursework.models import Question
from classmeet.coursework.selectors.quizzes import prepared_question_list
from classmeet.meetings.models import Meeting
from classmeet.rooms import conf


def _leave_url(meeting: Meeting) -> str:
    try:
        return meeting.course.get_absolute_url()
    except NoReverseMatch:  # the course pages are not mounted (minimal deployments)
        return reverse("dashboard:dashboard")


def _prepared_polls(meeting: Meeting) -> list[Question]:
    """The course's prepared questions that can run as a live poll (the choice kinds)."""
    return [
        question
        for question in prepared_question_list(course=meeting.course)
        if question.kind != Question.Kind.NUMERIC
    ]


@login_required
def room(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Show the room while it is open.

    Anonymous visitors go to sign-in. Members of the course outside the join window get a
    friendly "not open yet" / "has ended" page with status 409; everybody else gets 404, so
    outsiders learn nothing about the meeting.
    """
    entry, meeting = access.rooms.room_entry(user=request.user, meeting_id=meeting_id)
    if entry is access.rooms.RoomEntry.NOT_OPEN and meeting is not None:
        return render(
            request,
            "rooms/room_closed.html",
            {
                "meeting": meeting,
                "phase": meeting.phase(),
                "now": timezone.now(),
                "leave_url": _leave_url(meeting),
            },
            status=409,
        )
    if entry is access.rooms.RoomEntry.REMOVED and meeting is not None:
        # The teacher removed this member: say so instead of pretending the room is gone.
        return render(
            request,
            "rooms/room_closed.html",
            {"meeting": meeting, "phase": "removed", "leave_url": _leave_url(meeting)},
            status=403,
        )
    if entry is not access.rooms.RoomEntry.ALLOWED or meeting is None:
        raise Http404
    can_control = access.rooms.can_control_room(user=request.user, meeting=meeting)
    return render(
        request,
        "rooms/room.html",
        {
            "meeting": meeting,
            "course": meeting.course,
            "ws_path": f"/ws/meeting/{meeting.pk}/",
            "reconnect_give_up_ms": round(conf.reconnect_give_up_seconds() * 1000),
            "can_control": can_control,
            # Staff launch the course's prepared questions as polls; students' pages skip the
            # two queries.
            "prepared_polls": _prepared_polls(meeting) if can_control else [],
            "can_raise_hand": access.rooms.can_raise_hand(user=request.user, meeting=meeting),
            "leave_url": _leave_url(meeting),
            "nav": "meetings",
        },
    )
