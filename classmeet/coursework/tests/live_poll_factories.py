"""A meeting's live poll, opened (and closed with answers) through the services, as the room
does."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from classmeet.meetings.models import Meeting

from ..models import LivePoll
from ..services.live_polls import live_poll_close, live_poll_open


def live_poll(
    meeting: Meeting,
    *,
    question: str = "2 + 2?",
    options: Sequence[str] = ("3", "4", "5"),
    correct: Sequence[int] | None = (1,),
    multiple: bool = False,
    anonymous: bool = False,
    points: Decimal = Decimal(1),
    answers: Sequence[tuple[int | None, Sequence[int]]] | None = None,
    present: int = 0,
) -> LivePoll:
    """Open a poll; with `answers` ((student id, choice) each), close it with them."""
    poll = live_poll_open(
        meeting=meeting,
        opened_by=meeting.course.teacher,
        question=question,
        options=list(options),
        multiple=multiple,
        correct=list(correct) if correct is not None else None,
        anonymous=anonymous,
        seconds=None,
        points=points,
    )
    if answers is not None:
        live_poll_close(poll_id=poll.pk, answers=answers, present=present)
        poll.refresh_from_db()
    return poll
