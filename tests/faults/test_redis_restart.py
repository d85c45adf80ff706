"""Restart Redis (the channel layer, presence and cache) in the middle of a call: the room's
sockets recover, signaling works again (a newcomer gets media from both), nobody is listed twice,
and the workers log a handful of errors, not a storm. The Redis is the test's own
(redis-server on a free port), never the machine's."""

from __future__ import annotations

import time

import pytest

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory
from tests.deploy.stack import PrivateRedis, error_lines, port_closed
from tests.deploy.test_nginx import join
from tests.e2e.test_room_call import remote_tiles, wait_for_media
from tests.faults.test_asgi_kill import participants

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.slow]

DOWN_SECONDS = 3
MAX_ERROR_LINES = 40  # per worker for the whole outage (measured: 17-18; a storm is hundreds)


def test_redis_restart_mid_call_rooms_recover(
    start_stack, open_room_page, stack_dir, teacher, student, enrollment, course, live_meeting
):
    redis = PrivateRedis(logdir=stack_dir)
    redis.start()
    stack = start_stack(redis_url=redis.url, extra_env={"CLASSMEET_ROOM_HEARTBEAT_SECONDS": "2"})
    stack.started.insert(0, redis)
    teacher_page = open_room_page(stack, teacher)
    join(teacher_page, live_meeting)
    student_page = open_room_page(stack, student)
    join(student_page, live_meeting)
    before = wait_for_media(teacher_page, peers=1, timeout=45)
    wait_for_media(student_page, peers=1, timeout=45)
    teacher_peer = teacher_page.evaluate("window.classmeetRoom.peerId")
    student_peer = student_page.evaluate("window.classmeetRoom.peerId")

    redis.kill()  # an unclean stop: everything it held (groups, presence, cache) is gone
    assert port_closed(redis.port)
    time.sleep(DOWN_SECONDS)
    redis.start()

    # Each page is joined again: a `welcome` after the restart, its socket open.
    for page in (teacher_page, student_page):
        try:
            page.wait_for_function(
                "() => window.classmeetRoom.state === 'open' && "
                "window.classmeetRoom.states.includes('reconnecting')",
                timeout=30_000,
            )
        except Exception:
            pytest.fail(f"{page.evaluate('window.classmeetRoom.states')}\n{stack.logs()}")
    # Signaling works again across both workers: a newcomer connects to both.
    newcomer = StudentFactory.create(first_name="Nia", last_name="New")
    EnrollmentFactory.create(course=course, student=newcomer)
    newcomer_page = open_room_page(stack, newcomer)
    join(newcomer_page, live_meeting)
    wait_for_media(newcomer_page, peers=2, timeout=45)
    wait_for_media(teacher_page, peers=2, timeout=45)
    wait_for_media(student_page, peers=2, timeout=45)
    newcomer_peer = newcomer_page.evaluate("window.classmeetRoom.peerId")
    teacher_peer = teacher_page.evaluate("window.classmeetRoom.peerId")
    student_peer = student_page.evaluate("window.classmeetRoom.peerId")
    assert sorted(remote_tiles(teacher_page)) == sorted([student_peer, newcomer_peer])
    assert sorted(participants(student_page)) == sorted([teacher_peer, newcomer_peer])
    assert before  # media flowed before the outage

    for worker in stack.workers:
        errors = error_lines(worker.log_text())
        print(f"{worker.label}: {len(errors)} error lines during the outage")  # noqa: T201
        assert len(errors) <= MAX_ERROR_LINES, "\n".join(errors[:40])
