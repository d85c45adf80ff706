"""Reactions and private questions in real headless Chromium: a student's private question
reaches the teacher marked private and not another student; a reaction floats on the sender's
tile on the others' pages."""

from __future__ import annotations

import pytest

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.models import ChatMessage
from classmeet.meetings.tests.factories import MeetingFactory
from tests.e2e.room import join, peer_id, wait_participants

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_private_question_and_a_reaction(new_page):
    teacher = TeacherFactory.create(username="e2e_tina", first_name="Tina", last_name="Teach")
    sam = StudentFactory.create(username="e2e_sam", first_name="Sam", last_name="Study")
    sue = StudentFactory.create(username="e2e_sue", first_name="Sue", last_name="Second")
    course = CourseFactory.create(teacher=teacher, title="Physics")
    for student in (sam, sue):
        EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course, title="Waves")
    t = join(new_page, teacher, meeting)
    s = join(new_page, sam, meeting)
    other = join(new_page, sue, meeting)
    for page in (t, s, other):
        wait_participants(page, 3)

    # A student's "To:" lists Everyone and the teacher only (no student).
    s.wait_for_function("() => document.querySelectorAll('#chat-to option').length === 2")
    assert s.locator("#chat-to option").all_text_contents() == ["Everyone", "Tina Teach"]
    s.select_option("#chat-to", label="Tina Teach")
    s.fill("#chat-input", "I did not get step 2")
    s.press("#chat-input", "Enter")
    line = t.locator("#chat-messages li", has_text="I did not get step 2")
    line.wait_for()
    assert line.get_attribute("data-private") == "true"
    assert line.locator(".chat-private-badge").text_content() == "Private message to you"
    s.locator("#chat-messages li[data-private='true']", has_text="step 2").wait_for()
    # Replying preselects the sender.
    line.locator(".chat-reply").click()
    assert t.locator("#chat-to option:checked").text_content() == "Sam Study"
    t.fill("#chat-input", "for everyone")
    t.select_option("#chat-to", label="Everyone")
    t.press("#chat-input", "Enter")
    other.locator("#chat-messages li", has_text="for everyone").wait_for()
    assert other.locator("#chat-messages li", has_text="step 2").count() == 0
    assert ChatMessage.objects.get(text="I did not get step 2").recipient == teacher

    # Sue's 👏 floats on her tile on the others' pages (and on her own local tile).
    other.click("#btn-reactions")
    other.click(".reaction-choice[data-emoji='👏']")
    sue_id = peer_id(other)
    for page in (t, s):
        page.locator(f".tile[data-peer='{sue_id}'] .reaction-float", has_text="👏").wait_for()
        page.wait_for_function(
            "() => document.getElementById('room-announcer').textContent.includes('👏')"
        )
    other.locator(".tile[data-peer='local'] .reaction-float").wait_for()
