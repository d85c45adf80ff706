"""A client that goes away at any moment is a normal disconnect, not an error: on the real
server (uvicorn, as `make run` serves), a socket that sends `join` and closes at once leaves no
ERROR record and no traceback in the log."""

from __future__ import annotations

import json
import logging
import time

import pytest
from websockets.sync.client import connect

from classmeet.rooms.tests.conftest import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def _drop_after(url: str, cookie: str, origin: str, frames: list[str]) -> None:
    headers = {"Cookie": cookie, "Origin": origin}
    with connect(url, additional_headers=headers, open_timeout=5, origin=None) as ws:
        for frame in frames:
            ws.send(frame)
        # Leave without waiting for anything: the server is still answering `join`.
        ws.close()


def test_client_dropping_right_after_join_logs_no_error(
    live_server_url, live_meeting, enrollment, caplog
):
    caplog.set_level(logging.DEBUG)
    url = live_server_url.replace("http://", "ws://") + f"/ws/meeting/{live_meeting.pk}/"
    cookies = {
        "teacher": f"sessionid={session_cookie(live_meeting.course.teacher)}",
        "student": f"sessionid={session_cookie(enrollment.student)}",
    }
    join = json.dumps({"type": "join"})
    for _round in range(5):
        for cookie in cookies.values():
            _drop_after(url, cookie, live_server_url, [join])
            _drop_after(url, cookie, live_server_url, [join, json.dumps({"type": "ping"})])
    time.sleep(1.5)  # let the server finish the joins it was answering
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [(r.name, r.getMessage(), r.exc_info and r.exc_info[0]) for r in errors]
