"""The room page's polls: the card for everybody, the form and the course's prepared questions for
the staff only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from classmeet.courses.models import Course
from classmeet.coursework.models import Question
from classmeet.coursework.services.quizzes import ChoiceInput, question_create

pytestmark = pytest.mark.django_db


def _prepared(course: Course, text: str, kind: str = Question.Kind.SINGLE) -> Question:
    if kind == Question.Kind.NUMERIC:
        return question_create(course=course, kind=kind, text=text, numeric_answer=Decimal("9.81"))
    return question_create(
        course=course,
        kind=kind,
        text=text,
        points=Decimal(2),
        choices=[ChoiceInput("Yes", True), ChoiceInput("No", False)],
    )


def test_staff_get_the_poll_form_with_the_course_prepared_choice_questions(
    client, live_meeting, teacher
):
    """Numeric questions cannot run as a poll: they are not offered."""
    launchable = _prepared(live_meeting.course, "Is <b>light</b> a wave?")
    _prepared(live_meeting.course, "g in m/s²?", Question.Kind.NUMERIC)
    client.force_login(teacher)
    response = client.get(reverse("rooms:room", args=[live_meeting.pk]))
    html = response.content.decode()
    assert 'id="poll-card"' in html
    assert 'id="poll-form"' in html
    assert 'id="tab-polls"' in html
    assert f'<option value="{launchable.pk}">Is &lt;b&gt;light&lt;/b&gt; a wave?</option>' in html
    assert "g in m/s²?" not in html
    assert [q.pk for q in response.context["prepared_polls"]] == [launchable.pk]


def test_students_get_the_card_but_neither_the_form_nor_the_questions(
    client, live_meeting, enrollment, student
):
    _prepared(live_meeting.course, "Is light a wave?")
    client.force_login(student)
    response = client.get(reverse("rooms:room", args=[live_meeting.pk]))
    html = response.content.decode()
    assert 'id="poll-card"' in html
    assert 'data-can-control="false"' in html
    assert 'id="poll-form"' not in html
    assert "Is light a wave?" not in html
    assert response.context["prepared_polls"] == []
