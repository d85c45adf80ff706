"""The participant list in real headless Chromium: long names keep their width in a narrow side
panel (full name in a title), icons come after the name, the teacher has no Raise hand button and
sees raised hands as a queue at the top, first raised first; no Share screen button where the
browser cannot share a screen."""

from __future__ import annotations

from typing import Any

import pytest

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.tests.factories import MeetingFactory
from tests.e2e.room import join, peer_id, wait_participants

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

NO_SPACES = "W" * 80
MANY_WORDS = (
    "Maria Fernanda de la Concepcion",
    "Rodriguez-Villanueva y Montenegro Santos Alvarez",
)
PANEL_WIDTH = 240  # px: a narrow side panel
MIN_NAME_WIDTH = 120  # px: at least half of it stays for the name


@pytest.fixture
def course():
    teacher = TeacherFactory.create(username="e2e_pt_tina", first_name="Tina", last_name="Teach")
    return CourseFactory.create(teacher=teacher, title="Optics")


def enrolled(course: Any, username: str, first: str, last: str) -> Any:
    student = StudentFactory.create(username=username, first_name=first, last_name=last)
    EnrollmentFactory.create(course=course, student=student)
    return student


def queue_names(page: Any) -> list[str]:
    return list(
        page.locator("#hand-queue-list li .hand-queue-name").evaluate_all(
            "els => els.map(e => e.textContent)"
        )
    )


def wait_queue(page: Any, names: list[str]) -> None:
    page.wait_for_function(
        """names => JSON.stringify([...document.querySelectorAll(
               '#hand-queue-list li .hand-queue-name')].map(e => e.textContent))
             === JSON.stringify(names)""",
        arg=names,
    )


MEASURE = """([id, panelWidth]) => {
  const list = document.getElementById('participants');
  list.style.width = `${panelWidth}px`;
  list.style.maxWidth = `${panelWidth}px`;
  const item = list.querySelector(`li[data-peer='${id}']`);
  const name = item.querySelector('.participant-name');
  const after = [...item.querySelectorAll(
    '.participant-role, .participant-hand, .media-icons, .participant-actions, i.bi, button')];
  return {
    width: name.getBoundingClientRect().width,
    height: name.getBoundingClientRect().height,
    title: name.title,
    text: name.textContent,
    overflow: item.scrollWidth - item.clientWidth,
    icons: after.length,
    allAfter: after.every(
      (el) => name.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING),
  };
}"""


def test_long_names_keep_their_width_in_a_narrow_panel_with_icons_after_them(new_page, course):
    meeting = MeetingFactory.create(course=course, title="Lenses")
    long_one = enrolled(course, "e2e_pt_long", NO_SPACES, "")
    wordy = enrolled(course, "e2e_pt_wordy", *MANY_WORDS)
    t = join(new_page, course.teacher, meeting)
    pages = {"long": join(new_page, long_one, meeting), "wordy": join(new_page, wordy, meeting)}
    wait_participants(t, 3)
    t.click("#tab-participants")  # the side panel opens on the Chat tab
    # The most crowded rows: a raised hand, a camera off and the teacher's mute/remove buttons.
    for page in pages.values():
        page.click("#btn-hand")
        page.click("#btn-camera")
    for page in pages.values():
        t.wait_for_function(
            """id => {
                 const item = document.querySelector(`#participants li[data-peer='${id}']`);
                 return item?.dataset.hand && item.dataset.camera === 'off'
                   && item.querySelector('.participant-actions');
               }""",
            arg=peer_id(page),
        )
    full_names = {"long": NO_SPACES, "wordy": " ".join(MANY_WORDS)}
    for who, page in pages.items():
        got = t.evaluate(MEASURE, [peer_id(page), PANEL_WIDTH])
        assert got["text"] == full_names[who], who
        assert got["title"] == full_names[who], who
        assert got["width"] >= MIN_NAME_WIDTH, (who, got)
        assert got["height"] > 0, (who, got)
        assert got["overflow"] <= 0, (who, got)  # nothing sticks out of the panel
        assert got["icons"] >= 4, (who, got)
        assert got["allAfter"], (who, got)
    # The accessible name of a participant's row element is the full name.
    long_item = t.locator(f"#participants li[data-peer='{peer_id(pages['long'])}']")
    assert long_item.get_by_title(NO_SPACES).text_content() == NO_SPACES
    # On a student's page, the teacher's role badge also follows the name.
    s = pages["wordy"]
    s.click("#tab-participants")
    teacher_id = peer_id(t)
    got = s.evaluate(MEASURE, [teacher_id, PANEL_WIDTH])
    assert got["text"] == "Tina Teach"
    assert got["allAfter"], got
    role = s.locator(f"#participants li[data-peer='{teacher_id}'] .participant-role")
    assert role.text_content() == "Teacher"


