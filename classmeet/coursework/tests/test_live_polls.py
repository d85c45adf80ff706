"""A meeting's live polls in the database: opening, closing once, grading, anonymity, and the
meeting's results (list and CSV rows)."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.models import Grade, GradeItem, LivePoll, LivePollAnswer
from classmeet.coursework.selectors.live_polls import live_poll_csv_rows, live_poll_list
from classmeet.coursework.services.grades import grade_record
from classmeet.coursework.services.live_polls import live_poll_close
from classmeet.coursework.tests.live_poll_factories import live_poll
from classmeet.meetings.models import Meeting

pytestmark = pytest.mark.django_db


def open_quiz(meeting: Meeting, **fields: Any) -> LivePoll:
    return live_poll(meeting, **fields)


@pytest.fixture
def classmates(course, student, enrollment):
    """Three enrolled students: Sam (the `student` fixture), Ann and Bob."""
    others = [StudentFactory.create(username=name, first_name=name) for name in ("ann", "bob")]
    for other in others:
        EnrollmentFactory.create(course=course, student=other)
    return [student, *others]


def test_close_grades_every_enrolled_student(live_meeting, classmates, teacher):
    sam, ann, bob = classmates
    poll = open_quiz(live_meeting)
    closed = live_poll_close(poll_id=poll.pk, answers=[(sam.pk, [1]), (ann.pk, [2])], present=3)
    assert closed is not None
    item = closed.grade_item
    assert item is not None
    assert item.kind == GradeItem.Kind.LIVE_QUIZ
    assert item.title == "Live quiz: 2 + 2?"
    assert item.dated_at == live_meeting.starts_at
    assert (item.max_points, item.is_published, item.released_at) == (
        Decimal(1),
        True,
        closed.closed_at,
    )
    grades = {g.student_id: g for g in Grade.objects.filter(item=item)}
    assert (grades[sam.pk].points, grades[sam.pk].is_absent) == (Decimal(1), False)
    assert (grades[ann.pk].points, grades[ann.pk].is_absent) == (Decimal(0), False)
    assert (grades[bob.pk].points, grades[bob.pk].is_absent) == (Decimal(0), True)
    assert teacher.pk not in grades
    assert (closed.counts, closed.answered, closed.present) == ([0, 1, 1], 2, 3)


def test_multiple_choice_is_right_only_with_exactly_the_correct_set(live_meeting, classmates):
    sam, ann, bob = classmates
    poll = open_quiz(live_meeting, correct=(0, 2), multiple=True)
    live_poll_close(
        poll_id=poll.pk, answers=[(sam.pk, [2, 0]), (ann.pk, [0]), (bob.pk, [0, 1, 2])], present=3
    )
    right = dict(LivePollAnswer.objects.values_list("student_id", "is_correct"))
    assert right == {sam.pk: True, ann.pk: False, bob.pk: False}
    assert LivePoll.objects.get().counts == [3, 1, 2]


def test_closing_twice_writes_once(live_meeting, classmates):
    sam = classmates[0]
    poll = open_quiz(live_meeting)
    assert live_poll_close(poll_id=poll.pk, answers=[(sam.pk, [1])], present=1) is not None
    assert live_poll_close(poll_id=poll.pk, answers=[(sam.pk, [0])], present=9) is None
    assert LivePollAnswer.objects.count() == 1
    assert GradeItem.objects.count() == 1
    assert Grade.objects.get(student=sam).points == Decimal(1)
    assert LivePoll.objects.get().present == 1


def test_an_anonymous_poll_stores_no_user_and_is_never_graded(live_meeting, classmates):
    sam, ann, _bob = classmates
    poll = open_quiz(live_meeting, anonymous=True)
    closed = live_poll_close(poll_id=poll.pk, answers=[(sam.pk, [1]), (ann.pk, [0])], present=3)
    assert closed is not None
    assert closed.grade_item is None
    assert list(LivePollAnswer.objects.values_list("student_id", flat=True)) == [None, None]
    assert not Grade.objects.exists()
    assert not GradeItem.objects.exists()


def test_a_poll_without_correct_answers_is_not_graded(live_meeting, classmates):
    poll = open_quiz(live_meeting, correct=None)
    live_poll_close(poll_id=poll.pk, answers=[(classmates[0].pk, [1])], present=1)
    assert not GradeItem.objects.exists()
    assert LivePollAnswer.objects.get().is_correct is None


def test_a_prepared_question_gives_its_points(live_meeting, classmates):
    poll = open_quiz(live_meeting, points=Decimal("2.50"))
    closed = live_poll_close(poll_id=poll.pk, answers=[(classmates[0].pk, [1])], present=1)
    assert closed is not None
    assert closed.grade_item is not None
    assert closed.grade_item.max_points == Decimal("2.50")
    assert Grade.objects.get(student=classmates[0]).points == Decimal("2.50")


def test_opening_closes_a_poll_that_lost_its_live_state(live_meeting):
    stale = open_quiz(live_meeting)
    fresh = open_quiz(live_meeting)
    stale.refresh_from_db()
    assert stale.closed_at is not None
    assert fresh.closed_at is None


def test_one_open_poll_per_meeting_in_the_database(live_meeting):
    open_quiz(live_meeting)
    with pytest.raises(Exception):  # noqa: B017, PT011 - the constraint itself
        LivePoll.objects.create(meeting=live_meeting, question="q", options=["a", "b"])


def test_a_later_grade_by_staff_clears_absent(live_meeting, classmates, teacher):
    poll = open_quiz(live_meeting)
    closed = live_poll_close(poll_id=poll.pk, answers=[], present=0)
    assert closed is not None
    assert closed.grade_item is not None
    bob = classmates[2]
    assert Grade.objects.get(student=bob).is_absent
    grade_record(item=closed.grade_item, student=bob, points=Decimal(1), by=teacher, override=True)
    assert not Grade.objects.get(student=bob).is_absent


def test_the_meeting_lists_its_polls_with_results(live_meeting, classmates):
    sam, ann, _bob = classmates
    poll = open_quiz(live_meeting)
    live_poll_close(poll_id=poll.pk, answers=[(sam.pk, [1]), (ann.pk, [1])], present=3)
    [listed] = live_poll_list(meeting=live_meeting)
    assert [(r.text, r.count, r.percent, r.is_correct) for r in listed.results] == [
        ("3", 0, 0, False),
        ("4", 2, 100, True),
        ("5", 0, 0, False),
    ]


def test_csv_rows_one_per_student_per_poll(live_meeting, classmates):
    sam, ann, bob = classmates
    ann.first_name = "=HYPERLINK(1)"
    ann.save()
    poll = open_quiz(live_meeting)
    live_poll_close(poll_id=poll.pk, answers=[(sam.pk, [1]), (ann.pk, [0])], present=3)
    anonymous = open_quiz(live_meeting, anonymous=True, correct=None)
    live_poll_close(poll_id=anonymous.pk, answers=[(bob.pk, [2])], present=3)
    rows = list(live_poll_csv_rows(meeting=live_meeting))
    by_user = {(row[0], row[5]): row for row in rows}
    assert by_user[(1, "student")][6:] == ("4", "right", Decimal(1))
    assert by_user[(1, "ann")][6:] == ("3", "wrong", 0)
    assert by_user[(1, "bob")][6:] == ("", "absent", 0)
    assert by_user[(1, "bob")][3] == "4"
    assert [row[4:] for row in rows if row[0] == 2] == [("", "", "5", "answered", "")]


def test_opening_refuses_a_second_poll_racing_in(live_meeting, monkeypatch):
    from classmeet.coursework.services import live_polls

    open_quiz(live_meeting)
    # The other process's poll appeared after the stale sweep: the constraint refuses this one.
    monkeypatch.setattr(live_polls, "_finish", lambda **kwargs: None)
    with pytest.raises(ValidationError) as raised:
        open_quiz(live_meeting)
    assert raised.value.code == "already_open"
