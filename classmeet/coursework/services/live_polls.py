"""Writing a meeting's live polls: the row when a poll opens, its answers, results and grades
when it closes. The room (rooms/polls.py) keeps the answers while the poll is open and calls
these once per poll; closing again does nothing, whichever process or timer comes second."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.accounts.models import User
from classmeet.courses.models import Enrollment
from classmeet.courses.selectors import course_staff_ids
from classmeet.meetings.models import Meeting

from ..models import GradeItem, LivePoll, LivePollAnswer
from .grades import grade_record

ITEM_TITLE_LENGTH = GradeItem._meta.get_field("title").max_length or 200


@transaction.atomic
def live_poll_open(
    *,
    meeting: Meeting,
    opened_by: User | None,
    question: str,
    options: Sequence[str],
    multiple: bool,
    correct: Sequence[int] | None,
    anonymous: bool,
    seconds: int | None,
    source_question_id: int | None = None,
    points: Decimal = Decimal(1),
    now: datetime | None = None,
) -> LivePoll:
    """Open a poll in the meeting's room and return it.

    The caller (the room) holds the room's one poll slot: a poll of this meeting still open in
    the database lost its live state (its process restarted, its state expired), so it is closed
    first, with no answers. A second poll opened at the same time fails with `already_open`.
    """
    now = now or timezone.now()
    for stale in LivePoll.objects.select_for_update().filter(meeting=meeting, closed_at=None):
        _finish(poll=stale, answers=[], present=0, now=now)
    poll = LivePoll(
        meeting=meeting,
        question=question,
        options=list(options),
        multiple=multiple,
        correct=sorted(correct) if correct else None,
        anonymous=anonymous,
        points=points,
        source_question_id=source_question_id,
        opened_by=opened_by,
        opened_at=now,
        closes_at=now + timedelta(seconds=seconds) if seconds else None,
        counts=[0] * len(options),
    )
    try:
        with transaction.atomic():
            poll.save()
    except IntegrityError:
        raise ValidationError(
            _("Another poll is open in this meeting: close it first."), code="already_open"
        ) from None
    return poll


@transaction.atomic
def live_poll_close(
    *,
    poll_id: int,
    answers: Sequence[tuple[int | None, Sequence[int]]],
    present: int,
    now: datetime | None = None,
) -> LivePoll | None:
    """Close the poll with its final answers ((student id or None, choice) each) and grade it;
    return it, or None if it was already closed (nothing is written twice)."""
    poll = (
        LivePoll.objects.select_for_update()
        .select_related("meeting__course")
        .filter(pk=poll_id)
        .first()
    )
    if poll is None or poll.closed_at is not None:
        return None
    _finish(poll=poll, answers=answers, present=present, now=now or timezone.now())
    return poll


def live_poll_counts(*, options: int, choices: Sequence[Sequence[int]]) -> list[int]:
    """Answers per option (a multiple-choice answer counts for each option it chose)."""
    counts = [0] * options
    for choice in choices:
        for index in choice:
            if 0 <= index < options:
                counts[index] += 1
    return counts


def _finish(
    *,
    poll: LivePoll,
    answers: Sequence[tuple[int | None, Sequence[int]]],
    present: int,
    now: datetime,
) -> None:
    correct = set(poll.correct) if poll.correct else None
    rows = [
        LivePollAnswer(
            poll=poll,
            student_id=None if poll.anonymous else student_id,
            choice=sorted(choice),
            is_correct=None if correct is None else set(choice) == correct,
        )
        for student_id, choice in answers
    ]
    LivePollAnswer.objects.bulk_create(rows)
    poll.counts = live_poll_counts(options=len(poll.options), choices=[c for _s, c in answers])
    poll.answered = len(rows)
    poll.present = present
    poll.closed_at = now
    if poll.is_graded:
        poll.grade_item = _grade(poll=poll, rows=rows, now=now)
    poll.save(update_fields=["counts", "answered", "present", "closed_at", "grade_item"])


def _grade(*, poll: LivePoll, rows: Sequence[LivePollAnswer], now: datetime) -> GradeItem:
    """The poll's gradebook column, and a grade for every enrolled student: its points for the
    right answer, 0 for a wrong one, 0 marked absent without an answer."""
    meeting = poll.meeting
    course = meeting.course
    title = _("Live quiz: %(question)s") % {"question": poll.question}
    item = GradeItem.objects.create(
        course=course,
        kind=GradeItem.Kind.LIVE_QUIZ,
        title=title[:ITEM_TITLE_LENGTH],
        max_points=poll.points,
        dated_at=meeting.starts_at,
        is_published=True,
    )
    right = {row.student_id: bool(row.is_correct) for row in rows}
    staff = course_staff_ids(course=course)
    enrolled = Enrollment.objects.filter(course=course).select_related("student")
    for enrollment in enrolled.exclude(student_id__in=staff).order_by("student_id"):
        answered = enrollment.student_id in right
        grade_record(
            item=item,
            student=enrollment.student,
            points=poll.points if right.get(enrollment.student_id) else Decimal(0),
            by=poll.opened_by,
            automatic=True,
            absent=not answered,
            now=now,
        )
    # The room showed the right answer at close: the grades are out with it.
    item.released_at = now
    item.save(update_fields=["released_at"])
    return item
