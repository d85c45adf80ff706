"""Locks in real headless Chromium (mesh): the teacher locks the students' microphones from the
participants panel; the student's mic goes off and its button is disabled with the reason; the
other pages stop playing that student's audio even when the student's page turns its track back
on; "allow to speak" unlocks one student only; a locked chat cannot be written in."""

from __future__ import annotations

from typing import Any

import pytest

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.rooms import locks
from tests.e2e.room import join, peer_id, wait_participants

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# How a page plays `peer`: its tile's element muted, and the received audio tracks enabled.
PLAYS_JS = """(peer) => {
  const pc = window.classmeetRoom.connections().get(peer);
  const video = document.querySelector(`#video-grid .tile[data-peer="${peer}"] video`);
  const audio = pc ? pc.getReceivers().filter((r) => r.track?.kind === "audio") : [];
  return {
    connected: pc?.connectionState === "connected",
    muted: video ? video.muted : null,
    audio: audio.map((r) => r.track.enabled),
  };
}"""
MY_MIC_JS = """() => {
  const button = document.getElementById("btn-mic");
  const sent = [...window.classmeetRoom.connections().values()].flatMap((pc) =>
    pc.getSenders().filter((s) => s.track?.kind === "audio").map((s) => s.track.enabled));
  return {
    disabled: button.disabled,
    pressed: button.getAttribute("aria-pressed"),
    reason: document.getElementById(button.getAttribute("aria-describedby") ?? "x")?.textContent,
    sent,
  };
}"""


def plays(page: Any, peer: str) -> dict[str, Any]:
    return dict(page.evaluate(PLAYS_JS, peer))


def wait_plays(page: Any, peer: str, *, audio: bool) -> None:
    page.wait_for_function(
        f"""(peer) => {{
          const state = ({PLAYS_JS})(peer);
          return state.connected && state.audio.length > 0 && state.muted === {str(not audio).lower()}
            && state.audio.every((on) => on === {str(audio).lower()});
        }}""",
        arg=peer,
        timeout=10_000,
    )


def test_a_locked_students_audio_is_not_played_and_one_student_may_speak(
    new_page: Any, monkeypatch: Any
) -> None:
    # The live server runs in this process: its locks go to a store of this test alone (with
    # SQLite, a later test's meeting may get this one's id).
    monkeypatch.setattr(locks, "state", locks.LocksState())
    teacher = TeacherFactory.create(username="lk_tina", first_name="Tina", last_name="Teach")
    course = CourseFactory.create(teacher=teacher, title="Physics")
    sam = StudentFactory.create(username="lk_sam", first_name="Sam", last_name="Study")
    sue = StudentFactory.create(username="lk_sue", first_name="Sue", last_name="Second")
    for student in (sam, sue):
        EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course, title="Waves")
    t, s1, s2 = (join(new_page, user, meeting) for user in (teacher, sam, sue))
    wait_participants(t, 3)
    sam_id, sue_id = peer_id(s1), peer_id(s2)
    for page in (t, s2):
        wait_plays(page, sam_id, audio=True)

    t.click("#tab-participants")
    t.click("#locks-toolbar button[data-lock='mic']")
    # Pressed once the server's `locks` frame comes back (a round trip: not at once under load).
    t.wait_for_selector("#locks-toolbar button[data-lock='mic'][aria-pressed='true']")
    s1.wait_for_function("() => document.getElementById('btn-mic').disabled")
    mic = s1.evaluate(MY_MIC_JS)
    assert mic["pressed"] == "true"
    assert mic["reason"] == "The teacher locked your microphone."
    assert mic["sent"]
    assert not any(mic["sent"])
    for page in (t, s2):
        wait_plays(page, sam_id, audio=False)
    # A modified page turning its microphone back on gains nothing: nobody plays it.
    s1.evaluate(
        """() => { for (const pc of window.classmeetRoom.connections().values())
          for (const s of pc.getSenders()) if (s.track) s.track.enabled = true; }"""
    )
    s2.wait_for_timeout(300)
    assert plays(t, sam_id)["audio"] == [False]
    assert plays(t, sam_id)["muted"] is True

    # "Allow Sam to speak": Sam alone is unlocked (the room stays locked for Sue).
    allow = t.get_by_role("button", name="Allow Sam Study to speak")
    allow.click()
    s1.wait_for_function("() => !document.getElementById('btn-mic').disabled")
    wait_plays(t, sam_id, audio=True)
    wait_plays(s2, sam_id, audio=True)
    assert s2.evaluate(MY_MIC_JS)["disabled"] is True
    wait_plays(s1, sue_id, audio=False)

    # A locked chat: the field is disabled and says why.
    t.click("#locks-toolbar button[data-lock='chat']")
    s2.wait_for_function("() => document.getElementById('chat-input').disabled")
    assert s2.get_attribute("#chat-input", "placeholder") == "The teacher locked the chat."
    assert not t.locator("#chat-input").is_disabled()  # staff are never locked
