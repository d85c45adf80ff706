"""A reloaded room page never links to its own previous page, even while the room still lists it
(a server that has not handled the old page's close yet): no tile, no offer, no `unknown-peer`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.test_room_call import join, remote_tiles, wait_for_media

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_reloaded_page_skips_its_previous_peer_id_wherever_the_room_lists_it(
    new_page, teacher, student, enrollment, live_meeting
):
    teacher_page = join(new_page, teacher, live_meeting)
    page = join(new_page, student, live_meeting)
    teacher_id = teacher_page.evaluate("window.classmeetRoom.peerId")
    wait_for_media(page, peers=1)
    old_id = page.evaluate("window.classmeetRoom.peerId")
    ghost = {"peerId": old_id, "userId": student.pk, "name": "Sam Study", "role": "student"}
    frames: list[dict[str, Any]] = []

    # The reloaded page's socket, as a server that still lists the previous page would answer.
    def route(ws: Any) -> None:
        server = ws.connect_to_server()

        def to_page(message: str | bytes) -> None:
            frame = json.loads(message)
            frames.append(frame)
            if frame.get("type") == "welcome":
                frame["participants"].append(ghost)
                ws.send(json.dumps(frame))
                ws.send(json.dumps({"type": "user-joined", "resumed": False, **ghost}))
                return
            ws.send(message)

        server.on_message(to_page)

    page.route_web_socket("**/ws/meeting/**", route)
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#room[data-joined='true']", timeout=30_000)
    new_id = page.evaluate("window.classmeetRoom.peerId")
    assert new_id != old_id

    stats = wait_for_media(page, peers=1)
    assert set(stats) == {teacher_id}
    page.wait_for_timeout(1_000)  # time for an offer to the ghost to be answered
    assert remote_tiles(page) == [teacher_id]
    assert set(page.evaluate("[...window.classmeetRoom.connections().keys()]")) == {teacher_id}
    assert [f for f in frames if f.get("code") == "unknown-peer"] == []
    assert remote_tiles(teacher_page) == [new_id]
