"""kill -9 the ASGI worker that serves a call, behind nginx: both browsers reconnect (to the
other worker) within 5 s, keep their places (same peer ids, no ghost in anyone's participant
list), media keeps flowing, and once the worker is back nginx sends the meeting's newcomers to it
again, so the call then spans two workers and works through the Redis channel layer."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory
from tests.deploy.test_nginx import join
from tests.e2e.test_room_call import remote_tiles, wait_for_media

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.slow]

RECONNECT_LIMIT = 5.0  # seconds, from the kill to the browser's `welcome` on a new socket

# Record [performance.now(), state] for every later change of the room socket's state.
STATE_CLOCK_JS = """
() => {
  window.__stateTimes = [];
  const states = window.classmeetRoom.states;
  states.push = (...items) => {
    for (const item of items) window.__stateTimes.push([performance.now(), item]);
    return Array.prototype.push.apply(states, items);
  };
}
"""

NGINX_FAIL_TIMEOUT = 5  # seconds, as in deploy/nginx/classmeet.conf (max_fails=1)


def participants(page: Page) -> list[str]:
    """Peer ids in the participant list, without the local one."""
    peers: list[str] = page.eval_on_selector_all(
        "#participants li[data-peer]:not(.participant-local)", "els => els.map(e => e.dataset.peer)"
    )
    return peers


def test_worker_killed_mid_call_client_reconnects_without_ghost(
    start_stack, open_room_page, redis_url, teacher, student, enrollment, course, live_meeting
):
    stack = start_stack(redis_url=redis_url)
    teacher_page = open_room_page(stack, teacher)
    join(teacher_page, live_meeting)
    student_page = open_room_page(stack, student)
    join(student_page, live_meeting)
    before = wait_for_media(teacher_page, peers=1, timeout=45)
    wait_for_media(student_page, peers=1, timeout=45)
    teacher_peer = teacher_page.evaluate("window.classmeetRoom.peerId")
    student_peer = student_page.evaluate("window.classmeetRoom.peerId")
    # nginx keeps a meeting's sockets on one worker (hash of the meeting id).
    [victim_label] = student_page.served_by
    assert teacher_page.served_by == [victim_label]
    victim = stack.worker(victim_label)

    # Time the state changes in the page itself (the test's own polling adds nothing to it).
    student_page.evaluate(STATE_CLOCK_JS)
    killed_at = student_page.evaluate("performance.now()")
    victim.kill()
    for page in (student_page, teacher_page):
        page.wait_for_function(
            "() => window.classmeetRoom.states.slice(-2).join() === 'reconnecting,open'",
            timeout=RECONNECT_LIMIT * 1000 + 10_000,
        )
    timeline = student_page.evaluate("window.__stateTimes")
    reconnected_in = (timeline[-1][0] - killed_at) / 1000
    assert reconnected_in < RECONNECT_LIMIT, f"reconnected after {reconnected_in:.1f} s: {timeline}"
    # nginx skipped the dead worker: the new sockets are on the survivor.
    assert student_page.served_by[-1] != victim_label
    assert teacher_page.served_by[-1] == student_page.served_by[-1]
    assert student_page.evaluate("window.classmeetRoom.peerId") == student_peer
    assert teacher_page.evaluate("window.classmeetRoom.peerId") == teacher_peer

    # No ghost: each side lists exactly the other, once.
    assert participants(teacher_page) == [student_peer]
    assert participants(student_page) == [teacher_peer]
    assert remote_tiles(teacher_page) == [student_peer]
    assert remote_tiles(student_page) == [teacher_peer]
    wait_for_media(teacher_page, peers=1, baseline=before, timeout=30)
    wait_for_media(student_page, peers=1, timeout=30)

    # The restarted worker takes the meeting's new sockets again (the hash points at it), while
    # the others stay on the survivor: signaling crosses workers both ways, and the newcomer gets
    # media from both.
    victim.start()
    # nginx marks a worker that refused a connection as down for fail_timeout (5 s, deploy
    # config): the student's reconnect attempts may have hit the dead one. Let it expire.
    time.sleep(NGINX_FAIL_TIMEOUT + 0.5)
    newcomer = StudentFactory.create(first_name="Nia", last_name="New")
    EnrollmentFactory.create(course=course, student=newcomer)
    newcomer_page = open_room_page(stack, newcomer)
    join(newcomer_page, live_meeting)
    assert newcomer_page.served_by == [victim_label]
    wait_for_media(newcomer_page, peers=2, timeout=45)
    wait_for_media(student_page, peers=2, timeout=45)
    wait_for_media(teacher_page, peers=2, timeout=45)
    # Still nobody twice, nobody stale.
    newcomer_peer = newcomer_page.evaluate("window.classmeetRoom.peerId")
    assert sorted(remote_tiles(teacher_page)) == sorted([student_peer, newcomer_peer])
    assert sorted(remote_tiles(newcomer_page)) == sorted([student_peer, teacher_peer])
    assert sorted(participants(teacher_page)) == sorted([student_peer, newcomer_peer])
