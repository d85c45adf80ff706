"""The room with the keyboard alone, in real Chromium: a student joins from the course page, mutes,
raises a hand, chats and leaves with Tab, Enter, Space and the Alt+Shift shortcuts only (no click,
no element.focus()), while the teacher's page sees each step; the room's one live region
(#room-announcer, announce.js) says each of them, and "You were muted by the teacher"."""

from __future__ import annotations

from typing import Any

import pytest

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.tests.factories import MeetingFactory
from tests.e2e.room import join, peer_id, wait_participants

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ACTIVE_MATCHES = "sel => document.activeElement?.matches(sel) ?? false"


def tab_to(page: Any, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the focus is on `selector` (fails after `limit` presses)."""
    for _ in range(limit):
        if page.evaluate(ACTIVE_MATCHES, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def heard(page: Any, text: str) -> None:
    """Wait until the room's live region has said `text` (one of its lines contains it)."""
    page.locator("#room-announcer p", has_text=text).first.wait_for(state="attached")


def focus_ring(page: Any) -> dict[str, str]:
    ring: dict[str, str] = page.evaluate(
        """() => {
          const style = getComputedStyle(document.activeElement);
          return { style: style.outlineStyle, width: style.outlineWidth, color: style.outlineColor };
        }"""
    )
    return ring


def unnamed_controls(page: Any) -> list[str]:
    """Visible controls of the room without an accessible name (a rough computation: aria-label,
    aria-labelledby, a <label>, the text, the title)."""
    unnamed: list[str] = page.evaluate(
        """() => [...document.querySelectorAll(
              '#room button, #room summary, #room select, #room input, #room a[href], .room-topbar button')]
          .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
          .filter((el) => {
            const byIds = (el.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean)
              .map((id) => document.getElementById(id)?.textContent || '').join('');
            const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : '';
            return !((el.getAttribute('aria-label') || byIds || label || el.textContent || el.title || '').trim());
          })
          .map((el) => el.outerHTML.slice(0, 120))"""
    )
    return unnamed


@pytest.fixture
def cast():
    teacher = TeacherFactory.create(username="e2e_kim", first_name="Kim", last_name="Keys")
    student = StudentFactory.create(username="e2e_ray", first_name="Ray", last_name="Reader")
    course = CourseFactory.create(teacher=teacher, title="Braille")
    EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course, title="Dots")
    return teacher, student, course, meeting


