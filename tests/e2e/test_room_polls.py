"""A graded live quiz in real headless Chromium: the teacher opens it from the Polls tab, two
students see its countdown and answer (one right; one wrong, after changing their answer), the
teacher watches the live results and closes it, both students see the final results, and the
gradebook scores them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.tests.factories import MeetingFactory
from tests.e2e.room import join, wait_participants

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

QUESTION = "2 + 2 = ?"
CARD = "#poll-card"
# The gradebook's cells of the column titled `title` for Ann and Bob (null: no such column yet).
SCORES = """title => {
  const heads = [...document.querySelectorAll('#gradebook thead th')];
  const column = heads.findIndex(th => th.textContent.includes(title));
  if (column < 0) return null;
  const cell = user => document.querySelector(`#gradebook tr[data-student="${user}"]`)
    .children[column].textContent.trim();
  return [cell('e2e_ann'), cell('e2e_bob')];
}"""


def _option(page: Any, text: str) -> Any:
    return page.locator(f"{CARD} .poll-option", has_text=text)


def _counts(page: Any) -> list[str]:
    counts = page.locator(f"{CARD} .poll-result").evaluate_all(
        "rows => rows.map(r => r.dataset.count)"
    )
    return [str(count) for count in counts]


def test_a_graded_live_quiz_reaches_the_gradebook(new_page, live_server_url):
    teacher = TeacherFactory.create(username="e2e_tina", first_name="Tina", last_name="Teach")
    right, wrong = (
        StudentFactory.create(username=f"e2e_{name.lower()}", first_name=name, last_name="Study")
        for name in ("Ann", "Bob")
    )
    course = CourseFactory.create(teacher=teacher, title="Arithmetic")
    for student in (right, wrong):
        EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course, title="Sums")
    t = join(new_page, teacher, meeting)
    a = join(new_page, right, meeting)
    b = join(new_page, wrong, meeting)
    wait_participants(t, 3)

    # The teacher writes the question in the Polls tab: three options, the second one correct.
    t.click("#tab-polls")
    t.fill("#poll-question-input", QUESTION)
    options = t.locator("#poll-option-list .poll-option-text")
    options.nth(0).fill("3")
    options.nth(1).fill("4")
    t.click("#poll-add-option")
    options.nth(2).fill("5")
    t.get_by_label("Option B is correct").check()
    t.fill("#poll-seconds", "600")
    t.click("#poll-start")

    for page in (a, b):
        page.wait_for_selector(f"{CARD}[data-state='open']")
        assert page.locator("#poll-question").text_content() == QUESTION
        page.locator("#room-announcer p", has_text=f"New poll: {QUESTION}").wait_for(
            state="attached"
        )
        assert re.fullmatch(r"(10|9):\d\d", page.locator("#poll-timer").text_content() or "")
    # Ann answers right; Bob answers 3, then changes to 5 (counted once, as 5).
    _option(a, "4").click()
    _option(b, "3").click()
    for page in (a, b):
        page.locator("#poll-status", has_text="Your answer was sent.").wait_for()
    _option(b, "5").click()
    b.wait_for_function(
        "() => document.querySelector('#poll-card .poll-option[data-index=\"2\"]').ariaPressed"
        " === 'true'"
    )
    assert _option(b, "3").get_attribute("aria-pressed") == "false"

    # The teacher's live results, then the close.
    t.wait_for_function(
        "() => [...document.querySelectorAll('#poll-card .poll-result')]"
        ".map(r => r.dataset.count).join() === '0,1,1'"
    )
    assert t.locator("#poll-status").text_content() == "2 of 2 answered"
    t.click("#poll-close")

    for page in (t, a, b):
        page.wait_for_selector(f"{CARD}[data-state='closed']")
        assert _counts(page) == ["0", "1", "1"]
        correct = page.locator(f"{CARD} .poll-result.poll-correct")
        assert correct.count() == 1
        assert correct.get_attribute("data-index") == "1"
        assert correct.get_by_role("img", name="Correct answer").count() == 1
    assert b.locator(f"{CARD} .poll-result.poll-mine").get_attribute("data-index") == "2"
    assert a.locator(f"{CARD} .poll-option").count() == 0  # no answering a closed poll

    # The gradebook: a column for the quiz, 1 point for the right answer, 0 for the wrong one.
    gradebook = live_server_url + reverse("coursework:gradebook", kwargs={"course_id": course.pk})
    for _ in range(10):  # the grades are written as the poll closes: at most a moment later
        t.goto(gradebook)
        scores = t.evaluate(SCORES, f"Live quiz: {QUESTION}")
        if scores is not None:
            break
        t.wait_for_timeout(300)
    assert scores == ["1", "0"]