def test_the_teacher_sees_raised_hands_as_a_queue_in_order_and_has_no_hand(new_page, course):
    meeting = MeetingFactory.create(course=course, title="Prisms")
    ann = enrolled(course, "e2e_pt_ann", "Ann", "Able")
    bob = enrolled(course, "e2e_pt_bob", "Bob", "Baker")
    t = join(new_page, course.teacher, meeting)
    a = join(new_page, ann, meeting)
    b = join(new_page, bob, meeting)
    wait_participants(t, 3)
    t.click("#tab-participants")  # the side panel opens on the Chat tab
    assert t.locator("#btn-hand").count() == 0
    for page in (a, b):
        assert page.locator("#btn-hand").is_visible()
    assert not t.locator("#hand-queue").is_visible()  # no hands, no queue

    a.click("#btn-hand")
    wait_queue(t, ["Ann Able"])
    b.click("#btn-hand")
    wait_queue(t, ["Ann Able", "Bob Baker"])
    queue = t.locator("#hand-queue")
    assert queue.is_visible()
    # At the top of the participants panel: above the list.
    assert queue.bounding_box()["y"] < t.locator("#participants").bounding_box()["y"]
    positions = t.locator("#hand-queue-list li").evaluate_all("els => els.map(e => e.dataset.peer)")
    assert positions == [peer_id(a), peer_id(b)]
    # The Participants tab counts the queue's hands (the queue is the one count).
    assert t.locator("#tab-participants .hand-count").inner_text().strip() == "2"
    # The list marks the hands with their place in the queue, after the name.
    for page, place in ((a, "1"), (b, "2")):
        item = t.locator(f"#participants li[data-peer='{peer_id(page)}']")
        assert item.get_attribute("data-hand") == place
    # A late joiner (the teacher's second tab) gets the same order from the server.
    late = join(new_page, course.teacher, meeting)
    wait_queue(late, ["Ann Able", "Bob Baker"])
    # Students see the queue too, without lower buttons for other people's hands.
    wait_queue(a, ["You (Local)", "Bob Baker"])
    assert a.locator("#hand-queue .lower-hand").count() == 0

    b.click("#btn-hand")  # Bob lowers his own hand
    wait_queue(t, ["Ann Able"])
    assert b.get_attribute("#btn-hand", "aria-pressed") == "false"

    t.locator(f"#hand-queue-list li[data-peer='{peer_id(a)}'] .lower-hand").click()
    a.wait_for_function("() => document.getElementById('btn-hand').ariaPressed === 'false'")
    wait_queue(t, [])
    t.wait_for_function("() => document.getElementById('hand-queue').hidden")
    assert not t.locator("#tab-participants .hand-count").is_visible()
    assert t.locator(f"#participants li[data-peer='{peer_id(a)}']").get_attribute("data-hand") == ""


NO_DISPLAY_MEDIA = "delete MediaDevices.prototype.getDisplayMedia;"


def test_no_share_screen_button_where_get_display_media_is_missing(new_page, course):
    meeting = MeetingFactory.create(course=course, title="Mirrors")
    student = enrolled(course, "e2e_pt_phone", "Pat", "Phone")
    phone = join(new_page, student, meeting, init_script=NO_DISPLAY_MEDIA)
    assert phone.evaluate("() => 'getDisplayMedia' in navigator.mediaDevices") is False
    assert phone.locator("#btn-screen:visible").count() == 0
    # The rest of the controls still work there.
    assert phone.locator("#btn-mic").is_visible()
    desktop = join(new_page, course.teacher, meeting)
    assert desktop.locator("#btn-screen").is_visible()