def test_a_student_joins_mutes_raises_a_hand_chats_and_leaves_with_the_keyboard_alone(
    new_page, cast
):
    teacher, student, course, meeting = cast
    t = join(new_page, teacher, meeting)
    s = new_page(student, sign_in="cookie")
    s.goto(course.get_absolute_url())

    # Join: Tab to the course page's "Live now" link, Enter.
    tab_to(s, ".live-now-link")
    s.keyboard.press("Enter")
    s.wait_for_selector("#room[data-joined='true']")
    wait_participants(t, 2)
    student_peer = peer_id(s)
    heard(s, "You joined the class. 1 other person is here.")
    heard(t, "Ray Reader joined")
    # The student's tile on the teacher's page is named after them, its video too.
    tile = t.get_by_role("group", name="Ray Reader")
    assert tile.get_attribute("data-peer") == student_peer
    assert tile.locator("video").get_attribute("aria-label") == "Video of Ray Reader"
    assert unnamed_controls(s) == []
    assert unnamed_controls(t) == []
    assert (
        t.locator(f"#participants li[data-peer='{student_peer}'] .mute-peer").get_attribute(
            "aria-label"
        )
        == "Mute Ray Reader"
    )

    # Mute: Tab to the microphone (a white ring on the dark stage), Space.
    tab_to(s, "#btn-mic")
    ring = focus_ring(s)
    assert ring["style"] == "solid", ring
    assert float(ring["width"].removesuffix("px")) >= 2, ring
    assert ring["color"] == "rgb(255, 255, 255)", ring
    s.keyboard.press("Space")
    assert s.get_attribute("#btn-mic", "aria-pressed") == "true"
    student_item = t.locator(f"#participants li[data-peer='{student_peer}']")
    t.wait_for_function(
        "id => document.querySelector(`#participants li[data-peer='${id}']`)?.dataset.mic === 'off'",
        arg=student_peer,
    )
    assert student_item.locator("[aria-label='Microphone off']").count() == 1
    # The shortcut toggles it back, and says so (the focus stays where it is).
    s.keyboard.press("Alt+Shift+M")
    assert s.get_attribute("#btn-mic", "aria-pressed") == "false"
    heard(s, "Microphone on")
    t.wait_for_function(
        "id => document.querySelector(`#participants li[data-peer='${id}']`)?.dataset.mic === 'on'",
        arg=student_peer,
    )

    # The camera's shortcut, both ways.
    s.keyboard.press("Alt+Shift+V")
    assert s.get_attribute("#btn-camera", "aria-pressed") == "true"
    heard(s, "Camera off")
    s.keyboard.press("Alt+Shift+V")
    assert s.get_attribute("#btn-camera", "aria-pressed") == "false"

    # The shortcuts dialog: Alt+Shift+K opens it on its Close button, Escape gives the focus back.
    s.keyboard.press("Alt+Shift+K")
    assert s.evaluate("() => document.getElementById('shortcuts-dialog').open")
    assert s.evaluate(ACTIVE_MATCHES, "#shortcuts-close")
    assert "Alt" in (s.locator("#shortcuts-dialog").text_content() or "")
    s.keyboard.press("Alt+Shift+M")  # the room's keys wait while the dialog is open
    assert s.get_attribute("#btn-mic", "aria-pressed") == "false"
    s.keyboard.press("Escape")
    assert not s.evaluate("() => document.getElementById('shortcuts-dialog').open")
    s.wait_for_function("() => document.activeElement?.id === 'btn-mic'")

    # Raise the hand: the teacher sees it, both pages hear it.
    s.keyboard.press("Alt+Shift+H")
    s.wait_for_function("() => document.getElementById('btn-hand').ariaPressed === 'true'")
    t.wait_for_function(
        "id => document.querySelector(`#participants li[data-peer='${id}']`)?.dataset.hand === '1'",
        arg=student_peer,
    )
    heard(s, "You raised your hand.")
    heard(t, "Ray Reader raised their hand")

    # Chat: Alt+Shift+C puts the focus in the message box; plain letters are text, not shortcuts.
    s.keyboard.press("Alt+Shift+C")
    assert s.evaluate(ACTIVE_MATCHES, "#chat-input")
    s.keyboard.type("Hello, I have a question about the homework")
    assert s.get_attribute("#btn-mic", "aria-pressed") == "false"  # "m" typed, nothing toggled
    assert s.get_attribute("#btn-camera", "aria-pressed") == "false"
    assert s.input_value("#chat-input") == "Hello, I have a question about the homework"
    s.keyboard.press("Enter")
    t.locator("#chat-messages li", has_text="question about the homework").wait_for()
    heard(t, "Ray Reader wrote: Hello, I have a question about the homework")
    heard(s, "Message sent: Hello, I have a question about the homework")
    # The shortcuts work from the chat box too; Tab leaves it (no trap).
    s.keyboard.press("Alt+Shift+M")
    assert s.get_attribute("#btn-mic", "aria-pressed") == "true"
    s.keyboard.press("Alt+Shift+M")
    assert s.get_attribute("#btn-mic", "aria-pressed") == "false"
    assert s.evaluate(ACTIVE_MATCHES, "#chat-input")
    s.keyboard.press("Tab")
    assert s.evaluate(ACTIVE_MATCHES, "#chat-send")
    s.keyboard.press("Tab")
    assert not s.evaluate(ACTIVE_MATCHES, "#chat-form *")

    # The teacher mutes the student: their mic goes off and their page says why.
    t.click("#tab-participants")  # the side panel opens on the Chat tab
    student_item.locator(".mute-peer").click()
    s.wait_for_function("() => document.getElementById('btn-mic').ariaPressed === 'true'")
    heard(s, "You were muted by the teacher")

    # Leave: Alt+Shift+L asks first (No keeps the student in), then leaves.
    s.once("dialog", lambda dialog: dialog.dismiss())
    s.keyboard.press("Alt+Shift+L")
    assert s.get_attribute("#room", "data-ended") is None
    s.once("dialog", lambda dialog: dialog.accept())
    s.keyboard.press("Alt+Shift+L")
    s.wait_for_selector("#room[data-ended='left']", state="attached")
    assert s.evaluate(ACTIVE_MATCHES, "#room-end-title")
    wait_participants(t, 1)
    heard(t, "Ray Reader left")


def test_the_announcer_gathers_bursts_and_shortcuts_need_alt_and_shift(new_page, cast):
    """The modules' pure parts, imported in a page (no room needed)."""
    teacher, _, course, _ = cast
    page = new_page(teacher, sign_in="cookie")
    page.goto(course.get_absolute_url())
    result = page.evaluate(
        """async () => {
          const { collapse, announce } = await import('/static/rooms/js/announce.js');
          const { shortcutFor } = await import('/static/rooms/js/shortcuts.js');
          const many = (n) => `${n} people joined`;
          const burst = collapse([
            { text: 'Ann joined', group: 'joined', many },
            { text: 'Ray wrote: hi', group: null, many: null },
            { text: 'Bob joined', group: 'joined', many },
            { text: 'Cy joined', group: 'joined', many },
          ]);
          announce('Twice'); announce('Twice'); announce('Once');
          await new Promise((resolve) => setTimeout(resolve, 600));
          const lines = [...document.querySelectorAll('#room-announcer p')].map((p) => p.textContent);
          const key = (init) => shortcutFor(new KeyboardEvent('keydown', init));
          return {
            burst,
            lines,
            live: document.getElementById('room-announcer').getAttribute('aria-live'),
            altShiftM: key({ code: 'KeyM', altKey: true, shiftKey: true }),
            plainM: key({ code: 'KeyM' }),
            shiftM: key({ code: 'KeyM', shiftKey: true }),
            altM: key({ code: 'KeyM', altKey: true }),
            ctrlAltShiftM: key({ code: 'KeyM', altKey: true, shiftKey: true, ctrlKey: true }),
            altShiftQ: key({ code: 'KeyQ', altKey: true, shiftKey: true }),
          };
        }"""
    )
    assert result["burst"] == ["3 people joined", "Ray wrote: hi"]
    assert result["lines"] == ["Twice", "Once"]
    assert result["live"] == "polite"
    assert result["altShiftM"] == "mic"
    assert [result[k] for k in ("plainM", "shiftM", "altM", "ctrlAltShiftM", "altShiftQ")] == [
        None
    ] * 5
