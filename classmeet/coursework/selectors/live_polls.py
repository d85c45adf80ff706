"""Reads of a meeting's live polls: the prepared question a poll launches, the meeting page's
list with results, and the rows of the results CSV."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from classmeet.courses.models import Enrollment
from classmeet.courses.selectors import course_staff_ids
from classmeet.meetings.models import Meeting

from ..models import Choice, LivePoll, LivePollAnswer, Question

CHOICE_KINDS = (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.TRUE_FALSE)


def prepared_live_question_get(*, course_id: int, question_id: int) -> Question | None:
    """A question prepared for the live class of the course (no quiz) with its options in
    order, or None (another course's, a quiz's, or missing). Two queries."""
    return (
        Question.objects.filter(course_id=course_id, quiz__isnull=True, pk=question_id)
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "id")))
        .first()
    )


@dataclass
class PollOptionResult:
    text: str
    count: int
    percent: int
    is_correct: bool


@dataclass
class PollSummary:
    poll: LivePoll
    results: list[PollOptionResult]


def live_poll_list(*, meeting: Meeting) -> list[PollSummary]:
    """The meeting's polls in the order opened, each with its results per option. One query."""
    summaries = []
    for poll in LivePoll.objects.filter(meeting=meeting).order_by("opened_at", "id"):
        correct = set(poll.correct or [])
        counts = list(poll.counts) + [0] * (len(poll.options) - len(poll.counts))
        total = max(poll.answered, 1)
        results = [
            PollOptionResult(
                text=text,
                count=counts[index],
                percent=round(100 * counts[index] / total),
                is_correct=index in correct,
            )
            for index, text in enumerate(poll.options)
        ]
        summaries.append(PollSummary(poll=poll, results=results))
    return summaries


CSV_HEADER = (
    "poll",
    "opened_at",
    "question",
    "correct_answer",
    "student",
    "username",
    "answer",
    "status",
    "points",
)


def _answer_text(poll: LivePoll, choice: list[int]) -> str:
    return " | ".join(poll.options[i] for i in choice if 0 <= i < len(poll.options))


def live_poll_csv_rows(*, meeting: Meeting) -> Iterator[tuple[object, ...]]:
    """One row per student per poll, in the order the polls opened: every enrolled student
    (answered, or absent), then anyone else who answered; an anonymous poll has one row per
    answer and no student. `points` only for graded polls. Four queries."""
    polls = list(LivePoll.objects.filter(meeting=meeting).order_by("opened_at", "id"))
    answers: dict[int, list[LivePollAnswer]] = {}
    for answer in (
        LivePollAnswer.objects.filter(poll__meeting=meeting)
        .select_related("student")
        .order_by("poll_id", "id")
    ):
        answers.setdefault(answer.poll_id, []).append(answer)
    staff = course_staff_ids(course=meeting.course)
    students = [
        e.student
        for e in Enrollment.objects.filter(course=meeting.course)
        .exclude(student_id__in=staff)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student__username")
    ]
    for number, poll in enumerate(polls, start=1):
        head: tuple[object, datetime, str, str] = (
            number,
            poll.opened_at,
            poll.question,
            _answer_text(poll, poll.correct or []),
        )
        rows = answers.get(poll.id, [])
        if poll.anonymous:
            for row in rows:
                yield (*head, "", "", _answer_text(poll, row.choice), "answered", "")
            continue
        by_student = {row.student_id: row for row in rows}
        listed = set()
        for student in students:
            listed.add(student.pk)
            yield _student_row(poll, head, student, by_student.get(student.pk))
        for row in rows:
            if row.student_id not in listed and row.student is not None:
                yield _student_row(poll, head, row.student, row)


def _student_row(
    poll: LivePoll, head: tuple[object, ...], student: object, row: LivePollAnswer | None
) -> tuple[object, ...]:
    if row is None:
        status, answer = ("absent" if poll.closed_at else "open"), ""
    else:
        answer = _answer_text(poll, row.choice)
        status = "answered" if row.is_correct is None else ("right" if row.is_correct else "wrong")
    points: object = ""
    if poll.is_graded and poll.closed_at:
        points = poll.points if row is not None and row.is_correct else 0
    name = getattr(student, "display_name", "")
    username = getattr(student, "username", "")
    return (*head, name, username, answer, status, points)
